"""What a spatial transformer's regression output means: one parameterisation per transform.

For each transform, the regression layer predicts a (N, P); ``to_generator`` turns a into the
grid generator's argument and ``identity`` is the a that means "no transform" (the regression
bias at initialisation).

    affine       P = 6   theta = a.reshape(N, 2, 3), rows (x, y)        identity (1, 0, 0, 0, 1, 0)
    attention    P = 3   a = (s, tx, ty):                                 identity (1, 0, 0)
                         theta = [[s, 0, tx],
                                  [0, s, ty]]      isotropic scale + translation (paper, 3.2)
    rotation-scale-translation
                 P = 4   a = (p, q, tx, ty), p = s cos(r), q = s sin(r):  identity (1, 0, 0, 0)
                         theta = [[p, -q, tx],
                                  [q,  p, ty]]       rotation by r, scale s, translation
                         (``rotation_and_scale`` reads r and s back: r = atan2(q, p), s = |(p, q)|)
    projective   P = 8   h = (a1..a6, c tanh(a7), c tanh(a8)), h33 = 1, c = 0.45.
                         |h31| + |h32| < 2c < 1 keeps the denominator w > 0 on every output
                         grid (docs §4.3), so training can never make perspective_grid fail;
                         tanh'(0) = 1, so near the identity (1, 0, 0, 0, 1, 0, 0, 0) the
                         parameters act linearly.
    tps          P = 2K  offsets (N, K, 2), interleaved (x, y) per control point, in the lattice
                         order of tps_grid.                                identity: zeros

The two constrained transforms are linear in a: theta = a B with a constant basis B (P, 6),
built with ministn's differentiable matmul and reshape, so their backward pass is matmul's,
dL/da = dL/dtheta B^T. Writing rotation-scale-translation through (p, q) rather than (r, s)
keeps it linear: no angle wraps around, and s = 0 is the only degenerate point.
"""
import numpy as np

from .. import functional as F

PROJECTIVE_BOUND = 0.45  # c in h31 = c tanh(a7), h32 = c tanh(a8)

# theta (flattened: t11 t12 t13 t21 t22 t23) = a @ BASIS[name]
BASIS = {
    "attention": np.array([[1, 0, 0, 0, 1, 0],           # s  -> t11, t22
                           [0, 0, 1, 0, 0, 0],           # tx -> t13
                           [0, 0, 0, 0, 0, 1]], float),  # ty -> t23
    "rotation-scale-translation": np.array([[1, 0, 0, 0, 1, 0],      # p  -> t11, t22
                                            [0, -1, 0, 1, 0, 0],     # q  -> -t12, t21
                                            [0, 0, 1, 0, 0, 0],      # tx -> t13
                                            [0, 0, 0, 0, 0, 1]], float),  # ty -> t23
}
TRANSFORMS = ("affine", "projective", "tps", "attention", "rotation-scale-translation")
AFFINE_FAMILY = ("affine", "attention", "rotation-scale-translation")  # drawn by affine_grid


def identity(transform, grid_size=4):
    """The regression output that means "no transform"."""
    if transform == "affine":
        return np.array([1, 0, 0, 0, 1, 0], dtype=float)
    if transform == "projective":
        return np.array([1, 0, 0, 0, 1, 0, 0, 0], dtype=float)
    if transform == "tps":
        return np.zeros(2 * grid_size ** 2)
    return np.eye(len(BASIS[transform]))[0]              # (1, 0, ...): s = 1 or p = 1


def to_generator(transform, a, grid_size=4):
    """Regression output a (N, P) -> theta (N, 2, 3), the homography (N, 8) or offsets (N, K, 2)."""
    N = a.shape[0]
    if transform == "affine":
        return a.reshape(N, 2, 3)
    if transform in BASIS:
        return F.matmul(a, BASIS[transform]).reshape(N, 2, 3)
    if transform == "projective":
        # h = a on the first six entries, c tanh(a) on the last two: a mask selects each part
        linear_part = np.array([1, 1, 1, 1, 1, 1, 0, 0], dtype=a.dtype)
        bounded_part = PROJECTIVE_BOUND * (1 - linear_part)
        return a * linear_part + F.tanh(a) * bounded_part
    return a.reshape(N, grid_size ** 2, 2)


def grid(transform, params, size, align_corners, grid_size=4):
    """The sampling grid (N, H_out, W_out, 2) of the generator's argument ``params``."""
    if transform in AFFINE_FAMILY:
        return F.affine_grid(params, size, align_corners)
    if transform == "projective":
        return F.perspective_grid(params, size, align_corners)
    return F.tps_grid(params, size, align_corners, grid_size)


def rotation_and_scale(theta):
    """(angle r in radians, scale s) of similarity thetas (N, 2, 3): r = atan2(t21, t11)."""
    theta = np.asarray(theta)
    return np.arctan2(theta[:, 1, 0], theta[:, 0, 0]), np.hypot(theta[:, 0, 0], theta[:, 1, 0])
