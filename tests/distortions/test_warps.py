"""The warps (rotation, rotation-translation-scale, projective, elastic), built with ministn's grids
and sampler: quarter turns are rot90, pure translations conserve ink, homographies hit their corners."""
import numpy as np

from ministn import functional as F
from ministn.distortions import elastic, projective, rotate_by, rotate_translate_scale
from ministn.distortions.warps import _homography_to, _min_denominator, similarity_theta, warp


def test_a_quarter_turn_is_rot90_clockwise_as_displayed(digits):
    theta = similarity_theta(np.full(16, np.pi / 2), np.ones(16), np.zeros((16, 2)), 28, 28)
    grid = F.affine_grid(theta.astype(np.float32), digits.shape).data
    np.testing.assert_allclose(warp(digits, grid), np.rot90(digits, k=-1, axes=(2, 3)), atol=1e-5)


def test_rotate_by_turns_each_digit_by_its_angle(digits):
    out = rotate_by(digits[:2], [90.0, 0.0])
    np.testing.assert_allclose(out[0], np.rot90(digits[0], k=-1, axes=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(out[1], digits[1], atol=1e-5)


def test_rts_without_rotation_or_scaling_only_moves_the_digit(digits):
    out = rotate_translate_scale(digits, np.random.default_rng(0), degrees=0.0, scale=(1.0, 1.0))
    # pure translation: every input pixel's bilinear weights sum to 1, so ink is conserved
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), digits.sum(axis=(1, 2, 3)), rtol=1e-4)


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
