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


def check_size(size, op, lengths=(4,), positive=True):
    """size = (N, C, H, W) (or (N, C, D, H, W) where 5 is in ``lengths``) of ints -> a tuple.

    With ``positive`` every entry must be > 0; otherwise only >= 0 (the caller decides).
    """
    layout = " or ".join({4: "(N, C, H, W)", 5: "(N, C, D, H, W)"}[k] for k in lengths)
    try:
        size = tuple(size)
    except TypeError:
        raise TypeError(f"{op}: size must be a sequence {layout}, got {size!r}") from None
    if len(size) == 5 and 5 not in lengths:
        raise NotImplementedError(f"{op}: 5-D (volumetric) sizes are not implemented; "
                                  f"size must be (N, C, H, W), got {size}")
    if len(size) not in lengths:
        entries = " or ".join(map(str, lengths))
        raise ValueError(f"{op}: size must have {entries} entries {layout}, got {size}")
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in size):
        raise TypeError(f"{op}: size entries must be ints, got {size}")
    if any(s < 0 for s in size) or (positive and any(s == 0 for s in size)):
        raise ValueError(f"{op}: size entries must be positive, got {size}")
    return tuple(int(s) for s in size)


def check_batch(x, name, N, op):
    if x.shape[0] != N:
        raise ValueError(f"{op}: {name} has batch size {x.shape[0]} but size[0] is {N}")


def check_sampler_shapes(input_shape, grid_shape, mode, op):
    """grid_sample's shapes (docs §9.1, §17): input (N, C, H, W) with grid (N, H_out, W_out, 2),
    or input (N, C, D, H, W) with grid (N, D_out, H_out, W_out, 3); N, C and the grid's spatial
    sizes may be 0, the input's spatial sizes may not; bicubic is 4-D only (docs §15.5)."""
    if len(input_shape) not in (4, 5):
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W) or 5-D (N, C, D, H, W), got "
                         f"shape {tuple(input_shape)}")
    D = len(input_shape) - 2
    layout = "(N, H_out, W_out, 2)" if D == 2 else "(N, D_out, H_out, W_out, 3)"
    if len(grid_shape) != D + 2:
        raise ValueError(f"{op}: grid must be {D + 2}-D {layout} for a {D + 2}-D input, got shape "
                         f"{tuple(grid_shape)}")
    if grid_shape[-1] != D:
        axes = "(x, y)" if D == 2 else "(x, y, z)"
        raise ValueError(f"{op}: grid's last dimension must be {D} {axes} for a {D + 2}-D input, "
                         f"got shape {tuple(grid_shape)}")
    if grid_shape[0] != input_shape[0]:
        raise ValueError(f"{op}: grid has batch size {grid_shape[0]} but input has {input_shape[0]}")
    if 0 in input_shape[2:]:
        raise ValueError(f"{op}: input must have non-empty spatial dimensions, got shape "
                         f"{tuple(input_shape)}")
    if mode == "bicubic" and D == 3:
        raise ValueError(f"{op}: mode 'bicubic' supports only 4-D input (N, C, H, W), as in "
                         f"PyTorch; got a 5-D input {tuple(input_shape)} (use 'bilinear' for "
                         f"trilinear sampling)")
