"""Random warps of a batch of digits, built with ministn's own grid generators and sampler.

Everything is inverse warping, as in the spatial transformer: for each output pixel we say where
to read the input. In pixel units measured from the image centre (u = x * S / 2 for a
normalised coordinate x on an S-pixel axis, align_corners=False), a digit that is scaled by s,
rotated by a and shifted by t on the output canvas is read back through

    u_source = R(-a) (u_target - t) / s
    theta    = [ (S_out / S_in) R(-a) / s  |  -(2 / S_in) R(-a) t / s ]      (2 x 3, normalised)

The random numbers come from a NumPy Generator (seeded by the caller); the parameters are
drawn for the whole batch at once, the grids are built on the images' device, and one
grid_sample warps the batch, so there is no loop over samples. Pixels that come from outside
the digit read 0, the black background of raw MNIST pixels.
"""
import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..backend import get_array_module


def warp(images, grid):
    """grid_sample of raw arrays (no graph): images (N, C, H, W), grid (N, H', W', 2)."""
    with no_grad():
        return F.grid_sample(images, grid, "bilinear", "zeros", False).data


def _on_device(images, array):
    return get_array_module(images).asarray(array, dtype=images.dtype)


def _rotations(angle):
    """R(-a) for each angle (radians): (N, 2, 2), acting on (x, y) pixel offsets."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], -2)


def similarity_theta(angle, scale, shift, in_size, out_size):
    """theta (N, 2, 3) that rotates by ``angle`` (rad), scales by ``scale`` and shifts the content
    by ``shift`` (N, 2) pixels (x, y) while mapping an in_size image onto an out_size canvas."""
    A = _rotations(angle) / scale[:, None, None]                  # (N, 2, 2), pixel units
    b = -np.einsum("nij,nj->ni", A, shift)
    return np.concatenate([A * (out_size / in_size), (2.0 / in_size) * b[:, :, None]], axis=2)


def affine_warp(images, rng, degrees, scale=(1.0, 1.0), shift=0.0, out_size=None):
    """Rotate by U(-degrees, degrees), scale by U(*scale), shift by U(-shift, shift) px per axis.

    images: (N, 1, S, S) floats in [0, 1]; returns (N, 1, out_size, out_size) (default S).
    """
    N, C, S = images.shape[0], images.shape[1], images.shape[-1]
    out_size = out_size or S
    angle = np.deg2rad(rng.uniform(-degrees, degrees, N))
    s = rng.uniform(*scale, N)
    t = rng.uniform(-shift, shift, (N, 2))
    theta = similarity_theta(angle, s, t, S, out_size)
    grid = F.affine_grid(_on_device(images, theta), (N, C, out_size, out_size), False)
    return warp(images, grid.data)


def rotate_by(images, degrees):
    """Rotate each image by its own, given angle: degrees is a number or an array (N,).
    Positive angles turn the digit clockwise as displayed (row 0 at the top)."""
    N, C, S = images.shape[0], images.shape[1], images.shape[-1]
    angle = np.deg2rad(np.broadcast_to(np.asarray(degrees, dtype=float), (N,)))
    theta = similarity_theta(angle, np.ones(N), np.zeros((N, 2)), S, S)
    grid = F.affine_grid(_on_device(images, theta), (N, C, S, S), False)
    return warp(images, grid.data)


def rotate(images, rng, degrees=90.0):
    """R: rotation by an angle uniform in [-90, 90] degrees, 28x28 (paper section 4.1)."""
    return affine_warp(images, rng, degrees)


def rotate_translate_scale(images, rng, degrees=45.0, scale=(0.7, 1.2), out_size=42):
    """RTS: rotation in [-45, 45] degrees, scale in [0.7, 1.2], placed at a uniformly random
    position on a 42x42 canvas (the scaled 28x28 frame stays inside the canvas)."""
    N, S = images.shape[0], images.shape[-1]
    s = rng.uniform(*scale, N)
    room = (out_size - s * S) / 2                                  # free space on each side, px
    t = rng.uniform(-1, 1, (N, 2)) * room[:, None]
    angle = np.deg2rad(rng.uniform(-degrees, degrees, N))
    theta = similarity_theta(angle, s, t, S, out_size)
    grid = F.affine_grid(_on_device(images, theta), (N, 1, out_size, out_size), False)
    return warp(images, grid.data)


def _homography_to(points_from, points_to):
    """H (N, 8), h33 = 1, with H(points_from[k]) = points_to[k] for the 4 points (N, 4, 2)."""
    x, y = points_from[..., 0], points_from[..., 1]
    X, Y = points_to[..., 0], points_to[..., 1]
    one, zero = np.ones_like(x), np.zeros_like(x)
    # X (h31 x + h32 y + 1) = h11 x + h12 y + h13, and likewise for Y: 8 linear equations
    rows_x = np.stack([x, y, one, zero, zero, zero, -x * X, -y * X], -1)
    rows_y = np.stack([zero, zero, zero, x, y, one, -x * Y, -y * Y], -1)
    A = np.concatenate([rows_x, rows_y], axis=1)                   # (N, 8, 8)
    return np.linalg.solve(A, np.concatenate([X, Y], axis=1)[..., None])[..., 0]


def _min_denominator(h, size):
    """min over the output canvas of w = h31 x + h32 y + 1 (affine, so at its corners)."""
    edge = (size - 1) / size                                       # outermost pixel centre
    return 1 - edge * (np.abs(h[:, 6]) + np.abs(h[:, 7]))


def projective(images, rng, scale=(0.75, 1.0), sigma=5.0, min_w=0.2):
    """P: scale in [0.75, 1.0], then each corner moved by N(0, sigma = 5 px): the projective map
    that takes the image's corners there. Draws whose horizon line comes near the canvas
    (w < min_w at a corner) are drawn again, so every warp is a proper, unfolded quadrilateral."""
    N, S = images.shape[0], images.shape[-1]
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
    h = np.zeros((N, 8))
    todo = np.arange(N)
    for _ in range(100):                                           # rejection rounds, not samples
        s = rng.uniform(*scale, len(todo))
        moved = corners * s[:, None, None] + rng.normal(0, sigma * 2 / S, (len(todo), 4, 2))
        h[todo] = _homography_to(moved, np.broadcast_to(corners, moved.shape))
        todo = todo[_min_denominator(h[todo], S) < min_w]
        if todo.size == 0:
            break
    h[todo] = [1, 0, 0, 0, 1, 0, 0, 0]                             # (never reached in practice)
    grid = F.perspective_grid(_on_device(images, h), (N, 1, S, S), False)
    return warp(images, grid.data)


def elastic(images, rng, scale=(0.75, 1.0), sigma=1.5, grid_size=4):
    """E: scale in [0.75, 1.0], then the 16 points of a 4x4 thin-plate-spline lattice moved by
    N(0, sigma = 1.5 px): grid = tps_grid(offsets) / s."""
    N, S = images.shape[0], images.shape[-1]
    offsets = rng.normal(0, sigma * 2 / S, (N, grid_size ** 2, 2))
    s = rng.uniform(*scale, N)
    grid = F.tps_grid(_on_device(images, offsets), (N, 1, S, S), False, grid_size).data
    return warp(images, grid / _on_device(images, s)[:, None, None, None])
