"""sampler_taps (docs §6-§8, §13): where grid_sample reads and with which weights. The taps,
read from a zero-padded image, give grid_sample's output; the flat tap index stays exact."""
import numpy as np
import pytest

from ministn.functional import grid_sample
from ministn.functional.coords import unnormalise_scale
from ministn.functional.sampler_taps import (PAD, make_taps, padded_coordinate, padded_shape,
                                             tap_index)

PADDINGS = ["zeros", "border", "reflection"]


def _read(taps, U):
    """V[n, c, p] = sum_t weight[n, t, p] * Ũ.flat[c S + index[n, t, p]], Ũ = U padded by PAD
    (the index already holds sample n's start, n C S)."""
    N, C = U.shape[:2]
    pad = [(0, 0), (0, 0)] + [(taps.pad, taps.pad)] * (U.ndim - 2)
    flat = np.pad(U, pad).reshape(-1)
    index = tap_index(taps)[:, None] + taps.image_size * np.arange(C).reshape(1, C, 1, 1)
    return (taps.weight[:, None] * flat[index]).sum(axis=2)                # (N, C, P)


@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_taps_read_from_the_padded_image_give_grid_sample(mode, padding_mode, align_corners):
    rng = np.random.default_rng(4)
    U, grid = rng.standard_normal((2, 3, 5, 6)), rng.uniform(-2.5, 2.5, (2, 4, 7, 2))
    taps = make_taps(grid, mode, padding_mode, align_corners, (5, 6), 3)
    expected = grid_sample(U, grid, mode, padding_mode, align_corners).data
    np.testing.assert_allclose(_read(taps, U).reshape(expected.shape), expected, rtol=0, atol=1e-13)


def test_bilinear_weights_are_products_of_axis_weights_and_sum_to_one():
    grid = np.random.default_rng(5).uniform(-1.5, 1.5, (3, 4, 5, 2))
    taps = make_taps(grid, "bilinear", "zeros", False, (6, 7), 1)
    y, x = taps.axes                                       # slowest axis first
    assert taps.weight.shape == (3, 4, 20) and (taps.weight >= 0).all()
    np.testing.assert_allclose(taps.weight.sum(axis=1), 1, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(taps.weight[:, 1], y.weight[:, 0] * x.weight[:, 1])   # (y0, x1)


def test_nearest_has_one_tap_of_weight_one_rounding_half_to_even():
    grid = np.array([[[[-0.5, 0.0], [0.0, 0.0]]]])            # x = 0.5 and 1.5 on a 4-wide row
    taps = make_taps(grid, "nearest", "zeros", False, (1, 4), 1)
    assert taps.weight.shape == (1, 1, 2) and (taps.weight == 1).all()
    W = 4 + 2 * PAD                                         # rint(0.5) = 0, rint(1.5) = 2
    np.testing.assert_array_equal(tap_index(taps)[0, 0], [PAD * W + PAD + 0, PAD * W + PAD + 2])


@pytest.mark.parametrize("padding_mode", PADDINGS)
def test_padded_coordinates_are_clamped_and_carry_the_chain_rule_scale(padding_mode):
    g = np.array([[1e30, -1e30, 0.2, 0.9, -0.95]])
    x, m = padded_coordinate(g, 5, padding_mode, True)
    m = np.broadcast_to(m, x.shape)                          # zeros: a number
    assert (x >= -PAD).all() and (x <= 5).all()
    assert set(np.abs(m).ravel()) <= {0.0, unnormalise_scale(5, True)}
    assert abs(m[0, 2]) == unnormalise_scale(5, True)        # g = 0.2: inside, slope (W - 1)/2


def test_padded_shape_adds_the_ring_on_every_side():
    assert padded_shape((28, 30)) == (28 + 2 * PAD, 30 + 2 * PAD)
    assert padded_shape((4, 5, 6), pad=3) == (10, 11, 12)


@pytest.mark.parametrize("dtype, size, far", [(np.float32, 4096, 4095), (np.float64, 4096, 4095),
                                              (np.float16, 64, 63)])
def test_tap_index_is_exact_past_the_floats_exact_integers(dtype, size, far):
    """The flat tap index (j + 2)(W + 4) + (i + 2) must be exact where the float type cannot hold
    it (float32 holds integers exactly only up to 2^24, float16 up to 2^11; 4097 * 4100 + 4097 =
    16,801,797 and 65 * 68 + 65 = 4485 are odd): each axis's position is converted to int64 on
    its own and the index formed in int64."""
    grid = np.array([[[[1, 1], [-1, -1]]]], dtype)        # the far corner and pixel (0, 0)
    taps = make_taps(grid, "nearest", "zeros", True, (size, size), 1)
    W = size + 4
    assert tap_index(taps).dtype == np.int64
    assert tap_index(taps).reshape(-1).tolist() == [(far + 2) * W + far + 2, 2 * W + 2]
    taps = make_taps(grid.astype(dtype), "bilinear", "border", True, (27, 28), 3)  # 27x28 image
    assert tap_index(taps)[0, :, 1].tolist() == [2 * 32 + 2, 2 * 32 + 3, 3 * 32 + 2, 3 * 32 + 3]
