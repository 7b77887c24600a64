"""grid_sample's differentiable backward (create_graph=True): every mode, 4-D and 5-D.

The first-order kernels (sampler_kernels.py) are fast array code. For second order the sampler
is written once more, as a composition of ops that are already differentiable to any order
(getitem, mul, add, sum, reshape), and its gradient with create_graph=True *is* the
differentiable backward. Along each axis a (x, y[, z]) a mode reads taps at integer pixels with
weights w_a(t_a), t_a = x_a - floor(x_a); the sample is the sum over the outer product of taps

    V[n, c, p] = sum over taps of  prod_a w_a * U~_c[tap]                  (U~: U zero-padded)

so that the second derivatives come out of the product rule:

    d2V/dx_a dx_b = sum over taps of  w_a' w_b' prod_{other axes} w * U~   (a != b)
    d2V/dx_a2     = sum over taps of  w_a'' prod_{other axes} w * U~
    d(dV/dx_a)/dU = the same gather with weights w_a' prod_{other} w: its adjoint is a scatter

Bilinear (trilinear on 5-D, docs §16): w = (1 - t, t), w' = (-1, 1), w'' = 0. Nearest: one tap
rint(x), weight 1: its grid gradient is identically 0, and so is every derivative of it.
Bicubic (docs §15): w = (k(1 + t), k(t), k(1 - t), k(2 - t)), Keys' kernel k (cubic.py),
written here as the polynomials of cubic.py on Tensors, so that w' and

    w'' = (k2''(1 + t), k1''(t), k1''(1 - t), k2''(2 - t)),
    k1''(s) = 6(A + 2)s - 2(A + 3),   k2''(s) = 6A s - 10A

are the product rule's (``cubic.cubic_curvatures`` states them; a test holds the two equal).
For bilinear and nearest the padded coordinate x(i) (border, reflection: docs §6.1) enters as
x_value + mu (i - i_value), with mu = dx/di from coords.pad_coordinate: right value and slope,
and second derivative 0, which is exact away from the clip and fold points (where the first
derivative already jumps). Bicubic pads each tap's integer pixel instead, which has no
derivative. Matches PyTorch's double backward of grid_sample.
"""
import itertools

import numpy as np

from ..autograd import Tensor, grad
from ..backend import get_array_module
from . import basic as B
from .basic_backward import differentiable_backward_of
from .coords import pad_coordinate, unnormalise
from .cubic import convolution1, convolution2
from .grid_sample import GridSample


def linear_in(i, value, mu):
    """The Tensor with values ``value`` and slope mu = d value / d i at i's values."""
    return i * mu + (value - mu * i.data)


def padded_coordinate(g, n, padding_mode, align_corners):
    """Pixel coordinate of a normalised one (an (N, P) Tensor), padded; value and slope exact."""
    i = unnormalise(g, n, align_corners)
    value, mu = pad_coordinate(i.data, n, padding_mode, align_corners)
    return linear_in(i, value, mu), value


def axis_taps(g, n, mode, padding_mode, align_corners):
    """[(pixel (N, P) ints, weight (N, P) Tensor or None)] of one axis, before zero padding."""
    xp = get_array_module(g.data)
    if mode == "bicubic":                       # the point is not padded; its taps are
        x = unnormalise(g, n, align_corners)
        value = x.data
        if padding_mode == "zeros":             # beyond, all four taps read zeros (sampler_taps)
            value = xp.clip(value, -3, n + 1)
            x = linear_in(x, value, (value == x.data).astype(x.dtype))
        x0 = xp.floor(value)
        t = x - x0
        weights = [convolution2(t + 1), convolution1(t), convolution1(1 - t), convolution2(2 - t)]
        pixels = [x0 + offset for offset in (-1, 0, 1, 2)]
        if padding_mode != "zeros":
            pixels = [pad_coordinate(p, n, padding_mode, align_corners)[0] for p in pixels]
        return list(zip(pixels, weights))
    x, value = padded_coordinate(g, n, padding_mode, align_corners)
    if mode == "nearest":
        return [(xp.rint(value), None)]         # round half to even
    x0 = xp.floor(value)
    t = x - x0
    return [(x0, 1 - t), (x0 + 1, t)]


def sample_with_ops(U, grid, mode, padding_mode, align_corners):
    """V = grid_sample(U, grid) for a 4-D or 5-D U, from differentiable ops (see the docstring)."""
    N, C, *sizes = U.shape
    D = len(sizes)
    xp = get_array_module(U.data)
    P = int(np.prod(grid.shape[1:-1]))
    g = B.reshape(grid, N, P, D)
    pixels = B.permute(B.reshape(U, N, C, int(np.prod(sizes))), 0, 2, 1)   # (N, S, C)
    samples = xp.arange(N)[:, None]
    strides = [int(np.prod(sizes[k + 1:])) for k in range(D)]
    # axis k (slowest first: z, y, x) reads grid column D - 1 - k
    per_axis = [axis_taps(g[:, :, D - 1 - k], sizes[k], mode, padding_mode, align_corners)
                for k in range(D)]
    V = None
    for taps in itertools.product(*per_axis):
        inside = np.bool_(True)
        flat = 0
        weight = None
        for (pixel, w), n, stride in zip(taps, sizes, strides):
            inside = inside & (pixel >= 0) & (pixel <= n - 1)                # zero padding
            flat = flat + xp.clip(pixel, 0, n - 1).astype(np.int64) * stride
            weight = w if weight is None else (weight if w is None else weight * w)
        term = pixels[samples, flat] * inside[..., None].astype(U.dtype)   # (N, P, C)
        term = term if weight is None else term * B.reshape(weight, N, P, 1)
        V = term if V is None else V + term
    return B.reshape(B.permute(V, 0, 2, 1), N, C, *grid.shape[1:-1])


@differentiable_backward_of(GridSample)
def _grid_sample(ctx, inputs, output, g):
    mode = ctx.mode
    # Fresh nodes U' = U and grid' = grid (a reshape each): the partial derivatives of the
    # recomputed V are wanted, not total ones (the grid may itself depend on U, as in an STN)
    U, grid = (B.reshape(t, *t.shape) for t in inputs)
    wanted = [t for t in (U, grid) if t.requires_grad]
    V = sample_with_ops(U, grid, mode, ctx.padding_mode, ctx.align_corners)
    grads = dict(zip(map(id, wanted), grad(V, wanted, g, create_graph=True, allow_unused=True)))
    result = []
    for t in (U, grid):
        gt = grads.get(id(t)) if t.requires_grad else None
        if t.requires_grad and gt is None:       # nearest's grid gradient: identically 0
            gt = Tensor(get_array_module(t.data).zeros_like(t.data))
        result.append(gt)
    return tuple(result)
