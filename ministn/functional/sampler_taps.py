"""Where grid_sample reads, and with which weights: its taps (spec §6-§8).

For every output location p = (h, w) of sample n the sampler reads T input pixels, its taps
(T = 4 for bilinear, T = 1 for nearest), and returns their weighted sum:

    V[n, c, p] = sum_t weight[n, t, p] * Ũ[n, c, index[n, t, p]]

``index`` is the flat pixel index j*W + i. Ũ is the input with one zero pixel appended to each
image at flat index H*W: a tap outside the image points there, so it reads exactly 0 and never
touches real data (a NaN in U cannot leak through a zero weight), and in the backward pass its
share of the gradient lands on the extra pixel, which is dropped.

Bilinear (§7), with x, y the padded coordinates, x0 = floor(x), tx = x - x0 (same for y):

    tap   pixel      weight                d weight / dx     d weight / dy
    nw    (y0, x0)   (1 - tx)(1 - ty)      -(1 - ty)         -(1 - tx)
    ne    (y0, x1)   tx (1 - ty)            (1 - ty)          -tx
    sw    (y1, x0)   (1 - tx) ty           -ty                (1 - tx)
    se    (y1, x1)   tx ty                  ty                 tx

so dV/dx = sum_t Ũ_t dw_t/dx. At an integer x, tx = 0 and dV/dx = Ũ(x0 + 1) - Ũ(x0): the
right-hand derivative (floor and floor + 1, never ceil). ``grad_weight_x`` stores m_x dw_t/dx
with m_x = dx/dg_x (the unnormalise scale times the padding derivative), ready for the grid
gradient dG_x = sum_t grad_weight_x[t] * sum_c gV Ũ_t.

Nearest (§8): one tap at (rint(y), rint(x)), rounding half to even as PyTorch; weight 1; the
grid gradient is exactly 0 (``grad_weight_x`` is None).
"""
from typing import NamedTuple

import numpy as np

from ..backend import get_array_module
from .coords import pad_coordinate, unnormalise, unnormalise_scale


class Taps(NamedTuple):
    index: object          # (N, T, P) int64, flat pixel index, H*W for a tap outside the image
    weight: object         # (N, T, P) interpolation weights
    grad_weight_x: object  # (N, T, P) m_x * dweight/dx, or None (nearest)
    grad_weight_y: object  # (N, T, P) m_y * dweight/dy, or None (nearest)


def padded_coordinates(grid, H, W, padding_mode, align_corners):
    """Pixel coordinates x, y (N, P) after padding, and their multipliers m = dx/dg, dy/dg."""
    N = grid.shape[0]
    g = grid.reshape(N, -1, 2)
    x, mu_x = pad_coordinate(unnormalise(g[..., 0], W, align_corners), W, padding_mode, align_corners)
    y, mu_y = pad_coordinate(unnormalise(g[..., 1], H, align_corners), H, padding_mode, align_corners)
    m_x = mu_x * unnormalise_scale(W, align_corners)
    m_y = mu_y * unnormalise_scale(H, align_corners)
    # Safety clamp (spec §10) before the int conversion, so huge finite values cannot overflow
    # it. It changes nothing: left of -1 or right of n every tap is already outside the image
    # (zeros padding); border and reflection are inside [0, n - 1] already.
    xp = get_array_module(grid)
    return xp.clip(x, -2, W + 1), xp.clip(y, -2, H + 1), m_x, m_y


def _flat_index(xp, j, i, H, W):
    """j*W + i for taps inside the image, H*W (the appended zero pixel) for the rest."""
    inside = (i >= 0) & (i < W) & (j >= 0) & (j < H)
    return xp.where(inside, j * W + i, H * W)


def bilinear_taps(grid, H, W, padding_mode, align_corners):
    """The four bilinear taps of every grid point, for an input of spatial size (H, W)."""
    xp = get_array_module(grid)
    x, y, m_x, m_y = padded_coordinates(grid, H, W, padding_mode, align_corners)
    x0, y0 = xp.floor(x), xp.floor(y)
    tx, ty = x - x0, y - y0
    sx, sy = 1 - tx, 1 - ty  # (1 - tx), (1 - ty)
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    x1, y1 = x0 + 1, y0 + 1
    index = xp.stack([_flat_index(xp, y0, x0, H, W), _flat_index(xp, y0, x1, H, W),
                      _flat_index(xp, y1, x0, H, W), _flat_index(xp, y1, x1, H, W)], axis=1)
    weight = xp.stack([sx * sy, tx * sy, sx * ty, tx * ty], axis=1)
    grad_weight_x = xp.stack([-sy, sy, -ty, ty], axis=1) * m_x[:, None, :]
    grad_weight_y = xp.stack([-sx, -tx, sx, tx], axis=1) * m_y[:, None, :]
    return Taps(index, weight, grad_weight_x, grad_weight_y)


def nearest_taps(grid, H, W, padding_mode, align_corners):
    """The one nearest-pixel tap of every grid point (round half to even)."""
    xp = get_array_module(grid)
    x, y, _, _ = padded_coordinates(grid, H, W, padding_mode, align_corners)
    i, j = xp.rint(x).astype(np.int64), xp.rint(y).astype(np.int64)
    index = _flat_index(xp, j, i, H, W)[:, None, :]
    return Taps(index, xp.ones(index.shape, dtype=grid.dtype), None, None)
