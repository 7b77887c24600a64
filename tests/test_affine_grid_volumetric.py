"""affine_grid with a 5-D size (N, C, D, H, W) and theta (N, 3, 4) (docs §14), and the unit-size
warning (docs §18): central differences, the adjoint identity, hand cases, bad input.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import affine_grid, grid_sample
from ministn.functional.coords import base_axis
from ministn.gradcheck import check_adjoint, gradcheck

few = settings(max_examples=max(3, settings.default.max_examples // 2))


@st.composite
def volume_sizes(draw):
    return (draw(st.integers(1, 2)), draw(st.integers(1, 2)),
            *(draw(st.integers(2, 4)) for _ in range(3)))


def _theta(seed, N):
    return np.eye(3, 4) + 0.3 * np.random.default_rng(seed).standard_normal((N, 3, 4))


@pytest.mark.parametrize("align_corners", [True, False])
@few
@given(size=volume_sizes(), seed=st.integers(0, 2 ** 32 - 1))
def test_affine_grid_3d_grads_match_central_differences(align_corners, size, seed):
    theta = Tensor(_theta(seed, size[0]), requires_grad=True)
    gradcheck(lambda t: affine_grid(t, size, align_corners), [theta])


@pytest.mark.parametrize("align_corners", [True, False])
@few
@given(size=volume_sizes(), seed=st.integers(0, 2 ** 32 - 1))
def test_affine_grid_3d_adjoint_identity(align_corners, size, seed):
    check_adjoint(lambda t: affine_grid(t, size, align_corners), Tensor(_theta(seed, size[0])))


@pytest.mark.parametrize("align_corners", [True, False])
def test_identity_theta_gives_the_base_grid_in_x_y_z_order(align_corners):
    size = (1, 1, 3, 4, 5)
    grid = affine_grid(np.eye(3, 4)[None], size, align_corners).data
    assert grid.shape == (1, 3, 4, 5, 3)
    z, y, x = np.meshgrid(*(base_axis(n, align_corners) for n in size[2:]), indexing="ij")
    np.testing.assert_array_equal(grid[0], np.stack([x, y, z], -1))


def test_translation_moves_the_content_of_a_volume():
    """theta's last column is a translation in normalised units; one voxel is 2/n with ac=False."""
    U = np.random.default_rng(1).standard_normal((1, 1, 4, 4, 4))
    theta = np.eye(3, 4)[None].copy()
    theta[0, 2, 3] = 2 / 4                                              # one slice along z
    out = grid_sample(U, affine_grid(theta, U.shape), "bilinear", "zeros").data
    np.testing.assert_array_equal(out[0, 0, :3], U[0, 0, 1:])
    np.testing.assert_array_equal(out[0, 0, 3], 0)


def test_sum_of_grid_gives_the_count_of_points_as_theta_gradient():
    """L = sum(grid): dtheta = sum over points of (x, y, z, 1) per row = (0, 0, 0, P) (symmetric base)."""
    t = Tensor(_theta(0, 1), requires_grad=True)
    grid = affine_grid(t, (1, 1, 3, 4, 5), False)
    grid.backward(np.ones(grid.shape))
    np.testing.assert_allclose(t.grad, np.tile([0, 0, 0, 60.0], (1, 3, 1)), atol=1e-13)


@pytest.mark.parametrize("size", [(1, 1, 1, 4), (2, 1, 3, 1), (1, 1, 1, 3, 4), (1, 2, 3, 1, 4),
                                  (1, 1, 3, 4, 1)])
def test_unit_size_with_align_corners_warns(size):
    theta = np.zeros((size[0], len(size) - 2, len(size) - 1))
    with pytest.warns(UserWarning, match=r"spatial axis of size 1 with align_corners=True"):
        grid = affine_grid(theta, size, True)
    assert grid.shape == (size[0], *size[2:], len(size) - 2)


@pytest.mark.parametrize("size", [(1, 1, 1, 4), (1, 1, 1, 3, 4), (1, 1, 2, 3), (1, 1, 2, 3, 4)])
@pytest.mark.parametrize("align_corners", [True, False])
def test_no_warning_otherwise(size, align_corners):
    if align_corners and 1 in size[2:]:
        return
    theta = np.zeros((1, len(size) - 2, len(size) - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        affine_grid(theta, size, align_corners)


@pytest.mark.parametrize("theta, size, error, message", [
    (np.zeros((2, 2, 3)), (2, 1, 3, 4, 4), ValueError, r"theta must have shape \(N, 3, 4\) for a 5-D size"),
    (np.zeros((2, 3, 4)), (2, 1, 4, 4), ValueError, r"theta must have shape \(N, 2, 3\) for a 4-D size"),
    (np.zeros((3, 4)), (2, 1, 3, 4, 4), ValueError, r"theta must have shape \(N, 3, 4\)"),
    (np.zeros((3, 3, 4)), (2, 1, 3, 4, 4), ValueError, r"theta has batch size 3 but size\[0\] is 2"),
    (np.zeros((2, 3, 4)), (2, 1, 0, 4, 4), ValueError, r"size entries must be positive"),
    (np.zeros((2, 3, 4)), (2, 1, -1, 4, 4), ValueError, r"size entries must be positive"),
    (np.zeros((2, 3, 4)), (2, 1, 2, 3, 4, 4), ValueError, r"size must have 4 or 5 entries"),
    (np.zeros((2, 3, 4)), (2, 1, 2.0, 4, 4), TypeError, r"size entries must be ints"),
    (np.zeros((2, 3, 4), dtype=np.int64), (2, 1, 2, 4, 4), TypeError, r"theta must have a floating-point"),
])
def test_affine_grid_3d_bad_input(theta, size, error, message):
    with pytest.raises(error, match=message):
        affine_grid(theta, size)


def test_affine_grid_3d_theta_must_be_finite():
    theta = np.zeros((1, 3, 4))
    theta[0, 2, 1] = np.inf
    with pytest.raises(ValueError, match=r"theta contains non-finite .* index \(0, 2, 1\)"):
        affine_grid(theta, (1, 1, 2, 2, 2))


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@few
@given(data=st.data())
def test_theta_to_volume_composite_gradient(padding_mode, data):
    """theta (N, 3, 4) -> affine_grid -> trilinear sample, end to end (kinks rejected, docs §12.2)."""
    from hypothesis import assume
    from ministn.functional.coords import unnormalise
    size = (1, 2, 3, 2, 3)
    theta0 = _theta(data.draw(st.integers(0, 2 ** 32 - 1)), 1)
    U = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((1, 2, 3, 4, 3))
    grid = affine_grid(theta0, size, False).data
    for axis, n in ((0, 3), (1, 4), (2, 3)):                       # (x, W), (y, H), (z, D)
        coordinate = unnormalise(grid[..., axis], n, False)
        assume(np.abs(coordinate - np.rint(coordinate)).min() > 1e-3)
    theta = Tensor(theta0, requires_grad=True)
    gradcheck(lambda t: grid_sample(U, affine_grid(t, size, False), "bilinear", padding_mode), [theta])
