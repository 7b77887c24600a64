"""grid_sample's differentiable backward (create_graph=True), 2-D bilinear and nearest.

The first-order kernels (sampler_kernels.py) are fast array code. For second order the sampler
is written once more, as a composition of ops that are already differentiable to any order
(getitem, mul, add, sum, reshape), and its gradient with create_graph=True *is* the
differentiable backward: for bilinear, with tap weights wx0 = 1 - tx, wx1 = tx (likewise y),

    V[n, c, p] = sum over the 4 corners of wx * wy * U~_c[corner]      (U~: U zero-padded)

so that the second derivatives come out of the product rule:

    d2V/dx2 = d2V/dy2 = 0 (the weights are linear in each of tx, ty)
    d2V/dxdy = (U_se - U_sw - U_ne + U_nw) * mx * my                    (mx, my: the scales)
    d(dV/dx)/dU = the same gather with weights dwx/dx * wy: its adjoint is a scatter

The padded coordinate x(i) (border, reflection: docs §6.1) enters as x_value + mu (i - i_value),
with mu = dx/di from coords.pad_coordinate: right value and slope, and second derivative 0, which
is exact away from the clip and fold points (where the first derivative already jumps).
Nearest reads U~ at the rounded position: its grid gradient is identically 0, and so is every
derivative of it. Matches PyTorch's double backward of grid_sample.
"""
import numpy as np

from ..autograd import Tensor, grad
from ..backend import get_array_module
from . import basic as B
from .basic_backward import differentiable_backward_of
from .coords import pad_coordinate, unnormalise
from .grid_sample import GridSample


def padded_coordinate(g, n, padding_mode, align_corners):
    """Pixel coordinate of a normalised one (an (N, P) Tensor), padded; value and slope exact."""
    i = unnormalise(g, n, align_corners)
    value, mu = pad_coordinate(i.data, n, padding_mode, align_corners)
    return i * mu + (value - mu * i.data), value


def sample_with_ops(U, grid, mode, padding_mode, align_corners):
    """V = grid_sample(U, grid) for a 4-D U, from differentiable ops (see the docstring)."""
    N, C, H, W = U.shape
    xp = get_array_module(U.data)
    P = grid.shape[1] * grid.shape[2]
    g = B.reshape(grid, N, P, 2)
    pixels = B.permute(B.reshape(U, N, C, H * W), 0, 2, 1)               # (N, H*W, C)
    samples = xp.arange(N)[:, None]
    x, x_value = padded_coordinate(g[:, :, 0], W, padding_mode, align_corners)
    y, y_value = padded_coordinate(g[:, :, 1], H, padding_mode, align_corners)
    if mode == "nearest":
        corners = [(xp.rint(x_value), xp.rint(y_value), None)]            # round half to even
    else:
        x0, y0 = xp.floor(x_value), xp.floor(y_value)
        tx, ty = x - x0, y - y0
        corners = [(x0, y0, (1 - tx) * (1 - ty)), (x0 + 1, y0, tx * (1 - ty)),
                   (x0, y0 + 1, (1 - tx) * ty), (x0 + 1, y0 + 1, tx * ty)]
    V = None
    for cx, cy, weight in corners:
        inside = (cx >= 0) & (cx <= W - 1) & (cy >= 0) & (cy <= H - 1)    # zero padding
        k = (xp.clip(cy, 0, H - 1) * W + xp.clip(cx, 0, W - 1)).astype(np.int64)
        term = pixels[samples, k] * inside[..., None].astype(U.dtype)   # (N, P, C)
        term = term if weight is None else term * B.reshape(weight, N, P, 1)
        V = term if V is None else V + term
    return B.reshape(B.permute(V, 0, 2, 1), N, C, *grid.shape[1:3])


@differentiable_backward_of(GridSample)
def _grid_sample(ctx, inputs, output, g):
    U, grid = inputs
    mode = getattr(ctx, "mode", None)
    if mode not in ("bilinear", "nearest") or U.ndim != 4:
        raise NotImplementedError(f"GridSample has no second derivative in ministn for mode "
                                  f"{mode!r} with a {U.ndim}-D input (2-D bilinear and nearest have)")
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
