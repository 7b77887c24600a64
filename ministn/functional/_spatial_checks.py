"""Argument checks shared by the grid generators and the sampler (docs §9).

Every error names the argument, what was expected and what was received.
"""
import numbers

import numpy as np

from ..backend import get_array_module, to_numpy


def check_finite(x, name, op):
    """ValueError naming the argument and the first non-finite element (docs §9.2)."""
    xp = get_array_module(x)
    finite = xp.isfinite(x)
    if not bool(finite.all()):
        first = tuple(int(k) for k in np.argwhere(~to_numpy(finite))[0])
        raise ValueError(f"{op}: {name} contains non-finite values (NaN or inf), first at "
                         f"index {first}")


def check_align_corners(align_corners, op):
    """A bool; None means False, as in PyTorch (which also warns)."""
    if align_corners is None:
        return False
    if not isinstance(align_corners, (bool, np.bool_)):
        raise TypeError(f"{op}: align_corners must be True or False, got {align_corners!r}")
    return bool(align_corners)


def check_size(size, op):
    """size = (N, C, H, W) of positive ints -> a tuple of ints (5-D sizes are not implemented)."""
    try:
        size = tuple(size)
    except TypeError:
        raise TypeError(f"{op}: size must be a sequence (N, C, H, W), got {size!r}") from None
    if len(size) == 5:
        raise NotImplementedError(f"{op}: 5-D (volumetric) sizes are not implemented; "
                                  f"size must be (N, C, H, W), got {size}")
    if len(size) != 4:
        raise ValueError(f"{op}: size must have 4 entries (N, C, H, W), got {size}")
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in size):
        raise TypeError(f"{op}: size entries must be ints, got {size}")
    if any(s <= 0 for s in size):
        raise ValueError(f"{op}: size entries must be positive, got {size}")
    return tuple(int(s) for s in size)


def check_batch(x, name, N, op):
    if x.shape[0] != N:
        raise ValueError(f"{op}: {name} has batch size {x.shape[0]} but size[0] is {N}")
