"""Normalised image coordinates, and the padding maps applied to them (docs §2 and §6.1).

A grid value g in [-1, 1] names a position along an image axis of n pixels, pixel j covering
[j - 1/2, j + 1/2] in pixel-index units. ``align_corners`` says what the two ends mean:

    True:   -1 and +1 are the centres of the corner pixels   i = ((g + 1) / 2)(n - 1),  di/dg = (n - 1)/2
    False:  -1 and +1 are the outer edges of the image       i = ((g + 1) n - 1) / 2,   di/dg = n/2

The base (identity) grid holds the centre of every output pixel in these units (docs §2.2):

    True:   b_j = (2j - (n - 1)) / (n - 1)   (0 when n = 1)
    False:  b_j = (2j + 1 - n) / n

(the numerator is an exact integer, so each value is correctly rounded.)

Padding acts on the continuous pixel coordinate i before the sampler picks neighbours. Each map
returns the padded coordinate x and its derivative mu = dx/di:

    zeros       x = i                                     mu = 1
    border      x = clip(i, 0, n - 1)                     mu = 1 if 0 < i < n - 1 else 0
    reflection  fold i into [lo, hi], then clip as border  mu = +-1 (the fold) * clip's mu

The clip's derivative is 0 *at* the boundary too (PyTorch's choice, PR #32829, docs §6.3).
Reflection mirrors about the corner-pixel centres (lo, hi = 0, n - 1) with align_corners=True and
about the image edges (lo, hi = -1/2, n - 1/2) with False.
"""
import numpy as np

from ..backend import get_array_module

PADDING_MODES = ("zeros", "border", "reflection")


def base_axis(n, align_corners, xp=np, dtype=np.float64):
    """The n pixel centres of one output axis in normalised coordinates (docs §2.2)."""
    j = xp.arange(n, dtype=np.float64)
    if align_corners:
        values = (2 * j - (n - 1)) / (n - 1) if n > 1 else xp.zeros(1)
    else:
        values = (2 * j + 1 - n) / n
    return values.astype(dtype)


def base_grid(H, W, align_corners, xp=np, dtype=np.float64):
    """The (H*W, 3) matrix B of homogeneous base points (x, y, 1), row h*W + w.

    x = b_w comes from the width axis and y = b_h from the height axis, so for any 2x3 matrix
    theta the affine grid is ``B @ theta.T``.
    """
    return base_points((H, W), align_corners, xp, dtype)


def base_points(sizes, align_corners, xp=np, dtype=np.float64):
    """Homogeneous base points of an output of spatial ``sizes`` (slowest axis first), one row
    per output pixel in C order: (x, y, 1) for (H, W), (x, y, z, 1) for (D, H, W) (docs §14.1).

    Column a holds the base value of the a-th fastest axis: x from W, y from H, z from D.
    """
    D = len(sizes)
    B = xp.ones((*sizes, D + 1), dtype=dtype)
    for a, n in enumerate(reversed(sizes)):           # a = 0: the fastest axis (x)
        shape = [1] * D
        shape[D - 1 - a] = n
        B[..., a] = base_axis(n, align_corners, xp, dtype).reshape(shape)
    return B.reshape(-1, D + 1)


def unnormalise(g, n, align_corners):
    """Normalised coordinate -> pixel index, in the operation order PyTorch uses (docs §2.1)."""
    i = g + 1                   # a new array (or number): the steps below work on it in place
    if align_corners:
        i /= 2
        i *= n - 1
    else:
        i *= n
        i -= 1
        i /= 2
    return i


def unnormalise_scale(n, align_corners):
    """di/dg of ``unnormalise``: (n - 1)/2 with align_corners, n/2 without."""
    return (n - 1) / 2 if align_corners else n / 2


def pad_coordinate(i, n, padding_mode, align_corners):
    """Padded coordinate x and its derivative mu = dx/di, elementwise (see the module docstring).

    For zeros padding mu is the number 1.
    """
    if padding_mode == "zeros":
        return i, 1.0
    if padding_mode == "border":
        return clip_coordinate(i, n)
    if padding_mode == "reflection":
        r, sign = reflect_coordinate(i, n, align_corners)
        x, mu = clip_coordinate(r, n)
        return x, mu * sign
    raise ValueError(f"padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")


def clip_coordinate(i, n):
    """x = clip(i, 0, n - 1);  dx/di = 1 strictly inside, 0 at and beyond the boundary."""
    xp = get_array_module(i)
    inside = (i > 0) & (i < n - 1)
    return xp.clip(i, 0, n - 1), inside.astype(i.dtype)


def reflect_coordinate(i, n, align_corners):
    """Fold i into [lo, hi] by repeated mirroring; returns (r, dr/di = +-1).

    With span = hi - lo, d = i - lo and e = fmod(|d|, 2 span) (exact in floating point):

        r = lo + min(e, 2 span - e),    dr/di = sign(d) * (+1 if e < span else -1)

    This is the fold of docs §6.1 (k = floor(|d| / span), even k: lo + fmod, odd k: lo + span - fmod)
    written with one period of 2 span, so that the fold count and the remainder can never
    disagree through a rounded division near a mirror plane. Where e == span (on the far plane)
    the sign is ambiguous but the clip that follows has derivative 0 there, as in PyTorch.
    """
    xp = get_array_module(i)
    lo, hi = (0.0, n - 1.0) if align_corners else (-0.5, n - 0.5)
    span = hi - lo
    if span == 0:  # align_corners=True with n = 1: everything lands on pixel 0, derivative 0
        return xp.zeros_like(i), xp.zeros_like(i)
    d = i - lo
    e = xp.fmod(xp.abs(d), 2 * span)
    r = lo + xp.minimum(e, 2 * span - e)
    sign = xp.where(d < 0, -1.0, 1.0) * xp.where(e < span, 1.0, -1.0)
    return r.astype(i.dtype), sign.astype(i.dtype)
