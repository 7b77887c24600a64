"""Where grid_sample reads, and with which weights: its taps (docs §6-§8).

For every output location p = (h, w) of sample n the sampler reads T pixels, its taps (T = 4
for bilinear, T = 1 for nearest), of the zero-padded input Ũ and returns their weighted sum:

    V[n, c, p] = sum_t weight[n, t, p] * Ũ[n, c, index[n, t, p]]

Ũ is U inside a ring of PAD = 2 zero pixels, shape (H + 4, W + 4), and ``index`` is a flat
index into one padded image, (j + PAD)(W + 4) + (i + PAD) for pixel (j, i), stored as the
first tap's j (W + 4) + i (``corner``) plus a fixed offset per tap. This is the padded
image Ũ ("U in range, 0 outside") made literal: a tap outside the image reads a real zero, never a
clamped neighbour (so a NaN in U cannot leak through a zero weight), and in the backward pass
its share of the gradient lands in the ring, which is cropped away. Coordinates are clamped
to [-PAD, n] first, so that huge values cannot overflow the int conversion (docs §6.4: no
need to clamp to [-2, n + 1]; n is enough). It changes nothing: below -2 and above n every tap, before and
after the clamp, lies outside the image (zeros padding; the other modes are inside already).

Bilinear (docs §7). With x, y the padded coordinates, x0 = floor(x), tx = x - x0 (same for y), the
weights are products of one x-weight and one y-weight,

    x_weights = (1 - tx, tx) for columns (x0, x0 + 1),  y_weights = (1 - ty, ty) for rows (y0, y0 + 1)
    taps in order nw (y0, x0), ne (y0, x1), sw (y1, x0), se (y1, x1):  weight = y_weight * x_weight

so that  dV/dx = (1 - ty)(Ũ_ne - Ũ_nw) + ty (Ũ_se - Ũ_sw)  and  dV/dy = (1 - tx)(Ũ_sw - Ũ_nw) +
tx (Ũ_se - Ũ_ne). At an integer x, tx = 0 and dV/dx = Ũ(x0 + 1) - Ũ(x0): the right-hand
derivative (floor and floor + 1, never ceil). The grid gradient multiplies these by
m_x = dx/dg_x, the unnormalise scale times the padding derivative (coords.py).

Nearest (docs §8): one tap at (rint(y), rint(x)), rounding half to even as PyTorch; weight 1; the
grid gradient is exactly 0.
"""
from typing import NamedTuple

import numpy as np

from ..backend import get_array_module
from .coords import pad_coordinate, unnormalise, unnormalise_scale

PAD = 2  # width of the ring of zeros around Ũ


class Taps(NamedTuple):
    corner: object            # (N, P) int64: y0 (W + 4) + x0, where the first tap is, unpadded
    offsets: tuple            # per tap, its flat index in the padded image minus ``corner``
    weight: object            # (N, T, P) interpolation weights
    x_weights: object = None  # (N, 2, P) (1 - tx, tx); bilinear only
    y_weights: object = None  # (N, 2, P) (1 - ty, ty); bilinear only
    m_x: object = None        # (N, P) dx/dg_x; bilinear only
    m_y: object = None        # (N, P) dy/dg_y; bilinear only


def padded_shape(H, W):
    return H + 2 * PAD, W + 2 * PAD


def padded_coordinates(grid, H, W, padding_mode, align_corners):
    """Pixel coordinates x, y (N, P) after padding and clamping, and m = dx/dg_x, dy/dg_y."""
    xp = get_array_module(grid)
    g = grid.reshape(grid.shape[0], -1, 2)
    x, mu_x = pad_coordinate(unnormalise(g[..., 0], W, align_corners), W, padding_mode, align_corners)
    y, mu_y = pad_coordinate(unnormalise(g[..., 1], H, align_corners), H, padding_mode, align_corners)
    m_x = mu_x * unnormalise_scale(W, align_corners)
    m_y = mu_y * unnormalise_scale(H, align_corners)
    return xp.clip(x, -PAD, W), xp.clip(y, -PAD, H), m_x, m_y


def _corner(j, i, H, W):
    """j (W + 4) + i as int64, for integer-valued pixel coordinates (j, i) (a float array each).

    Pixel (j, i) sits at (j + PAD)(W + 4) + (i + PAD) in the padded image; the constant part,
    PAD (W + 5), goes into the tap offsets, which saves two passes over the (N, P) arrays.
    The sum is formed in the coordinates' float type and converted once (half the passes of
    converting j and i): exact, as j and i are clamped to [-PAD, H] and [-PAD, W], so every term
    is an integer of magnitude below (H + 1)(W + 4), and a float type holds every integer below
    2^(mantissa bits + 1) exactly (2^24 in float32, 2^11 in float16); past that, float64.
    """
    if (H + 1) * (W + 2 * PAD) >= 2 ** (np.finfo(j.dtype).nmant + 1):
        j, i = j.astype(np.float64), i.astype(np.float64)
    return (j * (W + 2 * PAD) + i).astype(np.int64)


def bilinear_taps(grid, H, W, padding_mode, align_corners):
    """The four bilinear taps of every grid point, for an input of spatial size (H, W)."""
    xp = get_array_module(grid)
    x, y, m_x, m_y = padded_coordinates(grid, H, W, padding_mode, align_corners)
    x0, y0 = xp.floor(x), xp.floor(y)
    tx, ty = x - x0, y - y0
    x_weights = xp.stack([1 - tx, tx], axis=1)                           # (N, 2, P)
    y_weights = xp.stack([1 - ty, ty], axis=1)
    weight = (y_weights[:, :, None] * x_weights[:, None, :]).reshape(x.shape[0], 4, -1)
    W_padded = W + 2 * PAD
    nw = PAD * (W_padded + 1)
    offsets = (nw, nw + 1, nw + W_padded, nw + W_padded + 1)           # nw, ne, sw, se
    return Taps(_corner(y0, x0, H, W), offsets, weight, x_weights, y_weights, m_x, m_y)


def nearest_taps(grid, H, W, padding_mode, align_corners):
    """The one nearest-pixel tap of every grid point (round half to even)."""
    xp = get_array_module(grid)
    x, y, _, _ = padded_coordinates(grid, H, W, padding_mode, align_corners)
    corner = _corner(xp.rint(y), xp.rint(x), H, W)
    return Taps(corner, (PAD * (W + 2 * PAD + 1),), xp.ones((x.shape[0], 1, x.shape[1]), dtype=grid.dtype))
