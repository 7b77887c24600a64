"""tps_grid (docs §5): gradients vs central differences, the adjoint identity of its linear
part, the spline's matrix, SciPy's thin plate spline and torch autograd of the same solve, the
hand-computable rows of docs §12.1, and bad arguments."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import affine_grid, tps_grid
from ministn.functional.coords import base_grid
from ministn.functional.tps_grid import control_points, tps_matrix
from ministn.gradcheck import check_adjoint, gradcheck

from spatial_strategies import output_sizes, tps_offsets

ALIGN = pytest.mark.parametrize("align_corners", [True, False])


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


def test_row26_tps_two_by_two_lattice():
    offsets = np.zeros((1, 4, 2))
    offsets[0, 3] = [0.2, 0]                                        # corner (1, 1) -> (1.2, 1)
    grid = tps_grid(offsets, (1, 1, 9, 9), align_corners=True, grid_size=2).data[0]
    np.testing.assert_allclose(grid[4, 4], [0.05, 0], atol=1e-14)            # (0, 0)
    np.testing.assert_allclose(grid[6, 6], [0.6165938877003349, 0.5], atol=1e-14)
    np.testing.assert_allclose(grid[5, 2], [-0.4710413498959512, 0.25], atol=1e-14)


def test_row27_tps_three_by_three_lattice():
    offsets = np.zeros((1, 9, 2))
    offsets[0, 4] = [0.1, -0.2]                                     # the centre point
    grid = tps_grid(offsets, (1, 1, 9, 9), align_corners=True, grid_size=3).data[0]
    np.testing.assert_allclose(grid[4, 4], [0.1, -0.2], atol=1e-14)
    np.testing.assert_allclose(grid[4, 6], [0.5565500933393485, -0.11310018667869598], atol=1e-14)
    np.testing.assert_allclose(grid[1, 5], [0.2753436458097745, -0.8006872916195485], atol=1e-14)


@pytest.mark.parametrize("align_corners", [True, False])
def test_row28_tps_reproduces_identity_shifts_and_affine_maps(align_corners):
    size, g = (1, 1, 6, 7), 4
    identity = affine_grid(np.eye(2, 3)[None], size, align_corners).data
    assert np.array_equal(tps_grid(np.zeros((1, g * g, 2)), size, align_corners, g).data, identity)
    shifted = tps_grid(np.tile([0.1, -0.25], (1, g * g, 1)), size, align_corners, g).data
    np.testing.assert_allclose(shifted, identity + [0.1, -0.25], atol=1e-14)
    A, t = np.array([[1.1, 0.2], [-0.15, 0.9]]), np.array([0.05, -0.1])
    S = np.stack(np.meshgrid(np.linspace(-1, 1, g), np.linspace(-1, 1, g)), -1).reshape(-1, 2)
    warped = tps_grid((S @ A.T + t - S)[None], size, align_corners, g).data
    np.testing.assert_allclose(warped, identity @ A.T + t, atol=1e-14)


def test_tps_grid_rejects_non_finite_offsets():
    offsets = np.zeros((2, 16, 2))
    offsets.reshape(-1)[3] = np.nan
    with pytest.raises(ValueError, match=r"offsets contains non-finite"):
        tps_grid(offsets, (2, 1, 3, 3))


def test_tps_grid_argument_errors():
    with pytest.raises(ValueError, match=r"offsets must have shape \(N, 9, 2\) for grid_size=3"):
        tps_grid(np.zeros((1, 16, 2)), (1, 1, 4, 4), grid_size=3)
    with pytest.raises(ValueError, match=r"grid_size must be an int >= 2"):
        tps_grid(np.zeros((1, 1, 2)), (1, 1, 4, 4), grid_size=1)
    with pytest.raises(ValueError, match=r"offsets has batch size 1 but size\[0\] is 2"):
        tps_grid(np.zeros((1, 16, 2)), (2, 1, 4, 4))
