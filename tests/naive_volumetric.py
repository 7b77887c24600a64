"""A slow, obviously correct 5-D grid_sample: trilinear and nearest, one output voxel at a time
(docs §16).

Written from PyTorch's CPU kernel for 5-D input (ATen's GridSampler.cpp, grid_sampler_3d_cpu):
each axis is unnormalised and padded on its own (``grid_sampler_compute_source_index_set_grad``,
the same per-axis rule as 2-D, with its multiplier), then the eight corners (z0 or z0 + 1) x
(y0 or y0 + 1) x (x0 or x0 + 1) are read with weights (1 - t or t) per axis, zero outside the
image (``within_bounds_3d``); nearest reads the one voxel (nearbyint(z), nearbyint(y),
nearbyint(x)), round half to even, with zero grid gradient. Shares no code with ministn.
"""
import itertools
import math

import numpy as np

from naive_sampler import padded


def grid_sample_3d_naive(U, grid, mode, padding_mode, align_corners, grad_out):
    """Returns (V, dU, dgrid) for upstream grad_out, all float64 NumPy arrays; grid's last axis
    is (x, y, z) and U is (N, C, D, H, W)."""
    N, C, D, H, W = U.shape
    _, D_out, H_out, W_out, _ = grid.shape
    V = np.zeros((N, C, D_out, H_out, W_out))
    dU = np.zeros(U.shape)
    dG = np.zeros(grid.shape)
    sizes = (W, H, D)                                    # the axes in the grid's order x, y, z

    def inside(k, j, i):
        return 0 <= k < D and 0 <= j < H and 0 <= i < W

    for n, d, h, w in itertools.product(range(N), range(D_out), range(H_out), range(W_out)):
        coords = [padded(float(grid[n, d, h, w, a]), sizes[a], padding_mode, align_corners)
                  for a in range(3)]
        (x, m_x), (y, m_y), (z, m_z) = coords
        g = grad_out[n, :, d, h, w]
        if mode == "nearest":
            k, j, i = round(z), round(y), round(x)
            if inside(k, j, i):
                V[n, :, d, h, w] = U[n, :, k, j, i]
                dU[n, :, k, j, i] += g
            continue
        x0, y0, z0 = math.floor(x), math.floor(y), math.floor(z)
        fractions = (x - x0, y - y0, z - z0)
        for bz, by, bx in itertools.product((0, 1), repeat=3):
            k, j, i = z0 + bz, y0 + by, x0 + bx
            # per-axis weight (1 - t or t) and its derivative (-1 or +1)
            weights = [f if b else 1 - f for f, b in zip(fractions, (bx, by, bz))]
            slopes = [1.0 if b else -1.0 for b in (bx, by, bz)]
            value = U[n, :, k, j, i] if inside(k, j, i) else np.zeros(C)
            weight = weights[0] * weights[1] * weights[2]
            V[n, :, d, h, w] += weight * value
            if inside(k, j, i):
                dU[n, :, k, j, i] += weight * g
            dot = float(np.dot(g, value))
            dG[n, d, h, w, 0] += m_x * dot * slopes[0] * weights[1] * weights[2]
            dG[n, d, h, w, 1] += m_y * dot * weights[0] * slopes[1] * weights[2]
            dG[n, d, h, w, 2] += m_z * dot * weights[0] * weights[1] * slopes[2]
    return V, dU, dG
