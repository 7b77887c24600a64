"""A slow, obviously correct bicubic grid_sample: one output pixel at a time (docs §15).

Written from PyTorch's CPU kernel (ATen's GridSampler.h / GridSamplerKernel.cpp), not from
ministn: the sample point is only unnormalised; ix_nw = floor(ix), tx = ix - ix_nw; each of the
16 taps (ix_nw - 1 + i, iy_nw - 1 + j) goes through ``compute_coordinates`` (border: clip;
reflection: fold, then clip; zeros: unchanged) and reads 0 when it is then outside the image
(``get_value_bounded``; ``add_value_bounded`` in the backward). The forward interpolates each
row along x, then the four row values along y (``cubic_interp1d``). The grid gradient uses
PyTorch's ``get_cubic_coefficients_grad`` and its sign convention (gix -= val * coeff_grad), and
the multiplier is the unnormalise scale alone. Shares no code with ministn: plain Python floats,
the kernel as one piecewise function of the distance |s|.
"""
import math

import numpy as np

from naive_sampler import clip, reflect, unnormalise

A = -0.75


def kernel(s):
    """Keys' cubic convolution kernel at distance s (any sign)."""
    s = abs(s)
    if s <= 1:
        return (A + 2) * s ** 3 - (A + 3) * s ** 2 + 1
    if s < 2:
        return A * s ** 3 - 5 * A * s ** 2 + 8 * A * s - 4 * A
    return 0.0


def coefficient_grads(t):
    """PyTorch's get_cubic_coefficients_grad: minus d weight / d t for the four taps."""
    x = -1 - t
    c0 = (-3 * A * x - 10 * A) * x - 8 * A
    x = -t
    c1 = (-3 * (A + 2) * x - 2 * (A + 3)) * x
    x = 1 - t
    c2 = (3 * (A + 2) * x - 2 * (A + 3)) * x
    x = 2 - t
    c3 = (3 * A * x - 10 * A) * x + 8 * A
    return [c0, c1, c2, c3]


def compute_coordinate(c, n, padding_mode, align_corners):
    """PyTorch's compute_coordinates for one (integer-valued) tap coordinate."""
    if padding_mode == "border":
        return clip(c, n)[0]
    if padding_mode == "reflection":
        return clip(reflect(c, n, align_corners)[0], n)[0]
    return c


def grid_sample_bicubic_naive(U, grid, padding_mode, align_corners, grad_out):
    """Returns (V, dU, dgrid) for upstream grad_out, all float64 NumPy arrays."""
    N, C, H, W = U.shape
    _, H_out, W_out, _ = grid.shape
    V = np.zeros((N, C, H_out, W_out))
    dU = np.zeros(U.shape)
    dG = np.zeros(grid.shape)
    for n in range(N):
        for h in range(H_out):
            for w in range(W_out):
                ix, scale_x = unnormalise(float(grid[n, h, w, 0]), W, align_corners)
                iy, scale_y = unnormalise(float(grid[n, h, w, 1]), H, align_corners)
                x0, y0 = math.floor(ix), math.floor(iy)
                tx, ty = ix - x0, iy - y0
                wx = [kernel(tx + 1), kernel(tx), kernel(1 - tx), kernel(2 - tx)]
                wy = [kernel(ty + 1), kernel(ty), kernel(1 - ty), kernel(2 - ty)]
                gx_coeff, gy_coeff = coefficient_grads(tx), coefficient_grads(ty)
                g = grad_out[n, :, h, w]
                gix = giy = 0.0
                for j in range(4):
                    row = np.zeros(C)
                    for i in range(4):
                        cx = compute_coordinate(float(x0 - 1 + i), W, padding_mode, align_corners)
                        cy = compute_coordinate(float(y0 - 1 + j), H, padding_mode, align_corners)
                        xi, yj = int(cx), int(cy)
                        inside = 0 <= xi < W and 0 <= yj < H
                        value = U[n, :, yj, xi] if inside else np.zeros(C)
                        row += wx[i] * value
                        if inside:
                            dU[n, :, yj, xi] += wx[i] * wy[j] * g
                        gix -= float(np.dot(value, g)) * gx_coeff[i] * wy[j]
                        giy -= float(np.dot(value, g)) * gy_coeff[j] * wx[i]
                    V[n, :, h, w] += wy[j] * row
                dG[n, h, w] = scale_x * gix, scale_y * giy
    return V, dU, dG
