"""The array backend: NumPy on the CPU, CuPy on the GPU, one code path for both.

This is the only module that knows CuPy exists. Every op asks for the array module of its
inputs (``xp = get_array_module(x)``) and then writes ``xp.zeros``, ``xp.exp``, ... exactly as
it would with NumPy, so the same line runs on either device (CuPy's recommended pattern).

Random numbers come from one seeded generator per device, set by ``manual_seed``, so that
initialisation, dropout and data augmentation are reproducible from a single seed.
"""
import os

import numpy as np

try:  # CuPy is optional: ``pip install ministn[gpu]``
    import cupy as _cupy
except Exception:  # ImportError, or a CUDA library that fails to load
    _cupy = None

DEVICES = ("cpu", "gpu")


def gpu_available():
    """True when CuPy imports and sees at least one CUDA device."""
    if _cupy is None:
        return False
    try:
        return _cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def get_array_module(*arrays):
    """numpy or cupy, whichever the arrays live in (numpy for plain Python values)."""
    if _cupy is not None:
        for a in arrays:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return np


def synchronize():
    """Wait for queued GPU work to finish (for timing); a no-op without CuPy."""
    if gpu_available():
        _cupy.cuda.Device().synchronize()


ALLOCATOR_VARIABLE = "MINISTN_TUNE_MALLOC"  # "0" leaves the host's malloc settings alone
_allocator = {"tuned": None}  # None until the first op asks


def tune_allocator(mmap_threshold=256 * 2**20, trim_threshold=2**30):
    """Let glibc's malloc keep large freed arrays for reuse; True if it was applied.

    By default glibc gives every block over 128 KiB-32 MiB straight back to the OS when it is
    freed (munmap, or a trim of the heap top). A training step allocates and frees the same
    multi-megabyte arrays every time, so each step then page-faults them back in, zero-filled,
    which costs more than the arithmetic in the sampler (4.3 ms -> 1.7 ms for the MNIST batch).
    Raising the two thresholds keeps that memory in the process: the resident size stays near
    the peak of one step. A no-op without glibc (macOS, Windows, musl). Same as
    MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824. ministn calls it once,
    on its first op (``tune_allocator_once``), not on import.
    """
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from glibc's malloc.h
    return bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold) and mallopt(M_TRIM_THRESHOLD, trim_threshold))


def tune_allocator_once():
    """``tune_allocator()`` the first time it is called, unless MINISTN_TUNE_MALLOC=0.

    Every op calls it (``Function.apply``), so a user's own training loop gets the same
    allocator as the ``train`` command without asking (docs/speed.md, "The allocator")."""
    if _allocator["tuned"] is None:
        opted_out = os.environ.get(ALLOCATOR_VARIABLE, "").strip() == "0"
        _allocator["tuned"] = False if opted_out else tune_allocator()
    return _allocator["tuned"]


def allocator_tuned():
    """True once ministn has raised glibc's malloc thresholds in this process."""
    return bool(_allocator["tuned"])


def device_of(array):
    return "gpu" if get_array_module(array) is not np else "cpu"


def check_device(device):
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    if device == "gpu" and not gpu_available():
        raise RuntimeError(
            "device='gpu' needs CuPy and a CUDA device: install the extra with "
            "`pip install -e \".[gpu]\"` on a machine with an NVIDIA GPU")


def to_device(array, device):
    """Move an array to 'cpu' (NumPy) or 'gpu' (CuPy); a no-op when it is already there."""
    check_device(device)
    if device == "cpu":
        return to_numpy(array)
    return _cupy.asarray(array)


def to_numpy(array):
    """A NumPy array, whatever the input; use only at the edges (plots, files, printing)."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return _cupy.asnumpy(array)
    return np.asarray(array)


# ---- seeded random numbers ------------------------------------------------------------------
_rng = {"cpu": np.random.default_rng(0), "gpu": None, "seed": 0}


def manual_seed(seed):
    """Seed every random stream ministn uses (initialisation, dropout, augmentation)."""
    _rng["cpu"] = np.random.default_rng(seed)
    # the GPU's generator is made on first use: creating it needs a working CUDA device, and
    # CuPy may be installed where there is none
    _rng["gpu"], _rng["seed"] = None, seed


def rng(xp=np):
    """The seeded generator for the array module ``xp`` (numpy or cupy)."""
    if xp is np:
        return _rng["cpu"]
    if _rng["gpu"] is None:
        _rng["gpu"] = _cupy.random.default_rng(_rng["seed"])
    return _rng["gpu"]


def get_rng_state():
    """The CPU generator's state, a plain dict that a checkpoint can store."""
    return _rng["cpu"].bit_generator.state


def set_rng_state(state):
    _rng["cpu"].bit_generator.state = state
