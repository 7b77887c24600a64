"""sampler_taps (docs §6-§8): where grid_sample reads and with which weights. The taps, read
from a zero-padded image, give grid_sample's output; the flat corner index stays exact."""
import numpy as np
import pytest

from ministn.functional import grid_sample
from ministn.functional.coords import unnormalise_scale
from ministn.functional.sampler_taps import (PAD, _corner, bilinear_taps, nearest_taps,
                                             padded_coordinates, padded_shape)

PADDINGS = ["zeros", "border", "reflection"]


def _read(taps, U):
    """V[n, c, p] = sum_t weight[n, t, p] * Ũ[n, c, corner[n, p] + offset_t], Ũ = U padded by PAD."""
    N, C, H, W = U.shape
    padded = np.pad(U, ((0, 0), (0, 0), (PAD, PAD), (PAD, PAD))).reshape(N, C, -1)
    V = 0
    for t, offset in enumerate(taps.offsets):
        index = np.broadcast_to((taps.corner + offset)[:, None], (N, C, taps.corner.shape[1]))
        V = V + taps.weight[:, None, t] * np.take_along_axis(padded, index, axis=2)
    return V


@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode, taps_of", [("bilinear", bilinear_taps), ("nearest", nearest_taps)])
def test_taps_read_from_the_padded_image_give_grid_sample(mode, taps_of, padding_mode, align_corners):
    rng = np.random.default_rng(4)
    U, grid = rng.standard_normal((2, 3, 5, 6)), rng.uniform(-2.5, 2.5, (2, 4, 7, 2))
    taps = taps_of(grid, 5, 6, padding_mode, align_corners)
    expected = grid_sample(U, grid, mode, padding_mode, align_corners).data
    np.testing.assert_allclose(_read(taps, U).reshape(expected.shape), expected, rtol=0, atol=1e-13)


def test_bilinear_weights_are_products_of_axis_weights_and_sum_to_one():
    grid = np.random.default_rng(5).uniform(-1.5, 1.5, (3, 4, 5, 2))
    taps = bilinear_taps(grid, 6, 7, "zeros", False)
    assert taps.weight.shape == (3, 4, 20) and len(taps.offsets) == 4
    assert (taps.weight >= 0).all()
    np.testing.assert_allclose(taps.weight.sum(axis=1), 1, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(taps.weight[:, 1], taps.y_weights[:, 0] * taps.x_weights[:, 1])  # ne


def test_nearest_has_one_tap_of_weight_one_rounding_half_to_even():
    grid = np.array([[[[-0.5, 0.0], [0.0, 0.0]]]])            # x = 0.5 and 1.5 on a 4-wide row
    taps = nearest_taps(grid, 1, 4, "zeros", False)
    assert taps.weight.tolist() == [[[1.0, 1.0]]] and taps.x_weights is None
    np.testing.assert_array_equal(taps.corner, [[0, 2]])   # rint(0.5) = 0, rint(1.5) = 2


@pytest.mark.parametrize("padding_mode", PADDINGS)
def test_padded_coordinates_are_clamped_and_carry_the_chain_rule_scale(padding_mode):
    grid = np.array([1e30, -1e30, 0.2, 0.9, -0.95, 0.3]).reshape(1, 1, 3, 2)
    x, y, m_x, m_y = padded_coordinates(grid, 4, 5, padding_mode, True)
    m_x, m_y = np.broadcast_to(m_x, x.shape), np.broadcast_to(m_y, y.shape)   # zeros: a number
    assert (x >= -PAD).all() and (x <= 5).all() and (y >= -PAD).all() and (y <= 4).all()
    assert set(np.abs(m_x).ravel()) <= {0.0, unnormalise_scale(5, True)}
    assert set(np.abs(m_y).ravel()) <= {0.0, unnormalise_scale(4, True)}
    assert abs(m_x[0, 1]) == unnormalise_scale(5, True)          # x = 0.2: inside, slope (W - 1)/2


def test_padded_shape_adds_the_ring_on_every_side():
    assert padded_shape(28, 30) == (28 + 2 * PAD, 30 + 2 * PAD)


@pytest.mark.parametrize("dtype, size, far", [(np.float32, 4096, 4095), (np.float64, 4096, 4095),
                                              (np.float16, 64, 63)])
def test_tap_corner_index_is_exact_past_the_floats_exact_integers(dtype, size, far):
    """The corner index j (W + 4) + i is summed in floating point. float32 holds integers exactly
    only up to 2^24 and float16 up to 2^11, so past that (4095 * 4100 + 4095 = 16,793,595 and
    63 * 68 + 63 = 4347 are odd) the sum must be formed in float64."""
    j, i = np.array([[far, -2, 7]], dtype), np.array([[far, -2, 3]], dtype)
    W = size + 4
    expected = np.array([[far * W + far, -2 * W - 2, 7 * W + 3]])
    assert np.array_equal(_corner(j, i, size, size), expected)
    j, i = np.array([[27, -2, 7]], dtype), np.array([[28, -2, 3]], dtype)      # a 27x28 image
    assert np.array_equal(_corner(j, i, 27, 28), j.astype(np.int64) * 32 + i.astype(np.int64))
