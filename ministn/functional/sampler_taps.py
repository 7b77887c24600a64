"""Where grid_sample reads, and with which weights: its taps (docs §6-§8, §13).

For every output location p of sample n the sampler reads T pixels, its taps, of the padded
input Ũ and returns their weighted sum (docs §13.1):

    V[n, c, p] = sum_t weight[n, t, p] * Ũ[n, c, index[n, t, p]]

The taps are built one axis at a time (docs §13.2). A mode (``MODES``) only says, for the grid
values g (N, P) of one axis, which pixels it reads and with which weights: an ``AxisTaps`` of
pixel positions (base + offset), weights and weight slopes, each broadcastable to
(N, T_axis, P), and the multiplier m = dx/dg. ``combine`` forms their outer product: the flat
index and the product weight of every tap, (N, T, P) with T the product of the T_axis, slowest
axis first (for 2-D: y major, so bilinear's taps are nw, ne, sw, se). Bilinear is 2 x 2 taps,
nearest 1 x 1; a mode with other taps per axis (bicubic's 4, each padded on its own) or a
third axis (trilinear's z) supplies only its ``AxisTaps``. Nothing here depends on the number
of channels C: every array is (N, T, P) or smaller, and all channels reuse it (docs §13.3).

``index`` is a flat index into the whole padded input (N, C, *padded) seen as one 1-D array,
for channel 0: pixel (j, i) of sample n is at n C S + (j + pad) W_p + (i + pad), with S the size
of one padded image and W_p = W + 2 pad. Channel c reads the same index in the view that starts
c S further on. Ũ is U inside a ring of ``pad`` zeros (pad = 2 for bilinear and nearest): a tap
outside the image reads a real zero, never a clamped neighbour (so a NaN in U cannot leak
through a zero weight), and in the backward pass its share of the gradient lands in the ring,
which is cropped away. Coordinates are clamped to [-pad, n] first, so that huge values cannot
overflow the int conversion (docs §6.4). It changes nothing: below -2 and above n every
bilinear tap, before and after the clamp, lies outside the image (zeros padding; the other
modes are inside already). Each axis's pixel position is converted to int64 on its own, and
the flat index is formed in int64: exact for any image size (docs §11.3).

Bilinear (docs §7), per axis, with x0 = floor(x), t = x - x0:

    pixels x0 + (0, 1),  weights (1 - t, t),  slopes d weight / dx = (-1, +1)

so the tap weights are y-weight * x-weight, and the grid gradient (docs §13.4) is

    dV/dx = sum over taps of  s_t * y_weight * x_slope,   dV/dy = sum of  s_t * y_slope * x_weight

with s_t = sum_c gV Ũ(tap t). At an integer x, t = 0 and dV/dx = Ũ(x0 + 1) - Ũ(x0): the
right-hand derivative (floor and floor + 1, never ceil). The grid gradient multiplies these by
m = dx/dg, the unnormalise scale times the padding derivative (coords.py).

Nearest (docs §8): one pixel rint(x), rounding half to even as PyTorch; weight 1; no slope,
so the grid gradient is exactly 0.
"""
from typing import NamedTuple

import numpy as np

from ..backend import get_array_module
from .coords import pad_coordinate, unnormalise, unnormalise_scale
from .cubic import cubic_slopes, cubic_weights

PAD = 2  # width of the ring of zeros around Ũ for bilinear and nearest


class AxisTaps(NamedTuple):
    """The taps of one axis: what a mode supplies (docs §13.2).

    Tap t reads pixel base + offset[t] along the axis. A mode whose taps sit at fixed distances
    from one pixel (bilinear: x0, x0 + 1) gives base (N, P) and a constant offset (1, T_axis, 1),
    and the flat index then costs one pass of N T P; a mode that places every tap itself gives
    base 0 and offset (N, T_axis, P).
    """
    base: object       # (N, P) int64 pixel position, or the number 0
    offset: object     # int64, broadcastable to (N, T_axis, P): each tap's position minus base
    weight: object     # (N, T_axis, P) interpolation weight of each tap
    slope: object      # d weight / d coordinate, broadcastable to ``weight``; None: zero
    m: object          # (N, P) or a number: d coordinate / d grid value (coords.py)


class Taps(NamedTuple):
    """Every tap of every output location, (N, T, P), the same for all channels (docs §13.1)."""
    index: object      # (N, T, P) int64 flat index into the padded input, channel 0
    weight: object     # (N, T, P) product of the axes' weights
    axes: tuple        # the AxisTaps, slowest axis first ((y, x) for 2-D)
    pad: int           # width of the zero ring
    image_size: int    # S: elements of one padded image (one sample, one channel)


def padded_shape(sizes, pad=PAD):
    return tuple(n + 2 * pad for n in sizes)


def padded_coordinate(g, n, padding_mode, align_corners, pad=PAD):
    """Pixel coordinate (N, P) of grid values g after padding and clamping, and m = dx/dg."""
    xp = get_array_module(g)
    x, mu = pad_coordinate(unnormalise(g, n, align_corners), n, padding_mode, align_corners)
    return xp.clip(x, -pad, n), mu * unnormalise_scale(n, align_corners)


def _constant(xp, values, dtype):
    """A (1, T, 1) array of per-tap constants on the device of ``xp``."""
    return xp.asarray(np.array(values, dtype=dtype).reshape(1, -1, 1))


