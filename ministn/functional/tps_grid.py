"""tps_grid: a thin plate spline through K moved control points -> a sampling grid (docs §5).

Source control points S (K x 2) sit on a fixed g x g lattice over [-1, 1]^2, K = g^2, in
row-major order with x varying fastest: S_k = (t_{k mod g}, t_{k // g}), t_i = -1 + 2i/(g - 1).
Each sample moves them to targets D = S + offsets[n]. The spline f interpolates them,
f(S_k) = D_k, with the smoothest bending (Bookstein 1989):

    f(p) = sum_k W_k U(|p - S_k|) + A_0 + A_1 p_x + A_2 p_y,   sum_k W_k = 0,  sum_k W_k S_k = 0

    U(r) = r^2 log r^2,  U(0) = 0 (the limit)

Why r^2 log r^2: it is Bookstein's kernel (also Lasagne's and the TF STN's). kornia and others
use r^2 log r = U/2; without regularisation a constant factor on the kernel only rescales W
and gives the identical warp, so the choice is a convention, stated here. U is evaluated as
r2 * log(r2) with r2 = 0 replaced by 1 inside the log, so no 0 * log 0 = NaN appears.

The weights solve the saddle-point system (kernel block first)

    L [W; A] = [D; 0],    L = [[Phi, Q], [Q^T, 0]],   Phi_ij = U(|S_i - S_j|),   Q = [1, S].

For the base points P (H*W x 2) of the output, R = [U(|P - S|), 1, P] and Z = the first K
columns of L^-1 (from ``solve``, never an explicit inverse) give a fixed (H*W, K) matrix

    M = R Z,      grid[n] = M D[n] = P + M offsets[n]                  (forward)
    doffsets[n] = M^T G[n]                                             (backward)

using M S = P (affine reproduction). Writing the grid as P + M offsets makes zero offsets give
*exactly* the identity grid of affine_grid (M S = P holds only to ~1e-15). M is computed once
in float64 on the CPU per (grid_size, H, W, align_corners) and cached.
"""
import functools

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor, check_float
from ._spatial_checks import check_align_corners, check_batch, check_finite, check_size
from .coords import base_axis, base_grid

OP = "tps_grid"


def control_points(grid_size):
    """The (K, 2) source lattice S over [-1, 1]^2, x varying fastest (docs §5.1)."""
    t = base_axis(grid_size, True)
    return np.stack([np.tile(t, grid_size), np.repeat(t, grid_size)], axis=1)


def tps_kernel(r2):
    """U as a function of r^2: r2 log r2, and 0 at r2 = 0."""
    return r2 * np.log(np.where(r2 == 0, 1.0, r2))


def _squared_distances(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


@functools.lru_cache(maxsize=32)
def tps_matrix(grid_size, H, W, align_corners):
    """M (H*W, K), float64, read-only: grid[n] = M (S + offsets[n]) for the output (H, W)."""
    S = control_points(grid_size)
    K = len(S)
    Q = np.concatenate([np.ones((K, 1)), S], axis=1)
    L = np.zeros((K + 3, K + 3))
    L[:K, :K] = tps_kernel(_squared_distances(S, S))
    L[:K, K:], L[K:, :K] = Q, Q.T
    Z = np.linalg.solve(L, np.eye(K + 3)[:, :K])                         # (K + 3, K)
    P = base_grid(H, W, align_corners)[:, :2]
    R = np.concatenate([tps_kernel(_squared_distances(P, S)), np.ones((H * W, 1)), P], axis=1)
    M = R @ Z
    M.setflags(write=False)
    return M


class TPSGrid(Function):
    """grid = tps_grid(offsets): (N, K, 2) -> (N, H, W, 2)."""

    @staticmethod
    def forward(ctx, offsets, *, grid_size, H, W, align_corners):
        xp = get_array_module(offsets)
        M = xp.asarray(tps_matrix(grid_size, H, W, align_corners), dtype=offsets.dtype)
        P = base_grid(H, W, align_corners, xp, offsets.dtype)[:, :2]
        ctx.save(M=M)
        return (P + xp.matmul(M, offsets)).reshape(-1, H, W, 2)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        G = grad_out.reshape(grad_out.shape[0], -1, 2)                   # (N, H*W, 2)
        # doffsets[n] = M^T G[n]
        return xp.matmul(ctx.M.T, G)


def tps_grid(offsets, size, align_corners=False, grid_size=4):
    """Sampling grid of a thin plate spline warp with a grid_size x grid_size control lattice.

    offsets: (N, K, 2), K = grid_size**2: how far each control point moves, (x, y) last, in
             normalised coordinates; control point k is (t[k % g], t[k // g]) on the lattice
             t = linspace(-1, 1, g). Zero offsets give the identity grid.
    size:    (N, C, H, W) of the output; C is ignored.
    align_corners: as in affine_grid (the base points; the lattice always spans [-1, 1]).
    grid_size: g >= 2 (default 4: the paper's 16-point TPS).
    Returns grid (N, H, W, 2).
    """
    offsets = as_tensor(offsets, "offsets")
    N, _, H, W = check_size(size, OP)
    align_corners = check_align_corners(align_corners, OP)
    if not isinstance(grid_size, (int, np.integer)) or isinstance(grid_size, bool) or grid_size < 2:
        raise ValueError(f"{OP}: grid_size must be an int >= 2, got {grid_size!r}")
    grid_size = int(grid_size)
    check_float(offsets, "offsets")
    K = grid_size ** 2
    if offsets.ndim != 3 or offsets.shape[1:] != (K, 2):
        raise ValueError(f"{OP}: offsets must have shape (N, {K}, 2) for grid_size={grid_size}, "
                         f"got {tuple(offsets.shape)}")
    check_batch(offsets, "offsets", N, OP)
    check_finite(offsets.data, "offsets", OP)
    return TPSGrid.apply(offsets, grid_size=grid_size, H=H, W=W, align_corners=align_corners)
