"""Hypothesis strategies for the spatial ops: inputs built away from every kink (docs §12.2).

The sampler is piecewise polynomial in the grid, with kinks where a coordinate crosses an
integer pixel position (a new pair of neighbours), a clip boundary or a mirror plane, and, for
nearest, a rounding boundary at k + 1/2. Every one of them sits at an integer or half-integer
pixel coordinate (or, for align_corners=False reflection, inside a flat zone where both sides
agree). So grid values are *built* as normalise(k + f), k an integer cell and f in [δ, 1 - δ]
(nearest: also |f - 1/2| >= δ), δ = 1e-3 pixel: central differences with a step of 1e-6 in
normalised units (at most 3e-6 pixel here) never straddle a kink.
"""
import numpy as np
from hypothesis import strategies as st

DELTA = 1e-3  # distance from any kink, in pixels
MODES = ("bilinear", "nearest")
PADDINGS = ("zeros", "border", "reflection")
COMBINATIONS = [(m, p, a) for m in MODES for p in PADDINGS for a in (True, False)]


def normalise(i, n, align_corners):
    """Pixel coordinate -> normalised grid value (the inverse of unnormalise)."""
    if align_corners:
        return 2 * i / (n - 1) - 1
    return (2 * i + 1) / n - 1


@st.composite
def fractions(draw, mode):
    """f in [δ, 1 - δ]; for nearest also away from 1/2 (its rounding boundary)."""
    if mode == "nearest":
        f = draw(st.floats(DELTA, 0.5 - DELTA))
        return f + 0.5 * draw(st.integers(0, 1))
    return draw(st.floats(DELTA, 1 - DELTA))


@st.composite
def kink_free_coordinate(draw, n, align_corners, mode):
    """One normalised value whose pixel coordinate is k + f, k from 2 pixels left of the image
    to 2 right (so every padding regime and, for reflection, a fold, are exercised)."""
    if align_corners and n == 1:  # the scale is 0: every value samples pixel 0
        return draw(st.floats(-2.0, 2.0))
    k = draw(st.integers(-3, n + 1))
    return normalise(k + draw(fractions(mode)), n, align_corners)


@st.composite
def sampler_case(draw, mode, padding_mode, align_corners, max_size=5):
    """(U, grid) in float64 with odd/even/non-square input and an independent output size."""
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    H, W = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    H_out, W_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    U = np.random.default_rng(seed).standard_normal((N, C, H, W))
    coordinates = [[draw(kink_free_coordinate(W, align_corners, mode)),
                    draw(kink_free_coordinate(H, align_corners, mode))]
                   for _ in range(N * H_out * W_out)]
    grid = np.array(coordinates, dtype=np.float64).reshape(N, H_out, W_out, 2)
    return U, grid


@st.composite
def output_sizes(draw, max_size=5):
    N = draw(st.integers(1, 2))
    return N, draw(st.integers(1, 2)), draw(st.integers(1, max_size)), draw(st.integers(1, max_size))


def arrays(draw, shape, scale=1.0):
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return scale * np.random.default_rng(seed).standard_normal(shape)


@st.composite
def thetas(draw, N):
    """Affine matrices near the identity, (N, 2, 3)."""
    return np.eye(2, 3) + arrays(draw, (N, 2, 3), 0.3)


@st.composite
def homographies(draw, N, eight=False):
    """Homographies with |h31| + |h32| <= 0.5: w >= 0.5 on the base square (docs §4.3, §12.2)."""
    H = np.eye(3) + arrays(draw, (N, 3, 3), 0.2)
    h3 = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).uniform(-0.25, 0.25, (N, 2))
    H[:, 2, :2], H[:, 2, 2] = h3, 1.0
    return np.ascontiguousarray(H.reshape(N, 9)[:, :8]) if eight else H


@st.composite
def tps_offsets(draw, N, grid_size):
    """Control-point offsets of size <= 0.3 (docs §12.2)."""
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return np.random.default_rng(seed).uniform(-0.3, 0.3, (N, grid_size ** 2, 2))