def bilinear_axis(g, n, padding_mode, align_corners, pad):
    """Pixels (x0, x0 + 1), weights (1 - t, t), slopes (-1, +1) along one axis (docs §7)."""
    xp = get_array_module(g)
    x, m = padded_coordinate(g, n, padding_mode, align_corners, pad)
    x0 = xp.floor(x)
    t = x - x0
    return AxisTaps(x0.astype(np.int64), _constant(xp, [0, 1], np.int64),
                    xp.stack([1 - t, t], axis=1), _constant(xp, [-1, 1], x.dtype), m)


def nearest_axis(g, n, padding_mode, align_corners, pad):
    """Pixel rint(x) (half to even), weight 1, no slope (docs §8)."""
    xp = get_array_module(g)
    x, m = padded_coordinate(g, n, padding_mode, align_corners, pad)
    return AxisTaps(xp.rint(x).astype(np.int64), _constant(xp, [0], np.int64),
                    _constant(xp, [1], x.dtype), None, m)


def bicubic_axis(g, n, padding_mode, align_corners, pad):
    """Pixels x0 - 1 ... x0 + 2, each padded on its own, cubic weights and slopes (docs §15).

    The sample point is only unnormalised, never padded: x = unnormalise(g), x0 = floor(x),
    t = x - x0 give the weights (cubic.py). Padding moves each tap's integer pixel instead:
    border clips it, reflection folds it, zeros sends a tap outside the image to the ring
    (clip to [-1, n]: pad = 1). So m = dx/dg is the unnormalise scale alone.
    """
    xp = get_array_module(g)
    x = unnormalise(g, n, align_corners)
    x0 = xp.floor(x)
    t = x - x0
    pixels = x0[:, None, :] + _constant(xp, [-1, 0, 1, 2], x.dtype)              # (N, 4, P)
    pixels = xp.clip(pad_coordinate(pixels, n, padding_mode, align_corners)[0], -pad, n)
    return AxisTaps(0, pixels.astype(np.int64), cubic_weights(t, xp), cubic_slopes(t, xp),
                    unnormalise_scale(n, align_corners))


class Mode(NamedTuple):
    """A sampling mode: its taps along one axis, and the width of the zero ring they need."""
    axis_taps: object  # (g (N, P) grid values, n, padding_mode, align_corners, pad) -> AxisTaps
    pad: int


MODES = {"bilinear": Mode(bilinear_axis, PAD), "nearest": Mode(nearest_axis, PAD),
         "bicubic": Mode(bicubic_axis, 1)}


def combine(axes, padded, channels, pad, N, P):
    """Flat index and weight (N, T, P) of the outer product of the axes' taps (docs §13.2).

    index = corner + table: the corner n C S + sum_a base_a stride_a is (N, P), and the table of
    tap offsets, sum_a (offset_a + pad) stride_a, is as small as the modes' offsets (1, T, 1)
    for bilinear), so the (N, T, P) index is written in one pass.
    """
    xp = get_array_module(axes[0].weight)
    strides = [int(np.prod(padded[k + 1:])) for k in range(len(padded))]
    corner = xp.arange(N, dtype=np.int64).reshape(N, 1) * (channels * int(np.prod(padded)))
    table = 0
    weight = None
    for axis, stride in zip(axes, strides):
        corner = corner + axis.base * stride
        offset = (axis.offset + pad) * stride
        if weight is None:
            table, weight = offset, axis.weight
            continue
        table, weight = _outer(table, offset), _outer(weight, axis.weight)
    index = corner[:, None, :] + table
    return index, xp.broadcast_to(weight, (N, index.shape[1], P))


def _outer(a, b):
    """(n, T_a, p), (n, T_b, p) -> (n, T_a T_b, p), a's taps slowest (any n or p may be 1)."""
    product = a[:, :, None] + b[:, None] if a.dtype.kind == "i" else a[:, :, None] * b[:, None]
    n, T_a, T_b, p = product.shape
    return product.reshape(n, T_a * T_b, p)  # explicit sizes: any of them may be 0


def make_taps(grid, mode, padding_mode, align_corners, sizes, channels):
    """The taps of every point of ``grid`` (N, *out, D), last axis (x, y[, z]), for an input of
    spatial ``sizes`` (slowest first, e.g. (H, W)) and ``channels`` channels."""
    D = len(sizes)
    g = grid.reshape(grid.shape[0], int(np.prod(grid.shape[1:-1])), D)  # (N, P, D); N or P may be 0
    axis_taps, pad = MODES[mode]
    # slowest axis first; its grid values are the grid's last column
    axes = tuple(axis_taps(g[..., D - 1 - k], n, padding_mode, align_corners, pad)
                 for k, n in enumerate(sizes))
    padded = padded_shape(sizes, pad)
    index, weight = combine(axes, padded, channels, pad, g.shape[0], g.shape[1])
    return Taps(index, weight, axes, pad, int(np.prod(padded)))


def coordinate_gradients(s, taps):
    """dL/dg for each axis, (N, P), slowest axis first, from s[n, t, p] = sum_c gV Ũ(tap t).

    Along axis a the weight's derivative is the product of the other axes' weights and axis a's
    slope (docs §13.4); the sum over taps is taken one axis at a time, fastest first. None for
    an axis without slope (zero gradient).
    """
    axes = taps.axes
    N, P = s.shape[0], s.shape[-1]
    per_axis = s.reshape(N, *(a.weight.shape[1] for a in axes), P)
    gradients = []
    for a, axis in enumerate(axes):
        if axis.slope is None:
            gradients.append(None)
            continue
        r = per_axis
        for b in reversed(range(len(axes))):
            factor = axes[b].slope if b == a else axes[b].weight
            factor = factor.reshape(factor.shape[0], *(1,) * b, factor.shape[1], factor.shape[2])
            r = (r * factor).sum(axis=1 + b)
        gradients.append(axis.m * r)
    return gradients
