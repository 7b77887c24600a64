"""Facts about the computer a measurement ran on, read in one place.

Benchmarks and experiment results record them beside their numbers: a time means little
without the CPU, the cores it could use and how busy the machine was (other processes share
the cores and slow both libraries, PyTorch's threads most).
"""
import os
import platform


def cpu_model():
    """The CPU's model name (Linux's /proc/cpuinfo), else what the platform module knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def available_cores():
    """The cores this process may run on (its CPU affinity), else the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def load_average():
    """The 1-minute load average (processes running or waiting), or None where there is none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe_machine():
    """'<cpu model>, <n> cores, BLAS threads <OPENBLAS_NUM_THREADS or default>'."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    return f"{cpu_model()}, {available_cores()} cores, BLAS threads {threads}"
