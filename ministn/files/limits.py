"""Memory limits: refuse an array that would not fit *before* allocating it.

An array's size is known before it exists: it is the product of its shape times the bytes of
one element. A file header (``read_npz``) or a command-line ``size`` declares a shape, so
the memory it asks for can be computed, in Python integers (which never overflow), and
compared with a limit while the cost of saying no is still nothing:

    check_array_bytes((100000, 100000, 100000, 2), "float64",
                      "size (100000, 1, 100000, 100000)", purpose="the grid")
    SizeError: size (100000, 1, 100000, 100000) needs 14.2 PB for the grid
               (limit 2048 MB; raise it with --max-mb)

Without the check, NumPy would raise MemoryError after the operating system refused, or worse,
succeed lazily and let the machine swap. The default limit, ``MAX_BYTES_DEFAULT``, is 2 GiB
per operation. Sizes are counted in binary units: 1 MB here is 2**20 bytes, so that
``--max-mb 2048`` is exactly the default.
"""
import math

import numpy as np

from ..errors import MinistnError

MAX_BYTES_DEFAULT = 2 * 2**30    # 2 GiB
LIMIT_FLAG = "--max-mb"          # the command-line flag that raises the limit
MB = 2**20

_UNITS = ("KB", "MB", "GB", "TB", "PB", "EB")


class SizeError(MinistnError):
    """An array that would need more memory than the limit allows, as one line."""


def format_bytes(n):
    """'512 bytes', '1.5 MB', '14.2 PB': one decimal, binary units (1 KB = 1024 bytes)."""
    if n < 1024:
        return f"{n} bytes"
    value, unit = float(n), "bytes"
    for unit in _UNITS:
        value /= 1024
        if value < 1024:
            break
    return f"{value:.1f} {unit}"


def limit_hint(max_bytes):
    """'(limit 2048 MB; raise it with --max-mb)': how a size error ends."""
    return f"(limit {max_bytes / MB:g} MB; raise it with {LIMIT_FLAG})"


def array_bytes(shape, dtype):
    """The bytes an array of this shape and dtype holds, as an exact Python int."""
    return math.prod(int(n) for n in shape) * np.dtype(dtype).itemsize


def check_array_bytes(shape, dtype, what, max_bytes=MAX_BYTES_DEFAULT, purpose=None):
    """The bytes an array of ``shape`` and ``dtype`` would take; SizeError above ``max_bytes``.

    shape: a sequence of non-negative ints (any size: the product is a Python int).
    what: how the request is named in the message, e.g. "size (100000, 1, 100000, 100000)".
    purpose: optional, e.g. "the grid" gives "... needs 14.2 PB for the grid (...)".
    Nothing is allocated; call it before ``xp.empty(shape, dtype)``.
    """
    shape = tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise SizeError(f"{what}: negative dimension in {shape}")
    n_bytes = array_bytes(shape, dtype)
    if n_bytes > max_bytes:
        needed = f"needs {format_bytes(n_bytes)}" + (f" for {purpose}" if purpose else "")
        raise SizeError(f"{what} {needed} {limit_hint(max_bytes)}")
    return n_bytes
