"""Hypothesis strategies for 5-D sampling and bicubic: inputs built away from every kink (docs §12.2).

Trilinear and nearest have their kinks per axis where 2-D bilinear and nearest have them, and
bicubic (whose interpolant is C1, docs §15.2) has its breakpoints at integer pixel coordinates
only; so every coordinate is built as spatial_strategies builds it, k + f with f away from 0,
1 (and 1/2 for nearest).
"""
import numpy as np
from hypothesis import strategies as st

from spatial_strategies import PADDINGS, kink_free_coordinate

VOLUME_MODES = ("bilinear", "nearest")
VOLUME_COMBINATIONS = [(m, p, a) for m in VOLUME_MODES for p in PADDINGS for a in (True, False)]
BICUBIC_COMBINATIONS = [(p, a) for p in PADDINGS for a in (True, False)]


@st.composite
def volume_case(draw, mode, padding_mode, align_corners, max_size=4):
    """(U (N, C, D, H, W), grid (N, D_out, H_out, W_out, 3)) in float64, last axis (x, y, z)."""
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    D, H, W = (draw(st.integers(1, max_size)) for _ in range(3))
    out = tuple(draw(st.integers(1, 3)) for _ in range(3))
    U = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).standard_normal((N, C, D, H, W))
    points = [[draw(kink_free_coordinate(n, align_corners, mode)) for n in (W, H, D)]
              for _ in range(N * int(np.prod(out)))]
    return U, np.array(points, dtype=np.float64).reshape(N, *out, 3)
