"""T and TC: a digit at a random place on a large canvas, alone or among clutter (60x60).

Placement is a pure translation by a whole number of pixels o (the digit's top-left corner on
the canvas), written as an affine warp (see warps.py) whose shift is t = o - (S_out - S_in) / 2
from the centred position. Every output pixel centre then lands on an input pixel centre, so
the sampler copies the digit exactly (bilinear weights 0 and 1, up to rounding).

Clutter (TC) is six 6x6 pieces cut from other digits, pasted at random places: for piece k
(a loop over the six pieces, each one a whole batch at once) the same translation warp, with a
6x6 output, cuts a random window of a random digit, and fancy indexing pastes it at a random
canvas position. Pieces and digit are combined with a pixelwise max. The windows are cut from the
central 20x20 of the 28x28 frame, where the strokes are (a blank piece would not clutter).
"""
import numpy as np

from .. import functional as F
from ..backend import get_array_module
from .warps import _on_device, similarity_theta, warp


def _translate(images, offsets, out_size):
    """Copy each image (N, 1, S, S) to the canvas with its top-left corner at offsets (N, 2)
    = (x, y) in whole pixels."""
    N, S = images.shape[0], images.shape[-1]
    shift = offsets - (out_size - S) / 2
    theta = similarity_theta(np.zeros(N), np.ones(N), shift, S, out_size)
    grid = F.affine_grid(_on_device(images, theta), (N, 1, out_size, out_size), False)
    return warp(images, grid.data)


def translate(images, rng, out_size=60):
    """T: the 28x28 digit at a uniformly random whole-pixel position on a 60x60 canvas."""
    N, S = images.shape[0], images.shape[-1]
    return _translate(images, rng.integers(0, out_size - S + 1, (N, 2)).astype(float), out_size)


def _paste_max(canvas, pieces, top_left):
    """canvas[n, :, y:y+h, x:x+w] = max(canvas, pieces[n]) with (x, y) = top_left[n], for all n
    at once by fancy indexing (pieces (N, 1, h, w), top_left (N, 2) whole pixels)."""
    xp = get_array_module(canvas)
    N, _, h, w = pieces.shape
    top_left = xp.asarray(top_left)
    rows = (top_left[:, 1, None] + xp.arange(h))[:, :, None]      # (N, h, 1)
    cols = (top_left[:, 0, None] + xp.arange(w))[:, None, :]      # (N, 1, w)
    n = xp.arange(N)[:, None, None]
    canvas[n, 0, rows, cols] = xp.maximum(canvas[n, 0, rows, cols], pieces[:, 0])
    return canvas


def clutter(images, rng, pool=None, pieces=6, piece_size=6, out_size=60):
    """TC: T plus ``pieces`` random piece_size x piece_size crops of digits drawn from ``pool``
    (N', 1, 28, 28), default the batch itself."""
    pool = images if pool is None else pool
    N, S = images.shape[0], images.shape[-1]
    canvas = translate(images, rng, out_size)
    margin = (S - 20) // 2                                         # cut inside the central 20x20
    for _ in range(pieces):
        source = pool[_on_device(images, rng.integers(0, len(pool), N)).astype(np.int64)]
        crop = rng.integers(margin, S - margin - piece_size + 1, (N, 2))
        place = rng.integers(0, out_size - piece_size + 1, (N, 2))
        piece = _translate(source, -crop.astype(float), piece_size)   # (N, 1, 6, 6), exact copy
        canvas = _paste_max(canvas, piece, place)
    return canvas
