"""grid_sample: read an image at the positions a grid names (spec §6-§8; PyTorch's semantics).

For input U (N, C, H, W) and grid (N, H_out, W_out, 2), whose last axis is (x, y) in normalised
coordinates, the output V (N, C, H_out, W_out) is a weighted sum of taps (sampler_taps.py):

    V[n, c, p] = sum_t w[n, t, p] * Ũ[n, c, k[n, t, p]]                          (forward)

Backward, with gV = dL/dV:

    dU[n, c, k] = sum over (t, p) with k[n, t, p] = k of gV[n, c, p] * w[n, t, p]   (scatter)
    dG[n, p, 0] = sum_t m_x dw_t/dx * sum_c gV[n, c, p] Ũ[n, c, k[n, t, p]]        (bilinear)
    dG[n, p, 1] = sum_t m_y dw_t/dy * sum_c gV[n, c, p] Ũ[n, c, k[n, t, p]]

The input gradient is the adjoint of the forward gather. It is one ``bincount`` over a flat
index ((n*C + c)*(H*W + 1) + k) for all taps at once: a sequential sum, so exact in the
sense of plain float64 accumulation, deterministic, and far faster than ``np.add.at``. (CuPy's
``bincount`` takes the same weights argument; its atomics make the GPU sum order vary.)
Nearest's grid gradient is exactly zero, as in PyTorch.
"""
import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor, check_choice, check_float, check_ndim, check_same_dtype
from ._spatial_checks import check_align_corners, check_finite
from .coords import PADDING_MODES
from .sampler_taps import bilinear_taps, nearest_taps

MODES = ("bilinear", "nearest")


def gather(U, index):
    """Ũ[n, c, index[n, t, p]] -> (N, C, T, P); index H*W reads the appended zero pixel."""
    xp = get_array_module(U)
    N, C, H, W = U.shape
    U_tilde = xp.concatenate([U.reshape(N, C, H * W), xp.zeros((N, C, 1), dtype=U.dtype)], axis=2)
    flat = index.reshape(N, 1, -1)
    return xp.take_along_axis(U_tilde, flat, axis=2).reshape(N, C, *index.shape[1:])


def scatter(values, index, shape):
    """The adjoint of ``gather``: dU[n, c, k] = sum of values[n, c, t, p] over index[n, t, p] = k."""
    xp = get_array_module(values)
    N, C, H, W = shape
    size = H * W + 1  # one extra (dropped) pixel per image receives the out-of-range taps
    offset = (xp.arange(N * C, dtype=np.int64) * size).reshape(N, C, 1, 1)
    flat = (offset + index[:, None]).reshape(-1)
    summed = xp.bincount(flat, weights=values.reshape(-1), minlength=N * C * size)
    return summed.reshape(N, C, size)[:, :, :H * W].astype(values.dtype).reshape(shape)


class GridSample(Function):
    """V = grid_sample(U, grid): (N, C, H, W), (N, H_out, W_out, 2) -> (N, C, H_out, W_out)."""

    @staticmethod
    def forward(ctx, U, grid, *, mode, padding_mode, align_corners):
        N, C, H, W = U.shape
        H_out, W_out = grid.shape[1:3]
        make_taps = bilinear_taps if mode == "bilinear" else nearest_taps
        taps = make_taps(grid, H, W, padding_mode, align_corners)
        values = gather(U, taps.index)                                   # (N, C, T, P)
        V = (values * taps.weight[:, None]).sum(axis=2)
        keep_values = ctx.needs_input_grad[1] and taps.grad_weight_x is not None
        ctx.save(taps=taps, U_shape=U.shape, grid_shape=grid.shape,
                 values=values if keep_values else None)
        return V.reshape(N, C, H_out, W_out)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        taps = ctx.taps
        N, C = grad_out.shape[:2]
        gV = grad_out.reshape(N, C, 1, -1)                                # (N, C, 1, P)
        grad_U = grad_grid = None
        if ctx.needs_input_grad[0]:
            # dU[n, c, k] += gV[n, c, p] * w[n, t, p]   over all taps with index k
            grad_U = scatter(gV * taps.weight[:, None], taps.index, ctx.U_shape)
        if ctx.needs_input_grad[1]:
            grad_grid = xp.zeros(ctx.grid_shape, dtype=grad_out.dtype)
            if taps.grad_weight_x is not None:
                # dG = sum_t (m dw_t/dx, m dw_t/dy) * sum_c gV Ũ_t
                gV_dot_U = (gV * ctx.values).sum(axis=1)                  # (N, T, P)
                grad_grid[..., 0] = (taps.grad_weight_x * gV_dot_U).sum(axis=1).reshape(grad_grid.shape[:3])
                grad_grid[..., 1] = (taps.grad_weight_y * gV_dot_U).sum(axis=1).reshape(grad_grid.shape[:3])
        return grad_U, grad_grid



def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=False):
    """Sample input at the grid's positions, exactly as ``torch.nn.functional.grid_sample`` (4-D).

    input:  (N, C, H, W) float32 or float64 Tensor (or array).
    grid:   (N, H_out, W_out, 2), same dtype; last axis (x, y) in normalised coordinates, -1 and
            +1 being the corner-pixel centres (align_corners=True) or the image edges (False).
            Finite values only (NaN/inf raise ValueError); values outside [-1, 1] are padded.
    mode:   "bilinear" or "nearest" (round half to even; zero grid gradient).
    padding_mode: "zeros", "border" or "reflection" (spec §6.2).
    Returns (N, C, H_out, W_out), differentiable in input and (bilinear) grid.
    """
    op = "grid_sample"
    U, G = as_tensor(input, "input"), as_tensor(grid, "grid")
    check_choice(mode, "mode", MODES)
    check_choice(padding_mode, "padding_mode", PADDING_MODES)
    align_corners = check_align_corners(align_corners, op)
    check_ndim(U, "input", 4, "(N, C, H, W) (5-D volumetric sampling is not implemented)")
    check_ndim(G, "grid", 4, "(N, H_out, W_out, 2)")
    check_float(U, "input")
    check_float(G, "grid")
    check_same_dtype(U, "input", G, "grid")
    if G.shape[3] != 2:
        raise ValueError(f"{op}: grid's last dimension must be 2 (x, y), got shape {tuple(G.shape)}")
    if G.shape[0] != U.shape[0]:
        raise ValueError(f"{op}: grid has batch size {G.shape[0]} but input has {U.shape[0]}")
    if 0 in U.shape or 0 in G.shape[1:3]:
        raise ValueError(f"{op}: input {tuple(U.shape)} and grid {tuple(G.shape)} must have "
                         f"non-empty channel and spatial dimensions")
    check_finite(G.data, "grid", op)
    return GridSample.apply(U, G, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
