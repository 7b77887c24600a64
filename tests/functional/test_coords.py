"""coords (docs §2, §6.1): normalised <-> pixel coordinates, the base grid, and the padding maps
with their derivatives, checked against their definitions and central differences."""
import numpy as np
import pytest

from ministn.functional.coords import (base_axis, base_grid, clip_coordinate, pad_coordinate,
                                       reflect_coordinate, unnormalise, unnormalise_scale)

ALIGN = pytest.mark.parametrize("align_corners", [True, False])
SIZES = pytest.mark.parametrize("n", [1, 2, 3, 4, 7])


# Row 1: the base grid (docs §2.2 table, float64, as PyTorch returns it). ministn's closed forms
# are correctly rounded; PyTorch's linspace can be one ulp off (n = 4: -0.33333333333333337).
@pytest.mark.parametrize("n, aligned, unaligned", [
    (1, [0], [0]),
    (2, [-1, 1], [-0.5, 0.5]),
    (3, [-1, 0, 1], [-2 / 3, 0, 2 / 3]),
    (4, [-1, -0.33333333333333337, 0.33333333333333337, 1], [-0.75, -0.25, 0.25, 0.75]),
    (5, [-1, -0.5, 0, 0.5, 1], [-0.8, -0.4, 0, 0.4, 0.8]),
])
def test_row1_base_grid_matches_the_table_of_section_2_2(n, aligned, unaligned):
    np.testing.assert_array_max_ulp(base_axis(n, True), np.array(aligned, dtype=float), maxulp=1)
    np.testing.assert_array_max_ulp(base_axis(n, False), np.array(unaligned, dtype=float), maxulp=1)
    assert base_axis(n, True).tolist() == [(2 * j - (n - 1)) / (n - 1) if n > 1 else 0 for j in range(n)]


@ALIGN
@SIZES
def test_base_axis_is_the_pixel_centres(n, align_corners):
    """Unnormalised, the base grid is 0, 1, ..., n - 1: each output pixel's own centre."""
    np.testing.assert_allclose(unnormalise(base_axis(n, align_corners), n, align_corners),
                               np.arange(n), rtol=0, atol=1e-14)


@pytest.mark.parametrize("align_corners, ends", [(True, (0, 6)), (False, (-0.5, 6.5))])
def test_the_ends_are_the_corner_centres_or_the_outer_edges(align_corners, ends):
    assert tuple(unnormalise(np.array([-1.0, 1.0]), 7, align_corners)) == ends


@ALIGN
@SIZES
def test_unnormalise_scale_is_the_derivative_of_unnormalise(n, align_corners):
    g, h = np.linspace(-3, 3, 13), 1e-6
    slope = (unnormalise(g + h, n, align_corners) - unnormalise(g - h, n, align_corners)) / (2 * h)
    np.testing.assert_allclose(slope, unnormalise_scale(n, align_corners), rtol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_base_grid_rows_are_homogeneous_points_width_fastest(dtype):
    B = base_grid(2, 3, False, dtype=dtype)
    assert B.shape == (6, 3) and B.dtype == dtype
    x, y = base_axis(3, False), base_axis(2, False)
    expected = [[x[w], y[h], 1] for h in range(2) for w in range(3)]
    np.testing.assert_array_equal(B, np.array(expected, dtype=dtype))


def test_clip_is_the_identity_inside_with_derivative_zero_at_and_beyond_the_ends():
    i = np.array([-2.0, 0.0, 0.5, 3.0, 4.0, 9.0])
    x, mu = clip_coordinate(i, 5)
    assert x.tolist() == [0, 0, 0.5, 3, 4, 4] and mu.tolist() == [0, 0, 1, 1, 0, 0]


def _fold_by_parity(i, n, align_corners):
    """docs §6.1 as written there: k = floor(|d| / span) folds, the remainder taken forwards for
    even k and backwards for odd k, and dr/di = sign(d) (-1)^k."""
    lo, hi = (0.0, n - 1.0) if align_corners else (-0.5, n - 0.5)
    span = hi - lo
    d = i - lo
    k = np.floor(np.abs(d) / span)
    rest = np.fmod(np.abs(d), span)
    even = k % 2 == 0
    return np.where(even, lo + rest, hi - rest), np.sign(d) * np.where(even, 1.0, -1.0)


@ALIGN
@pytest.mark.parametrize("n", [2, 3, 5])
def test_reflection_is_the_parity_fold_and_its_sign_the_derivative(n, align_corners):
    lo, hi = (0.0, n - 1.0) if align_corners else (-0.5, n - 0.5)
    i = np.random.default_rng(n).uniform(-5 * n, 5 * n, 4000)
    distance = np.abs((i - lo) / (hi - lo) - np.rint((i - lo) / (hi - lo))) * (hi - lo)
    i = i[distance > 1e-3]                                     # away from the mirror planes
    r, sign = reflect_coordinate(i, n, align_corners)
    expected_r, expected_sign = _fold_by_parity(i, n, align_corners)
    np.testing.assert_allclose(r, expected_r, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(sign, expected_sign)
    assert (r >= lo).all() and (r <= hi).all()
    h = 1e-6
    slope = (reflect_coordinate(i + h, n, align_corners)[0] - reflect_coordinate(i - h, n, align_corners)[0]) / (2 * h)
    np.testing.assert_allclose(slope, sign, rtol=0, atol=1e-6)


def test_reflection_of_a_single_aligned_pixel_is_that_pixel_with_derivative_zero():
    r, sign = reflect_coordinate(np.array([-3.0, 0.0, 2.5]), 1, True)
    assert r.tolist() == [0, 0, 0] and sign.tolist() == [0, 0, 0]


@ALIGN
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_pad_coordinate_derivative_matches_central_differences(padding_mode, align_corners):
    n, h = 4, 1e-6
    i = np.random.default_rng(1).uniform(-9, 12, 2000)
    kinks = np.arange(-20, 21) * 0.5                  # every mirror plane and clip end lies on one
    i = i[np.abs(i[:, None] - kinks).min(axis=1) > 1e-3]
    x, mu = pad_coordinate(i, n, padding_mode, align_corners)
    slope = (pad_coordinate(i + h, n, padding_mode, align_corners)[0]
             - pad_coordinate(i - h, n, padding_mode, align_corners)[0]) / (2 * h)
    np.testing.assert_allclose(slope, np.broadcast_to(mu, i.shape), rtol=0, atol=1e-6)
    if padding_mode != "zeros":                       # both end in the clip to [0, n - 1]
        assert (x >= 0).all() and (x <= n - 1).all()


def test_pad_coordinate_names_an_unknown_padding_mode():
    with pytest.raises(ValueError, match=r"padding_mode must be one of .*got 'wrap'"):
        pad_coordinate(np.zeros(2), 4, "wrap", True)
