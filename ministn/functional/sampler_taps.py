"""Where grid_sample reads, and with which weights: its taps (docs §6-§8, §13).

For every output location p of sample n the sampler reads T pixels, its taps, of the padded
input Ũ and returns their weighted sum (docs §13.1):

    V[n, c, p] = sum_t weight[n, t, p] * Ũ[n, c, index[n, t, p]]

The taps are built one axis at a time (docs §13.2). A mode (``MODES``) only says, for the grid
values g (N, P) of one axis, which pixels it reads and with which weights: an ``AxisTaps`` of
pixel positions (base + offset), weights and weight slopes, each broadcastable to
(N, T_axis, P), and the multiplier m = dx/dg. ``combine`` forms their outer product, with T
the product of the T_axis, slowest axis first (for 2-D: y major, so bilinear's taps are nw,
ne, sw, se): the flat index of tap t of point (n, p) is corner[n, p] + table[t], and its weight
the product of the axes' weights, (N, T, P). Bilinear is 2 x 2 taps, nearest 1 x 1; a mode with
other taps per axis (bicubic's 4, each padded on its own) or a third axis (trilinear's z)
supplies only its ``AxisTaps``. Nothing here depends on the number of channels C: every array
is (N, T, P) or smaller, and all channels reuse it (docs §13.3).

Where every tap sits at a fixed distance from one pixel (bilinear, nearest, trilinear; bicubic
under zeros padding), ``table`` is a tuple of T ints and the (N, P) corner is the only index
array: every tap and every channel reads through it. A mode that places each tap itself gives
an (N, T, P) table instead (``tap_index`` writes the full index out either way).

The index points into the whole padded input (N, C, *padded) seen as one 1-D array, for channel
0: pixel (j, i) of sample n is at n C S + (j + pad) W_p + (i + pad), with S the size of one
padded image and W_p = W + 2 pad. Channel c reads the same index in the view that starts c S
further on. Ũ is U inside a ring of ``pad`` zeros (pad = 2 for bilinear and nearest): a tap
outside the image reads a real zero, never a clamped neighbour (so a NaN in U cannot leak
through a zero weight), and in the backward pass its share of the gradient lands in the ring,
which is cropped away. In zeros mode coordinates are clamped to [-pad, n] first, so that huge
values cannot overflow the int conversion (docs §6.4). It changes nothing: below -2 and above n
every bilinear tap, before and after the clamp, lies outside the image (the other padding modes
are inside already). Each axis's pixel position is converted to int64 on its own, and the flat
index is formed in int64: exact for any image size (docs §11.3).

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
import functools
import itertools
import numbers
from typing import NamedTuple

import numpy as np

from ..backend import get_array_module
from ..parallel import parallel_for
from .coords import pad_coordinate, unnormalise, unnormalise_scale
from .cubic import cubic_slopes, cubic_weights

PAD = 2  # width of the ring of zeros around Ũ for bilinear and nearest


class AxisTaps(NamedTuple):
    """The taps of one axis: what a mode supplies (docs §13.2).

    Tap t reads pixel base + offset[t] along the axis. A mode whose taps sit at fixed distances
    from one pixel (bilinear: x0 + (0, 1)) gives base (N, P) and the offsets as a tuple of ints;
    a mode that places every tap itself (bicubic under border padding) gives base 0 and the
    offsets as an (N, T_axis, P) int64 array.
    """
    base: object       # (N, P) int64 pixel position, or the number 0
    offset: object     # tuple of T_axis ints, or (N, T_axis, P) int64: tap position minus base
    weight: object     # interpolation weight of each tap, broadcastable to (N, T_axis, P)
    slope: object      # d weight / d coordinate, broadcastable to ``weight``; None: zero
    m: object          # (N, P) or a number: d coordinate / d grid value (coords.py)


class Taps(NamedTuple):
    """Every tap of every output location, the same for all channels (docs §13.1).

    The flat index of tap t of point (n, p) is corner[n, p] + table[t] when ``table`` is a
    tuple (taps at fixed distances from a corner: one (N, P) index serves every tap), else
    corner[n, p] + table[n, t, p]. ``tap_index`` writes it out as one (N, T, P) array.
    """
    corner: object     # (N, P) int64: n C S + sum_a base_a stride_a (+ min of a tuple table)
    table: object      # tuple of T ints, or (N, T, P) int64: sum_a (offset_a + pad) stride_a
                       # (a tuple less its smallest entry, which the corner holds)
    weight: object     # (N, T, P) product of the axes' weights
    axes: tuple        # the AxisTaps, slowest axis first ((y, x) for 2-D)
    pad: int           # width of the zero ring
    image_size: int    # S: elements of one padded image (one sample, one channel)


def tap_index(taps):
    """The (N, T, P) int64 flat index into the padded input (channel 0) of every tap."""
    xp = get_array_module(taps.corner)
    table = taps.table
    if isinstance(table, tuple):
        table = xp.asarray(np.array(table, dtype=np.int64).reshape(1, -1, 1))
    return taps.corner[:, None, :] + table


def padded_shape(sizes, pad=PAD):
    return tuple(n + 2 * pad for n in sizes)


def padded_coordinate(g, n, padding_mode, align_corners, pad=PAD):
    """Pixel coordinate (N, P) of grid values g after padding and clamping, and m = dx/dg.

    Only zeros padding can leave [0, n - 1], so only it is clamped, to [-pad, n] (docs §6.4).
    """
    xp = get_array_module(g)
    x, mu = pad_coordinate(unnormalise(g, n, align_corners), n, padding_mode, align_corners)
    if padding_mode == "zeros":
        x = xp.clip(x, -pad, n, out=x)          # x is unnormalise's new array
    return x, mu * unnormalise_scale(n, align_corners)


def _constant(xp, values, dtype):
    """A (1, T, 1) array of per-tap constants on the device of ``xp``."""
    return xp.asarray(np.array(values, dtype=dtype).reshape(1, -1, 1))


def bilinear_axis(g, n, padding_mode, align_corners, pad):
    """Pixels (x0, x0 + 1), weights (1 - t, t), slopes (-1, +1) along one axis (docs §7)."""
    xp = get_array_module(g)
    x, m = padded_coordinate(g, n, padding_mode, align_corners, pad)
    x0 = xp.floor(x)
    weight = xp.empty((x.shape[0], 2, x.shape[1]), dtype=x.dtype)
    t = xp.subtract(x, x0, out=weight[:, 1])
    xp.subtract(1, t, out=weight[:, 0])
    return AxisTaps(x0.astype(np.int64), (0, 1), weight, _constant(xp, [-1, 1], x.dtype), m)


def nearest_axis(g, n, padding_mode, align_corners, pad):
    """Pixel rint(x) (half to even), weight 1, no slope (docs §8)."""
    xp = get_array_module(g)
    x, m = padded_coordinate(g, n, padding_mode, align_corners, pad)
    return AxisTaps(xp.rint(x).astype(np.int64), (0,), _constant(xp, [1], x.dtype), None, m)


def bicubic_axis(g, n, padding_mode, align_corners, pad):
    """Pixels x0 - 1 ... x0 + 2, each padded on its own, cubic weights and slopes (docs §15).

    The sample point is only unnormalised, never padded: x = unnormalise(g), x0 = floor(x),
    t = x - x0 give the weights (cubic.py), and m = dx/dg is the unnormalise scale alone.
    Padding moves each tap's integer pixel instead: border clips it, reflection folds it (an
    (N, 4, P) array of pixels). With zeros padding the taps stay at fixed distances from x0 - 1
    and read the ring of pad = 4 zeros when outside; x is first clamped to [-3, n + 1], beyond
    which all four taps are outside the image before and after the clamp (value and gradient 0).
    """
    xp = get_array_module(g)
    x = unnormalise(g, n, align_corners)
    if padding_mode == "zeros":
        x = xp.clip(x, -3, n + 1, out=x)           # x is unnormalise's new array
    x0 = xp.floor(x)
    t = x - x0
    weights, slopes = cubic_weights(t, xp), cubic_slopes(t, xp)
    m = unnormalise_scale(n, align_corners)
    if padding_mode == "zeros":
        return AxisTaps((x0 - 1).astype(np.int64), (0, 1, 2, 3), weights, slopes, m)
    pixels = x0[:, None, :] + _constant(xp, [-1, 0, 1, 2], x.dtype)              # (N, 4, P)
    pixels = pad_coordinate(pixels, n, padding_mode, align_corners)[0]         # in [0, n - 1]
    return AxisTaps(0, pixels.astype(np.int64), weights, slopes, m)


class Mode(NamedTuple):
    """A sampling mode: its taps along one axis, and the width of the zero ring they need."""
    axis_taps: object  # (g (N, P) grid values, n, padding_mode, align_corners, pad) -> AxisTaps
    pad: int


MODES = {"bilinear": Mode(bilinear_axis, PAD), "nearest": Mode(nearest_axis, PAD),
         "bicubic": Mode(bicubic_axis, 4)}


def combine(axes, padded, channels, pad, N, P):
    """Corner (N, P), table and weight (N, T, P) of the outer product of the axes' taps
    (docs §13.2): flat index = n C S + sum_a (base_a + offset_a + pad) stride_a."""
    xp = get_array_module(axes[0].weight)
    strides = [int(np.prod(padded[k + 1:])) for k in range(len(padded))]
    tables = [tuple((o + pad) * stride for o in axis.offset) if isinstance(axis.offset, tuple)
              else (axis.offset + pad) * stride for axis, stride in zip(axes, strides)]
    constant = xp.arange(N, dtype=np.int64).reshape(N, 1) * (channels * int(np.prod(padded)))
    if all(isinstance(t, tuple) for t in tables):
        table = tuple(sum(combination) for combination in itertools.product(*tables))
        # the smallest offset goes into the corner: every index is then >= 0 and every
        # offset too (a negative index would count from the end of the view that reads it)
        constant += min(table)
        table = tuple(o - min(table) for o in table)
    else:
        as_arrays = [xp.asarray(np.array(t, np.int64).reshape(1, -1, 1)) if isinstance(t, tuple)
                     else t for t in tables]
        table = functools.reduce(lambda a, b: _outer(a, b, np.add), as_arrays)
        table = xp.broadcast_to(table, (N, table.shape[1], P))
    # corner = constant + sum_a base_a stride_a, summed in place (one pass per axis)
    corner = None
    for axis, stride in zip(axes, strides):
        if isinstance(axis.base, numbers.Number):
            constant += axis.base * stride
            continue
        term = axis.base * stride if stride != 1 else axis.base
        if corner is None:
            corner = term + constant
        else:
            corner += term
    corner = xp.broadcast_to(constant, (N, P)) if corner is None else corner
    weight = axes[0].weight
    for axis in axes[1:]:
        weight = _outer(weight, axis.weight, np.multiply)
    return corner, table, xp.broadcast_to(weight, (N, weight.shape[1], P))


def _outer(a, b, op):
    """(n, T_a, p), (n, T_b, p) -> (n, T_a T_b, p), a's taps slowest (any n or p may be 1)."""
    product = op(a[:, :, None], b[:, None])
    return product.reshape(product.shape[0], -1, product.shape[-1])


