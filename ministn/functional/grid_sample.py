"""grid_sample: read an image at the positions a grid names (docs §6-§8; PyTorch's semantics).

For input U (N, C, H, W) and grid (N, H_out, W_out, 2), whose last axis is (x, y) in normalised
coordinates, the output V (N, C, H_out, W_out) is a weighted sum of taps of the zero-padded
input Ũ (sampler_taps.py), one flat index k per tap:

    V[n, c, p] = sum_t w[n, t, p] * Ũ[n, c, k[n, t, p]]                            (forward)

Backward, with gV = dL/dV:

    dU[n, c, k]  = sum over (t, p) with k[n, t, p] = k of gV[n, c, p] w[n, t, p]      (scatter)
    dG[n, p, 0] = m_x sum_c gV[n, c, p] dV/dx,   dG[n, p, 1] = m_y sum_c gV[n, c, p] dV/dy

with dV/dx, dV/dy the differences of neighbouring taps (sampler_taps.py, docs §7.3).

The input gradient is the adjoint of the forward gather. It is one unbuffered ``add.at`` over
a flat index ((n C + c)(H + 4) + j)(W + 4) + i that covers every channel and every tap at once:
a sequential sum in index order, so deterministic, in the input's dtype (float64 for the
reference checks; float32 in training, as PyTorch). Since NumPy 1.25, ``add.at`` on a 1-D array
is as fast as ``bincount``, which would first copy the 4NCP products to float64 and back (that
copy cost a third of the 16-channel backward). On a GPU its atomics make the order vary.
Nearest's grid gradient is exactly zero, as in PyTorch.
"""
import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor, check_choice, check_float, check_ndim, check_same_dtype
from ._spatial_checks import check_align_corners, check_finite
from .coords import PADDING_MODES
from .sampler_taps import PAD, bilinear_taps, nearest_taps, padded_shape

MODES = ("bilinear", "nearest")


def pad_input(U):
    """Ũ: U inside a ring of PAD zero pixels, (N, C, H + 2 PAD, W + 2 PAD)."""
    xp = get_array_module(U)
    N, C, H, W = U.shape
    U_padded = xp.zeros((N, C, *padded_shape(H, W)), dtype=U.dtype)
    U_padded[:, :, PAD:PAD + H, PAD:PAD + W] = U
    return U_padded


def flat_index(taps, N, C, image_size):
    """(N, C, T, P) index of every tap into all of Ũ, where image (n, c) starts at (n C + c) size.

    One broadcast sum of a small (N, C, T) table of tap starts and the (N, P) corners: the index
    array is written once, with no (N, T, P) intermediate (which cost as much again for C = 1).
    """
    xp = get_array_module(taps.corner)
    first_pixel = xp.arange(N * C, dtype=np.int64).reshape(N, C, 1) * image_size
    starts = first_pixel + xp.asarray(taps.offsets, dtype=np.int64)           # (N, C, T)
    return starts[..., None] + taps.corner[:, None, None, :]


def gather(U_padded, flat):
    """Ũ.flat[flat]: the tap values, (N, C, T, P)."""
    return U_padded.reshape(-1).take(flat)


def scatter(values, flat, shape):
    """The adjoint of ``gather``: sum ``values`` into a padded image at ``flat``, then crop."""
    xp = get_array_module(values)
    N, C, H, W = shape
    summed = xp.zeros((N, C, *padded_shape(H, W)), dtype=values.dtype)
    xp.add.at(summed.reshape(-1), flat.reshape(-1), values.reshape(-1))
    return summed[:, :, PAD:PAD + H, PAD:PAD + W]


class GridSample(Function):
    """V = grid_sample(U, grid): (N, C, H, W), (N, H_out, W_out, 2) -> (N, C, H_out, W_out)."""

    @staticmethod
    def forward(ctx, U, grid, *, mode, padding_mode, align_corners):
        ctx.save(mode=mode, padding_mode=padding_mode, align_corners=align_corners)  # second order
        xp = get_array_module(U)
        N, C, H, W = U.shape
        H_out, W_out = grid.shape[1:3]
        make_taps = bilinear_taps if mode == "bilinear" else nearest_taps
        taps = make_taps(grid, H, W, padding_mode, align_corners)
        U_padded = pad_input(U)
        flat = flat_index(taps, N, C, U_padded[0, 0].size)
        values = gather(U_padded, flat)                                   # (N, C, T, P)
        V = xp.einsum("nctp,ntp->ncp", values, taps.weight)
        grid_needs_values = ctx.needs_input_grad[1] and mode == "bilinear"
        ctx.save(taps=taps, U_shape=U.shape, grid_shape=grid.shape,
                 flat=flat if ctx.needs_input_grad[0] else None,
                 values=values if grid_needs_values else None)
        return V.reshape(N, C, H_out, W_out)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        taps = ctx.taps
        N, C = grad_out.shape[:2]
        gV = grad_out.reshape(N, C, -1)                                   # (N, C, P)
        grad_U = grad_grid = None
        if ctx.needs_input_grad[0]:
            # dU[n, c, k] += gV[n, c, p] w[n, t, p]  for every tap t of p with index k
            contributions = gV[:, :, None, :] * taps.weight[:, None]
            grad_U = scatter(contributions, ctx.flat, ctx.U_shape)
        if ctx.needs_input_grad[1]:
            # (N, 2, H_out, W_out) planes of dG_x and dG_y, returned as an (N, H_out, W_out, 2)
            # view: affine_grid's backward reads such planes without a copy (see there)
            planes = xp.zeros((N, 2, *ctx.grid_shape[1:3]), dtype=grad_out.dtype)
            if ctx.values is not None:
                # s[j, i] = sum_c gV Ũ(y_j, x_i);  dG_x = m_x sum_j y_w[j] (s[j, 1] - s[j, 0]),
                #                                  dG_y = m_y sum_i x_w[i] (s[1, i] - s[0, i])
                s = xp.einsum("ncp,nctp->ntp", gV, ctx.values).reshape(N, 2, 2, -1)
                dV_dx = (taps.y_weights * (s[:, :, 1] - s[:, :, 0])).sum(axis=1)
                dV_dy = (taps.x_weights * (s[:, 1, :] - s[:, 0, :])).sum(axis=1)
                planes[:, 0] = (taps.m_x * dV_dx).reshape(N, *planes.shape[2:])
                planes[:, 1] = (taps.m_y * dV_dy).reshape(N, *planes.shape[2:])
            grad_grid = planes.transpose(0, 2, 3, 1)
        return grad_U, grad_grid


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=False):
    """Sample input at the grid's positions, exactly as ``torch.nn.functional.grid_sample`` (4-D).

    input:  (N, C, H, W) float32 or float64 Tensor (or array).
    grid:   (N, H_out, W_out, 2), same dtype; last axis (x, y) in normalised coordinates, -1 and
            +1 being the corner-pixel centres (align_corners=True) or the image edges (False).
            Finite values only (NaN/inf raise ValueError); values outside [-1, 1] are padded.
    mode:   "bilinear" or "nearest" (round half to even; zero grid gradient).
    padding_mode: "zeros", "border" or "reflection" (docs §6.2).
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
