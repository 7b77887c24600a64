"""grid_sample: read an image or a volume at the positions a grid names (docs §6-§8, §13;
PyTorch's semantics).

For input U (N, C, H, W) and grid (N, H_out, W_out, 2), whose last axis is (x, y) in normalised
coordinates, the output V (N, C, H_out, W_out) is a weighted sum of taps of the zero-padded
input Ũ. The taps, (N, T, P) flat indices k and weights w, are built once for all channels
(sampler_taps.py); the three passes over them are in sampler_kernels.py (docs §13):

    V[n, c, p] = sum_t w[n, t, p] Ũ_c[k[n, t, p]]                                  (forward)

Backward, with gV = dL/dV:

    dU_c[k]     = sum over (n, t, p) with k[n, t, p] = k of gV[n, c, p] w[n, t, p]   (scatter)
    dG[n, p, a] = m_a sum_t s[n, t, p] dw[n, t, p]/dx_a,   s[n, t, p] = sum_c gV[n, c, p] Ũ_c[k]

with dw/dx_a the product of the other axes' weights and axis a's slope (docs §13.4).
The input gradient is deterministic on the CPU (sampler_kernels.py). Nearest's grid gradient
is exactly zero, as in PyTorch. Volumes (N, C, D, H, W) with grids (N, D_out, H_out, W_out, 3),
last axis (x, y, z), are the same sums over 8 trilinear taps or 1 nearest tap (docs §16);
bicubic reads 16 taps, each padded on its own (docs §15). An empty batch or grid has no tap and
zero gradients (docs §17).
"""

from ..autograd import Function, is_grad_enabled
from ..backend import get_array_module
from ._checks import as_tensor, check_choice, check_float, check_same_dtype
from ._spatial_checks import check_align_corners, check_finite, check_sampler_shapes
from .coords import PADDING_MODES
from .sampler_kernels import gradients, sample
from .sampler_taps import MODES as SAMPLING_MODES
from .sampler_taps import coordinate_gradients, make_taps

MODES = tuple(SAMPLING_MODES)


class GridSample(Function):
    """V = grid_sample(U, grid): (N, C, *sizes), (N, *out, D) -> (N, C, *out), D = 2 or 3."""

    @staticmethod
    def forward(ctx, U, grid, *, mode, padding_mode, align_corners):
        N, C = U.shape[:2]
        if N == 0 or 0 in grid.shape[1:-1]:         # no point to sample (docs §17.2)
            ctx.save(taps=None, U_shape=U.shape, grid_shape=grid.shape)
            return get_array_module(U).zeros((N, C, *grid.shape[1:-1]), dtype=U.dtype)
        taps = make_taps(grid, mode, padding_mode, align_corners, U.shape[2:], C)
        keep_values = ctx.needs_input_grad[1] and is_grad_enabled() and mode != "nearest"
        V, values = sample(U, taps, keep_values)
        ctx.save(taps=taps, U_shape=U.shape, grid_shape=grid.shape, values=values)
        return V.reshape(N, C, *grid.shape[1:-1])

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        taps = ctx.taps
        if taps is None:                             # an empty sampling: zero gradients
            return (xp.zeros(ctx.U_shape, grad_out.dtype) if ctx.needs_input_grad[0] else None,
                    xp.zeros(ctx.grid_shape, grad_out.dtype) if ctx.needs_input_grad[1] else None)
        N, C = grad_out.shape[:2]
        gV = grad_out.reshape(N, C, taps.weight.shape[-1])                # (N, C, P)
        grad_U = grad_grid = None
        U_shape = ctx.U_shape if ctx.needs_input_grad[0] else None
        values = ctx.values if ctx.needs_input_grad[1] else None
        if U_shape is not None or values is not None:
            grad_U, s = gradients(taps, gV, U_shape, values)
        if ctx.needs_input_grad[1]:
            # (N, D, *out) planes of dG_x, dG_y, returned as an (N, *out, D) view: affine_grid's
            # backward reads such planes without a copy (see there)
            D = len(taps.axes)
            planes = xp.zeros((N, D, *ctx.grid_shape[1:-1]), dtype=grad_out.dtype)
            if values is not None:
                coordinate_gradients(s, taps, planes.reshape(N, D, -1))
            grad_grid = xp.moveaxis(planes, 1, -1)
        return grad_U, grad_grid


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=False):
    """Sample input at the grid's positions, exactly as ``torch.nn.functional.grid_sample``.

    input:  (N, C, H, W) or (N, C, D, H, W) float32 or float64 Tensor (or array).
    grid:   (N, H_out, W_out, 2), or (N, D_out, H_out, W_out, 3) for a 5-D input, same dtype; last
            axis (x, y[, z]) in normalised coordinates, -1 and +1 being the corner-pixel centres
            (align_corners=True) or the image edges (False). Finite values only (NaN/inf raise
            ValueError); values outside [-1, 1] are padded.
    mode:   "bilinear" (trilinear on 5-D), "nearest" (round half to even; zero grid gradient) or
            "bicubic" (4-D only, as PyTorch: docs §15.5).
    padding_mode: "zeros", "border" or "reflection" (docs §6.2).
    Returns (N, C, H_out, W_out) or (N, C, D_out, H_out, W_out), differentiable in input and
    (bilinear, bicubic) grid. N = 0, C = 0 and empty grids give empty results (docs §17).
    """
    op = "grid_sample"
    U, G = as_tensor(input, "input"), as_tensor(grid, "grid")
    check_choice(mode, "mode", MODES)
    check_choice(padding_mode, "padding_mode", PADDING_MODES)
    align_corners = check_align_corners(align_corners, op)
    check_float(U, "input")
    check_float(G, "grid")
    check_same_dtype(U, "input", G, "grid")
    check_sampler_shapes(U.shape, G.shape, mode, op)
    check_finite(G.data, "grid", op)
    return GridSample.apply(U, G, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
