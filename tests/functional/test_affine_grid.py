"""affine_grid (docs §3): gradients vs central differences, the adjoint identity, the
hand-computable rows of docs §12.1, theta -> grid -> sampler end to end, and bad arguments."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import affine_grid, grid_sample
from ministn.functional.coords import unnormalise
from ministn.gradcheck import check_adjoint, gradcheck

from spatial_strategies import output_sizes, thetas

ALIGN = pytest.mark.parametrize("align_corners", [True, False])


@pytest.mark.filterwarnings("ignore:affine_grid.*spatial axis of size 1:UserWarning")  # drawn sizes may be 1
@ALIGN
@given(data=st.data())
def test_affine_grid_grad_wrt_theta_matches_central_differences(align_corners, data):
    size = data.draw(output_sizes())
    theta = Tensor(data.draw(thetas(size[0])), requires_grad=True)
    gradcheck(lambda t: affine_grid(t, size, align_corners), [theta])


@pytest.mark.filterwarnings("ignore:affine_grid.*spatial axis of size 1:UserWarning")  # drawn sizes may be 1
@ALIGN
@given(data=st.data())
def test_affine_grid_adjoint_identity(align_corners, data):
    size = data.draw(output_sizes())
    check_adjoint(lambda t: affine_grid(t, size, align_corners), Tensor(data.draw(thetas(size[0]))))


@pytest.mark.parametrize("align_corners", [True, False])
def test_row22_affine_grid_gradient_of_the_sum(align_corners):
    theta = Tensor(np.array([[[0.9, 0.1, 0.2], [-0.3, 1.1, 0.05]]]), requires_grad=True)
    affine_grid(theta, (1, 1, 3, 4), align_corners).sum().backward()
    np.testing.assert_allclose(theta.grad[0], [[0, 0, 12], [0, 0, 12]], atol=2e-15)


def test_row23_affine_grid_gradient_of_squared_x():
    theta = Tensor(np.array([[[0.9, 0.1, 0.2], [-0.3, 1.1, 0.05]]]), requires_grad=True)
    grid = affine_grid(theta, (1, 1, 3, 4), align_corners=True)
    (grid[..., 0] * grid[..., 0]).sum().backward()
    np.testing.assert_allclose(theta.grad[0], [[12, 1.6, 4.8], [0, 0, 0]], atol=1e-13)


@settings(max_examples=max(3, settings.default.max_examples // 5))
@given(data=st.data())
def test_affine_theta_to_sampler_composite_gradient(data):
    """theta -> grid -> bilinear sample, checked end to end (kinks rejected, docs §12.2)."""
    size = (1, 2, 4, 5)
    theta0 = data.draw(thetas(1))
    U = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((1, 2, 5, 6))
    grid = affine_grid(theta0, size, False).data
    for axis, n in ((0, 6), (1, 5)):
        coordinate = unnormalise(grid[..., axis], n, False)
        assume(np.abs(coordinate - np.rint(coordinate)).min() > 1e-3)
    theta = Tensor(theta0, requires_grad=True)
    gradcheck(lambda t: grid_sample(U, affine_grid(t, size, False), "bilinear", "zeros"), [theta])


def test_affine_grid_rejects_non_finite_theta():
    theta = np.zeros((2, 2, 3))
    theta.reshape(-1)[3] = np.nan
    with pytest.raises(ValueError, match=r"theta contains non-finite"):
        affine_grid(theta, (2, 1, 3, 3))


@pytest.mark.parametrize("theta, size, error, message", [
    (np.zeros((2, 3, 3)), (2, 1, 4, 4), ValueError, r"theta must have shape \(N, 2, 3\)"),
    (np.zeros((3, 2, 3)), (2, 1, 4, 4), ValueError, r"theta has batch size 3 but size\[0\] is 2"),
    (np.zeros((2, 2, 3)), (2, 1, 0, 4), ValueError, r"size entries must be positive"),
    (np.zeros((2, 2, 3)), (2, 1, 4), ValueError, r"size must have 4 or 5 entries"),
    (np.zeros((2, 2, 3)), (2, 1, 4, 4, 4), ValueError, r"theta must have shape \(N, 3, 4\)"),
    (np.zeros((2, 2, 3)), (2, 1, 4.0, 4), TypeError, r"size entries must be ints"),
    (np.zeros((2, 2, 3), dtype=np.int64), (2, 1, 4, 4), TypeError, r"theta must have a floating-point"),
])
def test_affine_grid_argument_errors(theta, size, error, message):
    with pytest.raises(error, match=message):
        affine_grid(theta, size)