# The axes' taps are built on threads of their own from this many points. On 2 cores (docs/
# speed.md, 2026-12-04): the forward on (64, 1, 28, 28), 50k points, took 2.06 ms split and
# 1.40 ms not; the ST-CNN's inference at batch 1000, 784k points, 101 ms split and 106 ms not.
MIN_POINTS_PER_THREAD = 2 ** 17
# Whether the sampler splits its forward pass and grid gradient over ranges of samples
# (sampler_kernels.for_samples; never the scatter: np.add.at holds the GIL). Measured as above,
# two threads, before and after in turn: (64, 16, 60, 60) forward 34.8 -> 23.4 ms, forward +
# backward 83.6 -> 65.5 ms. It pays because OpenBLAS's idle threads sleep at once (ministn/
# __init__.py): spinning after affine_grid's product, they took the second core and the split
# made the forward slower. Exact however it splits (tests/functional/test_grid_sample_threads.py).
SPLIT_OVER_THREADS = True


def make_taps(grid, mode, padding_mode, align_corners, sizes, channels):
    """The taps of every point of ``grid`` (N, *out, D), last axis (x, y[, z]), for an input of
    spatial ``sizes`` (slowest first, e.g. (H, W)) and ``channels`` channels."""
    D = len(sizes)
    g = grid.reshape(grid.shape[0], -1, D)
    axis_taps, pad = MODES[mode]
    # slowest axis first; its grid values are the grid's last column. The axes are independent:
    # each on its own thread (ministn.parallel), where there are enough points to pay for one
    def some_axes(first, last):
        return [axis_taps(g[..., D - 1 - k], sizes[k], padding_mode, align_corners, pad)
                for k in range(first, last)]
    enough_points = SPLIT_OVER_THREADS and g.shape[0] * g.shape[1] >= MIN_POINTS_PER_THREAD
    per_thread = 1 if enough_points else D
    axes = tuple(itertools.chain(*parallel_for(D, some_axes, min_chunk=per_thread,
                                               xp=get_array_module(grid))))
    padded = padded_shape(sizes, pad)
    corner, table, weight = combine(axes, padded, channels, pad, g.shape[0], g.shape[1])
    return Taps(corner, table, weight, axes, pad, int(np.prod(padded)))


