"""perspective_grid (docs §4): gradients vs central differences, torch autograd of the same
formula, the hand-computable rows of docs §12.1, and bad arguments."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import affine_grid, perspective_grid
from ministn.functional.coords import base_grid
from ministn.gradcheck import gradcheck

from spatial_strategies import homographies, output_sizes

ALIGN = pytest.mark.parametrize("align_corners", [True, False])


@ALIGN
@given(data=st.data(), eight=st.booleans())
def test_perspective_grid_grad_wrt_theta_matches_central_differences(align_corners, data, eight):
    size = data.draw(output_sizes())
    theta = Tensor(data.draw(homographies(size[0], eight)), requires_grad=True)
    gradcheck(lambda t: perspective_grid(t, size, align_corners), [theta])


@ALIGN
def test_perspective_grid_matches_torch_autograd_of_the_formula(align_corners):
    torch = pytest.importorskip("torch")
    H = np.random.default_rng(9).standard_normal((3, 3, 3)) * 0.2 + np.eye(3)
    H[:, 2, :2] = np.clip(H[:, 2, :2], -0.25, 0.25)
    size, upstream = (3, 1, 5, 6), np.random.default_rng(10).standard_normal((3, 5, 6, 2))
    theta = Tensor(H, requires_grad=True)
    perspective_grid(theta, size, align_corners).backward(upstream)
    B = torch.tensor(base_grid(5, 6, align_corners))
    t = torch.tensor(H, requires_grad=True)
    Z = B @ t.transpose(1, 2)
    reference = (Z[..., :2] / Z[..., 2:]).reshape(3, 5, 6, 2)
    reference.backward(torch.tensor(upstream))
    np.testing.assert_allclose(perspective_grid(H, size, align_corners).data,
                               reference.detach().numpy(), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(theta.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_row24_perspective_point_and_gradient():
    theta = Tensor(np.array([[1.0, 0, 0, 0, 1, 0, 0.5, 0]]), requires_grad=True)
    grid = perspective_grid(theta, (1, 1, 5, 5), align_corners=True)   # (x, y) = (1, 0.5) at [3, 4]
    np.testing.assert_allclose(grid.data[0, 3, 4], [2 / 3, 1 / 3], atol=1e-15)
    upstream = np.zeros(grid.shape)
    upstream[0, 3, 4, 0] = 1
    grid.backward(upstream)
    np.testing.assert_allclose(theta.grad[0], [2 / 3, 1 / 3, 2 / 3, 0, 0, 0, -4 / 9, -2 / 9], atol=1e-15)


@pytest.mark.parametrize("align_corners", [True, False])
def test_row25_perspective_without_h3_is_affine(align_corners):
    theta = np.array([[1.1, 0.2, -0.1, 0.05, 0.9, 0.3, 0, 0]])
    size = (1, 1, 4, 5)
    expected = affine_grid(theta[:, :6].reshape(1, 2, 3), size, align_corners).data
    np.testing.assert_array_equal(perspective_grid(theta, size, align_corners).data, expected)


def test_perspective_grid_rejects_non_finite_theta():
    theta = np.tile(np.eye(3), (2, 1, 1))
    theta.reshape(-1)[3] = np.nan
    with pytest.raises(ValueError, match=r"theta contains non-finite"):
        perspective_grid(theta, (2, 1, 3, 3))


def test_perspective_grid_names_theta_and_the_sample_when_w_is_not_positive():
    theta = np.tile(np.eye(3), (3, 1, 1))
    theta[2, 2, 0] = 1.5                                     # w = 1.5 x + 1 <= 0 at x <= -2/3
    with pytest.raises(ValueError, match=r"theta\[2\] gives a non-positive homogeneous denominator"):
        perspective_grid(theta, (3, 1, 4, 6), align_corners=True)
    with pytest.raises(ValueError, match=r"theta must have shape \(N, 3, 3\) or \(N, 8\)"):
        perspective_grid(np.zeros((3, 6)), (3, 1, 4, 6))
