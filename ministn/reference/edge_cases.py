"""Builders of the edge cases in the bundle (bundle.py): case dicts for grid_sample and affine_grid.

Grid points are given per axis, in pixel units (``at``) or in normalised units (``values``), and
every combination of the axes' lists is sampled, so one case crosses e.g. every tie in x with
every tie in y. A case's sizes are chosen so that its delicate coordinates are exact in float64:
with align_corners=False, g = (2 i + 1)/n - 1 is exact for n a power of two; with True,
g = 2 i/(n - 1) - 1 is exact for n - 1 a power of two. Every case is seeded: the bundle is the
same file for file on every machine.
"""
import numpy as np


def normalised(i, n, align_corners):
    """Pixel coordinate -> grid value, the inverse of functional.coords.unnormalise."""
    i = np.asarray(i, dtype=np.float64)
    return 2 * i / (n - 1) - 1 if align_corners else (2 * i + 1) / n - 1


def _mesh(per_axis):
    """(*out, D) grid of every combination of the per-axis lists (x first), out = (.., y, x)."""
    mesh = np.meshgrid(*per_axis[::-1], indexing="ij")
    return np.stack(mesh[::-1], axis=-1)


def sampled(seed, sizes, mode, padding_mode, align_corners, at=None, values=None, N=2, C=2,
            input=None):
    """A grid_sample case on an input of spatial ``sizes`` ((H, W) or (D, H, W)).

    at: per-axis lists of pixel coordinates, x first; values: the same in normalised units."""
    rng = np.random.default_rng(seed)
    ns = list(sizes[::-1])                                  # x pairs with W, y with H, z with D
    if values is None:
        values = [normalised(at[a], ns[a], align_corners) for a in range(len(sizes))]
    mesh = _mesh([np.asarray(v, dtype=np.float64) for v in values])
    grid = np.broadcast_to(mesh, (N,) + mesh.shape).copy()
    return _with_upstream(rng, input if input is not None else
                          rng.standard_normal((N, C) + tuple(sizes)), grid, mode, padding_mode,
                          align_corners)


def scattered(seed, sizes, out, mode, padding_mode, align_corners, spread=1.3, N=2, C=3):
    """A grid_sample case with random points, uniform in [-spread, spread]."""
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((N, C) + tuple(sizes))
    grid = rng.uniform(-spread, spread, (N,) + tuple(out) + (len(sizes),))
    return _with_upstream(rng, U, grid, mode, padding_mode, align_corners)


def _with_upstream(rng, U, grid, mode, padding_mode, align_corners):
    N, C = U.shape[:2]
    return dict(input=U, grid=grid, grad_output=rng.standard_normal((N, C) + grid.shape[1:-1]),
                mode=mode, padding_mode=padding_mode, align_corners=align_corners)


def with_infinities(case, where):
    """The case with +inf (and -inf) written into its input at the index expressions ``where``."""
    U = case["input"].copy()
    for k, index in enumerate(where):
        U[index] = np.inf if k % 2 == 0 else -np.inf
    return dict(case, input=U)


def empty(sizes, out, mode="bilinear", N=1, C=2):
    """A case whose grid (or batch) is empty: out holds a 0, or N = 0."""
    grid = np.zeros((N,) + tuple(out) + (len(sizes),))
    return dict(input=np.ones((N, C) + tuple(sizes)), grid=grid, mode=mode,
                grad_output=np.ones((N, C) + tuple(out)))


def affine(seed, size, align_corners):
    """An affine_grid case: a rotation, shear and shift of 2x3 (or 3x4) theta per sample."""
    rng = np.random.default_rng(seed)
    D = len(size) - 2
    theta = np.concatenate([np.eye(D), np.zeros((D, 1))], axis=1)
    theta = theta + 0.3 * rng.standard_normal((size[0], D, D + 1))
    return dict(theta=theta, size=np.array(size), align_corners=align_corners,
                grad_output=rng.standard_normal(tuple(size[:1]) + tuple(size[2:]) + (D,)))


EPS = 2.0 ** -52
# Grid values at and around the image's ends: +-1 exactly, one ulp inside and outside, 1e-6 off.
AROUND_ONE = [-1 - 1e-6, -1 - 2 * EPS, -1, -1 + EPS, -1 + 1e-6, 0.3,
              1 - 1e-6, 1 - EPS, 1, 1 + 2 * EPS, 1 + 1e-6]
FAR = [-7.25, -3.5, -3.0, -1.5, 0.25, 1.5, 3.0, 3.5, 5.75, 1000.3]
HUGE = [-1e30, -1e10, -2.0**31, 0.1, 2.0**31, 1e10, 1e30]


def huge(padding_mode):
    """HUGE, without +-1e30 under reflection: folding 1e30 into a few pixels gives a position
    that depends on the fold's formula (ministn and PyTorch differ; docs §10.4)."""
    return HUGE[1:-1] if padding_mode == "reflection" else HUGE