def coordinate_gradients(s, taps, planes, start, stop):
    """planes[n, k] = dL/dg_k for grid column k, (x, y[, z]), and samples [start, stop), from
    the tap products s[n, t, p] = sum_c gV Ũ(tap t); planes (N, D, P) are left as they are
    (zero) along an axis without slope.

    Along axis a the weight's derivative is the product of the other axes' weights and axis a's
    slope (docs §13.4). The sum over taps is taken one axis at a time, fastest first, keeping
    the partial sums that every gradient shares: for 2-D, s summed over x with the x weights
    serves dV/dy, and with the x slopes dV/dx. The multiplier m is applied as the planes are
    written.
    """
    xp = get_array_module(s)
    axes = taps.axes
    P = s.shape[-1]
    n = stop - start
    # partial sums, keyed by the axis whose slope they carry (None: weights only)
    partial = {None: s[start:stop]}
    for b in reversed(range(len(axes))):
        T_b = axes[b].weight.shape[1]
        contracted = {}
        for key, r in partial.items():
            r = r.reshape(n, -1, T_b, P)
            # constants such as a (1, T_b, 1) slope are broadcast as views, so that einsum gets
            # operands of equal shapes (old CuPy einsums did not broadcast; a view costs nothing)
            weight = xp.broadcast_to(_samples(axes[b].weight, start, stop), (n, T_b, P))
            if key is not None or b > 0:     # s summed with every axis's weights: never used
                contracted[key] = xp.einsum("nitp,ntp->nip", r, weight)
            if key is None and axes[b].slope is not None:
                slope = xp.broadcast_to(_samples(axes[b].slope, start, stop), (n, T_b, P))
                contracted[b] = xp.einsum("nitp,ntp->nip", r, slope)
        partial = contracted
    D = len(axes)
    for a, axis in enumerate(axes):
        if a in partial:                    # axis a is the grid's column D - 1 - a: (x, y[, z])
            xp.multiply(partial[a].reshape(n, P), _samples(axis.m, start, stop),
                        out=planes[start:stop, D - 1 - a])


def _samples(array, start, stop):
    """Samples [start, stop) of an (N, ...) array; a number, or an array broadcast along the
    samples (leading axis 1), as it is."""
    if isinstance(array, numbers.Number) or array.shape[0] == 1:
        return array
    return array[start:stop]
