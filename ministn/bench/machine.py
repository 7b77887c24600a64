"""What a benchmark ran on: the CPU model, and how busy the machine was (other processes share
the cores, and a busy machine slows both libraries, PyTorch's threads most)."""
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


def load_average():
    """The 1-minute load average (processes running or waiting), or None where there is none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None
