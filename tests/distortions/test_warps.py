"""ministn.distortions: the paper's distorted MNIST, built with ministn's grids and sampler."""
import numpy as np
import pytest

from ministn.data import BUNDLED_DIR, load_mnist, to_float
from ministn.distortions import (DISTORTIONS, distort, distort_fixed, elastic, canvas_size,
                                 projective, rotate_by, rotate_translate_scale)
from ministn.distortions.placement import _paste_max, _translate, clutter, translate
from ministn.distortions.warps import (_homography_to, _min_denominator, similarity_theta,
                                       warp)
from ministn import functional as F


@pytest.fixture(scope="module")
def digits():
    return to_float(load_mnist(BUNDLED_DIR, train_size=16, test_size=1).train_images)


@pytest.mark.parametrize("name", list(DISTORTIONS))
def test_each_distortion_gives_its_canvas_in_range_and_is_seeded(digits, name):
    out = distort(name, digits, np.random.default_rng(1))
    S = canvas_size(name)
    assert out.shape == (16, 1, S, S) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1 + 1e-6
    np.testing.assert_array_equal(out, distort(name, digits, np.random.default_rng(1)))
    if name != "none":
        assert not np.array_equal(out, distort(name, digits, np.random.default_rng(2)))
        twins = distort(name, np.repeat(digits[:1], 2, axis=0), np.random.default_rng(1))
        assert not np.array_equal(twins[0], twins[1])      # each sample draws its own warp


def test_unknown_distortion_is_named():
    with pytest.raises(ValueError, match="unknown distortion 'X'; choose one of none, augment, R"):
        canvas_size("X")


def test_a_quarter_turn_is_rot90_clockwise_as_displayed(digits):
    theta = similarity_theta(np.full(16, np.pi / 2), np.ones(16), np.zeros((16, 2)), 28, 28)
    grid = F.affine_grid(theta.astype(np.float32), digits.shape).data
    np.testing.assert_allclose(warp(digits, grid), np.rot90(digits, k=-1, axes=(2, 3)), atol=1e-5)


def test_rotate_by_turns_each_digit_by_its_angle(digits):
    out = rotate_by(digits[:2], [90.0, 0.0])
    np.testing.assert_allclose(out[0], np.rot90(digits[0], k=-1, axes=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(out[1], digits[1], atol=1e-5)


def test_whole_pixel_translation_copies_the_digit_exactly(digits):
    canvas = _translate(digits[:2], np.array([[3.0, 10.0], [32.0, 0.0]]), 60)
    np.testing.assert_allclose(canvas[0, 0, 10:38, 3:31], digits[0, 0], atol=1e-5)
    np.testing.assert_allclose(canvas[1, 0, 0:28, 32:60], digits[1, 0], atol=1e-5)
    assert np.allclose(canvas.sum(axis=(1, 2, 3)), digits[:2].sum(axis=(1, 2, 3)), rtol=1e-5)


def test_translate_keeps_every_digit_whole_on_the_canvas(digits):
    canvas = translate(digits, np.random.default_rng(0))
    np.testing.assert_allclose(canvas.sum(axis=(1, 2, 3)), digits.sum(axis=(1, 2, 3)), rtol=1e-4)


def test_rts_without_rotation_or_scaling_only_moves_the_digit(digits):
    out = rotate_translate_scale(digits, np.random.default_rng(0), degrees=0.0, scale=(1.0, 1.0))
    # pure translation: every input pixel's bilinear weights sum to 1, so ink is conserved
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), digits.sum(axis=(1, 2, 3)), rtol=1e-4)


def test_clutter_adds_pieces_around_the_translated_digit(digits):
    plain = translate(digits, np.random.default_rng(5))
    cluttered = clutter(digits, np.random.default_rng(5))      # same first draws: same placement
    assert np.all(cluttered >= plain - 1e-6)
    assert np.all((cluttered - plain).sum(axis=(1, 2, 3)) > 0)


def test_paste_max_puts_each_piece_at_its_place():
    canvas = np.zeros((2, 1, 10, 10), np.float32)
    canvas[1, 0, 0, 0] = 0.9
    pieces = np.full((2, 1, 3, 3), 0.5, np.float32)
    out = _paste_max(canvas, pieces, np.array([[1, 2], [0, 0]]))   # (x, y)
    assert out[0, 0, 2:5, 1:4].min() == 0.5 and out[0].sum() == pytest.approx(4.5)
    assert out[1, 0, 0, 0] == pytest.approx(0.9) and out[1].sum() == pytest.approx(0.9 + 8 * 0.5)


def test_homography_maps_the_corners_where_asked():
    rng = np.random.default_rng(0)
    src = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float) * 0.8 + rng.normal(0, 0.1, (5, 4, 2))
    dst = np.broadcast_to(np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float), src.shape)
    h = _homography_to(src, dst)
    H = np.concatenate([h, np.ones((5, 1))], axis=1).reshape(5, 3, 3)
    p = np.einsum("nij,nkj->nki", H, np.concatenate([src, np.ones((5, 4, 1))], axis=2))
    np.testing.assert_allclose(p[..., :2] / p[..., 2:], dst, atol=1e-12)


def test_projective_redraws_warps_that_would_fold(digits):
    out = projective(digits, np.random.default_rng(0), sigma=12.0)   # wild corners, still valid
    assert np.isfinite(out).all()
    h = np.array([[1, 0, 0, 0, 1, 0, 0.7, 0.5]])
    assert _min_denominator(h, 28) < 0                          # what the redraw catches


def test_elastic_with_no_noise_and_no_scaling_is_the_identity(digits):
    out = elastic(digits, np.random.default_rng(0), scale=(1.0, 1.0), sigma=0.0)
    np.testing.assert_allclose(out, digits, atol=1e-5)


def test_fixed_test_set_is_reproducible_and_chunk_seeded(digits):
    a = distort_fixed("RTS", digits, chunk=8)
    np.testing.assert_array_equal(a, distort_fixed("RTS", digits, chunk=8))
    np.testing.assert_array_equal(a[8:], distort("RTS", digits[8:], np.random.default_rng([2015, 1]),
                                                 pool=digits))
    assert distort_fixed("augment", digits) is digits            # no augmentation at test time
