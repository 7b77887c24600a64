"""Pin NumPy's BLAS and PyTorch to the same number of threads, so that a comparison is fair.

PyTorch's pool is set at run time, with ``torch.set_num_threads(n)``. NumPy's BLAS (OpenBLAS
or MKL) reads OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS once, when NumPy is
imported. So NumPy is pinned either by threadpoolctl, when it is installed (it changes the
BLAS limit in a running process), or by those variables, set before Python starts (the bench
command re-runs itself with them, see ministn/cli/bench.py).
"""
import os

BLAS_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin_numpy(threads):
    """Limit NumPy's BLAS to ``threads``; returns how ('threadpoolctl', 'environment') or None."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pinned = all(os.environ.get(name) == str(threads) for name in BLAS_VARIABLES)
        return "environment" if pinned else None
    threadpool_limits(limits=threads, user_api="blas")
    return "threadpoolctl"


def blas_environment(threads):
    """os.environ with every BLAS thread variable set to ``threads``."""
    return dict(os.environ, **{name: str(threads) for name in BLAS_VARIABLES})
