"""Pin NumPy's BLAS and PyTorch to the same number of threads, so that a comparison is fair.

PyTorch's pool is set at run time, with ``torch.set_num_threads(n)``. NumPy's BLAS (OpenBLAS
or MKL) reads OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS once, when NumPy is
imported, which is before any command runs. So NumPy is pinned either by threadpoolctl, when
it is installed (it changes the BLAS limit in a running process), or by those variables: the
bench command re-runs itself once with them set.
"""
import os
import sys

BLAS_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def available_cores():
    """The cores this process may run on (its CPU affinity), else the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def pin_numpy(threads):
    """Limit NumPy's BLAS to ``threads``; returns how ('threadpoolctl', 'environment') or None."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pinned = all(os.environ.get(name) == str(threads) for name in BLAS_VARIABLES)
        return "environment" if pinned else None
    threadpool_limits(limits=threads, user_api="blas")
    return "threadpoolctl"


def can_rerun_from_command_line():
    """True when this process is ``python -m ministn bench ...`` (not a test calling main())."""
    return sys.argv[1:2] == ["bench"]


def rerun_with_blas_threads(threads):
    """Replace this process by the same command with the BLAS thread variables set."""
    env = dict(os.environ, **{name: str(threads) for name in BLAS_VARIABLES})
    os.execve(sys.executable, [sys.executable, "-m", "ministn", *sys.argv[1:]], env)
