"""Grid generators: affine_grid, perspective_grid, tps_grid (docs §3-§5).

Central differences and adjoint identities for all three; closed-form oracles (torch autograd
of the same formulas, SciPy's thin plate spline) where they are installed.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import affine_grid, perspective_grid, tps_grid
from ministn.functional.coords import base_grid
from ministn.functional.tps_grid import control_points, tps_matrix
from ministn.gradcheck import check_adjoint, gradcheck

from spatial_strategies import homographies, output_sizes, thetas, tps_offsets

ALIGN = pytest.mark.parametrize("align_corners", [True, False])


@ALIGN
@given(data=st.data())
def test_affine_grid_grad_wrt_theta_matches_central_differences(align_corners, data):
    size = data.draw(output_sizes())
    theta = Tensor(data.draw(thetas(size[0])), requires_grad=True)
    gradcheck(lambda t: affine_grid(t, size, align_corners), [theta])


@ALIGN
@given(data=st.data())
def test_affine_grid_adjoint_identity(align_corners, data):
    size = data.draw(output_sizes())
    check_adjoint(lambda t: affine_grid(t, size, align_corners), Tensor(data.draw(thetas(size[0]))))


@ALIGN
@given(data=st.data(), eight=st.booleans())
def test_perspective_grid_grad_wrt_theta_matches_central_differences(align_corners, data, eight):
    size = data.draw(output_sizes())
    theta = Tensor(data.draw(homographies(size[0], eight)), requires_grad=True)
    gradcheck(lambda t: perspective_grid(t, size, align_corners), [theta])


@ALIGN
@given(data=st.data(), grid_size=st.integers(2, 4))
def test_tps_grid_grad_wrt_offsets_matches_central_differences(align_corners, data, grid_size):
    size = data.draw(output_sizes())
    offsets = Tensor(data.draw(tps_offsets(size[0], grid_size)), requires_grad=True)
    gradcheck(lambda d: tps_grid(d, size, align_corners, grid_size), [offsets])


@ALIGN
@given(data=st.data(), grid_size=st.integers(2, 5))
def test_tps_grid_adjoint_identity(align_corners, data, grid_size):
    """tps_grid is affine in the offsets (P + M d): its linear part is checked."""
    size = data.draw(output_sizes())
    zero = tps_grid(np.zeros((size[0], grid_size ** 2, 2)), size, align_corners, grid_size)
    check_adjoint(lambda d: tps_grid(d, size, align_corners, grid_size) - zero.data,
                  Tensor(data.draw(tps_offsets(size[0], grid_size))))


@ALIGN
@pytest.mark.parametrize("grid_size", [2, 3, 4, 6])
def test_tps_matrix_properties(align_corners, grid_size):
    """Rows sum to 1, M S = P (docs §5.4), and the spline interpolates the targets."""
    M = tps_matrix(grid_size, 5, 7, align_corners)
    S, P = control_points(grid_size), base_grid(5, 7, align_corners)[:, :2]
    np.testing.assert_allclose(M.sum(axis=1), 1, atol=1e-13)
    np.testing.assert_allclose(M @ S, P, atol=1e-13)
    n = 3 * (grid_size - 1) + 1                     # an aligned grid through every lattice point
    offsets = np.random.default_rng(grid_size).uniform(-0.3, 0.3, (1, grid_size ** 2, 2))
    grid = tps_grid(offsets, (1, 1, n, n), True, grid_size).data[0, ::3, ::3].reshape(-1, 2)
    np.testing.assert_allclose(grid, S + offsets[0], atol=1e-13)


def test_tps_lattice_order_is_x_fastest():
    np.testing.assert_array_equal(control_points(3)[:4], [[-1, -1], [0, -1], [1, -1], [-1, 0]])


@ALIGN
def test_tps_forward_matches_scipy_thin_plate_spline(align_corners):
    interpolate = pytest.importorskip("scipy.interpolate")
    offsets = np.random.default_rng(8).uniform(-0.3, 0.3, (2, 16, 2))
    grid = tps_grid(offsets, (2, 1, 6, 9), align_corners).data
    S, P = control_points(4), base_grid(6, 9, align_corners)[:, :2]
    for n in range(2):
        spline = interpolate.RBFInterpolator(S, S + offsets[n], kernel="thin_plate_spline", degree=1)
        np.testing.assert_allclose(grid[n].reshape(-1, 2), spline(P), atol=1e-12)


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


@ALIGN
def test_tps_grid_matches_torch_autograd_of_the_formula(align_corners):
    """The spline solved in torch from scratch (affine block first, for variety)."""
    torch = pytest.importorskip("torch")
    offsets = np.random.default_rng(11).uniform(-0.3, 0.3, (2, 9, 2))
    upstream = np.random.default_rng(12).standard_normal((2, 4, 7, 2))
    d = Tensor(offsets, requires_grad=True)
    tps_grid(d, (2, 1, 4, 7), align_corners, 3).backward(upstream)

    def U(a, b):
        r2 = ((a[:, None] - b[None]) ** 2).sum(-1)
        return r2 * torch.log(torch.where(r2 == 0, torch.ones_like(r2), r2))
    S = torch.tensor(control_points(3))
    P = torch.tensor(base_grid(4, 7, align_corners)[:, :2])
    Q = torch.cat([torch.ones(9, 1, dtype=S.dtype), S], 1)
    L = torch.cat([torch.cat([torch.zeros(3, 3, dtype=S.dtype), Q.T], 1), torch.cat([Q, U(S, S)], 1)])
    t = torch.tensor(offsets, requires_grad=True)
    rhs = torch.cat([torch.zeros(2, 3, 2, dtype=S.dtype), S + t], 1)
    coefficients = torch.linalg.solve(L, rhs)                          # (2, 3 + 9, 2)
    R = torch.cat([torch.ones(28, 1, dtype=S.dtype), P, U(P, S)], 1)
    reference = (R @ coefficients).reshape(2, 4, 7, 2)
    reference.backward(torch.tensor(upstream))
    np.testing.assert_allclose(tps_grid(offsets, (2, 1, 4, 7), align_corners, 3).data,
                               reference.detach().numpy(), atol=1e-13)
    np.testing.assert_allclose(d.grad, t.grad.numpy(), atol=1e-12)


@settings(max_examples=max(3, settings.default.max_examples // 5))
@given(data=st.data())
def test_affine_theta_to_sampler_composite_gradient(data):
    """theta -> grid -> bilinear sample, checked end to end (kinks rejected, docs §12.2)."""
    from hypothesis import assume
    from ministn.functional import grid_sample
    from ministn.functional.coords import unnormalise
    size = (1, 2, 4, 5)
    theta0 = data.draw(thetas(1))
    U = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((1, 2, 5, 6))
    grid = affine_grid(theta0, size, False).data
    for axis, n in ((0, 6), (1, 5)):
        coordinate = unnormalise(grid[..., axis], n, False)
        assume(np.abs(coordinate - np.rint(coordinate)).min() > 1e-3)
    theta = Tensor(theta0, requires_grad=True)
    gradcheck(lambda t: grid_sample(U, affine_grid(t, size, False), "bilinear", "zeros"), [theta])
