"""A slow, obviously correct grid_sample: one output pixel at a time, written from docs §6-§8.

It shares no code with ministn (plain Python floats and loops, Python's own round-half-to-even
``round``, the fold formula of docs §6.1 with k = floor(a / span)), so agreement with the vectorised
sampler checks the vectorisation, the padding, the taps and both backward passes together.
"""
import math

import numpy as np


def unnormalise(g, n, align_corners):
    """Pixel coordinate and its derivative d i / d g (docs §2.1)."""
    if align_corners:
        return (g + 1) / 2 * (n - 1), (n - 1) / 2
    return ((g + 1) * n - 1) / 2, n / 2


def clip(i, n):
    if i <= 0:
        return 0.0, 0.0
    if i >= n - 1:
        return float(n - 1), 0.0
    return i, 1.0


def reflect(i, n, align_corners):
    """Fold into [lo, hi] (docs §6.1, the k-parity form) and return (r, dr/di)."""
    lo, hi = (0.0, n - 1.0) if align_corners else (-0.5, n - 0.5)
    span = hi - lo
    if span == 0:
        return 0.0, 0.0
    d = i - lo
    sign = -1.0 if d < 0 else 1.0
    a = abs(d)
    k = math.floor(a / span)
    e = math.fmod(a, span)
    if k % 2 == 0:
        return lo + e, sign
    return lo + span - e, -sign


def padded(g, n, padding_mode, align_corners):
    """(x, dx/dg) for one grid value along an axis of n pixels."""
    i, scale = unnormalise(g, n, align_corners)
    if padding_mode == "zeros":
        return i, scale
    if padding_mode == "border":
        x, mu = clip(i, n)
        return x, scale * mu
    r, sign = reflect(i, n, align_corners)
    x, mu = clip(r, n)
    return x, scale * mu * sign


def grid_sample_naive(U, grid, mode, padding_mode, align_corners, grad_out):
    """Returns (V, dU, dgrid) for upstream grad_out, all float64 NumPy arrays."""
    N, C, H, W = U.shape
    _, H_out, W_out, _ = grid.shape
    V = np.zeros((N, C, H_out, W_out))
    dU = np.zeros(U.shape)
    dG = np.zeros(grid.shape)

    def pixel(n, j, i):  # Ũ: the value, or zeros outside the image
        inside = 0 <= j < H and 0 <= i < W
        return U[n, :, j, i] if inside else np.zeros(C), inside

    for n in range(N):
        for h in range(H_out):
            for w in range(W_out):
                x, m_x = padded(float(grid[n, h, w, 0]), W, padding_mode, align_corners)
                y, m_y = padded(float(grid[n, h, w, 1]), H, padding_mode, align_corners)
                g = grad_out[n, :, h, w]
                if mode == "nearest":
                    value, inside = pixel(n, round(y), round(x))
                    V[n, :, h, w] = value
                    if inside:
                        dU[n, :, round(y), round(x)] += g
                    continue
                x0, y0 = math.floor(x), math.floor(y)
                tx, ty = x - x0, y - y0
                corners = [  # (row, column, weight, d weight/dx, d weight/dy)
                    (y0, x0, (1 - tx) * (1 - ty), -(1 - ty), -(1 - tx)),
                    (y0, x0 + 1, tx * (1 - ty), 1 - ty, -tx),
                    (y0 + 1, x0, (1 - tx) * ty, -ty, 1 - tx),
                    (y0 + 1, x0 + 1, tx * ty, ty, tx)]
                for j, i, weight, dw_dx, dw_dy in corners:
                    value, inside = pixel(n, j, i)
                    V[n, :, h, w] += weight * value
                    if inside:
                        dU[n, :, j, i] += weight * g
                    dG[n, h, w, 0] += m_x * dw_dx * float(np.dot(g, value))
                    dG[n, h, w, 1] += m_y * dw_dy * float(np.dot(g, value))
    return V, dU, dG
