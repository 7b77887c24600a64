"""The hand-computable cases of docs §12.1 (each confirmed with torch 2.13 or SciPy, float64).

Rows 3-21 use the row image [10, 20, 30, 40] as (1, 1, 1, 4), with grid value g for x and 0 for y.
"""
import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import affine_grid, grid_sample, perspective_grid, tps_grid
from ministn.functional.coords import base_axis

ROW = np.array([10.0, 20.0, 30.0, 40.0]).reshape(1, 1, 1, 4)


def sample_row(g, mode="bilinear", padding_mode="zeros", align_corners=True, row=ROW, gy=0.0):
    """(value, dV/dg_x, dV/dg_y, dU) for one sample of ``row`` at (g, gy), upstream 1."""
    U = Tensor(row.copy(), requires_grad=True)
    grid = Tensor(np.array([g, gy], dtype=float).reshape(1, 1, 1, 2), requires_grad=True)
    V = grid_sample(U, grid, mode, padding_mode, align_corners)
    V.backward(np.ones(V.shape))
    return V.data.item(), grid.grad[0, 0, 0, 0], grid.grad[0, 0, 0, 1], U.grad.reshape(-1)


def identity_warp(U, size, padding_mode="zeros", align_corners=False):
    theta = np.tile(np.eye(2, 3), (U.shape[0], 1, 1))
    return grid_sample(U, affine_grid(theta, size, align_corners), "bilinear", padding_mode,
                       align_corners).data


# Row 1: the base grid (docs §2.2 table, float64, as PyTorch returns it). ministn's closed forms
# are correctly rounded; PyTorch's linspace can be one ulp off (n = 4: -0.33333333333333337).
@pytest.mark.parametrize("n, aligned, unaligned", [
    (1, [0], [0]),
    (2, [-1, 1], [-0.5, 0.5]),
    (3, [-1, 0, 1], [-2 / 3, 0, 2 / 3]),
    (4, [-1, -0.33333333333333337, 0.33333333333333337, 1], [-0.75, -0.25, 0.25, 0.75]),
    (5, [-1, -0.5, 0, 0.5, 1], [-0.8, -0.4, 0, 0.4, 0.8]),
])
def test_base_grid_matches_spec_table(n, aligned, unaligned):
    np.testing.assert_array_max_ulp(base_axis(n, True), np.array(aligned, dtype=float), maxulp=1)
    np.testing.assert_array_max_ulp(base_axis(n, False), np.array(unaligned, dtype=float), maxulp=1)
    assert base_axis(n, True).tolist() == [(2 * j - (n - 1)) / (n - 1) if n > 1 else 0 for j in range(n)]


def test_row2_identity_upsampling_align_corners_is_exact():
    U = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    expected = [[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]]
    assert identity_warp(U, (1, 1, 3, 3), align_corners=True)[0, 0].tolist() == expected


@pytest.mark.parametrize("padding_mode, expected", [
    ("border", [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]),
    ("zeros", [[0.5625, 0.9375, 1.3125, 1.125], [1.125, 1.75, 2.25, 1.875],
               [1.875, 2.75, 3.25, 2.625], [1.6875, 2.4375, 2.8125, 2.25]]),
])
def test_rows3_4_identity_upsampling_without_align_corners(padding_mode, expected):
    U = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    out = identity_warp(U, (1, 1, 4, 4), padding_mode, align_corners=False)
    np.testing.assert_allclose(out[0, 0], expected, rtol=0, atol=1e-15)


def test_row5_half_extent_translation_moves_content_left_one_pixel():
    theta = np.array([[[1.0, 0, 0.5], [0, 1, 0]]])
    grid = affine_grid(theta, (1, 1, 1, 4), align_corners=False)
    np.testing.assert_allclose(grid.data[0, 0, :, 0], [-0.25, 0.25, 0.75, 1.25], atol=1e-16)
    out = grid_sample(ROW, grid, align_corners=False).data
    np.testing.assert_allclose(out.reshape(-1), [20, 30, 40, 0], atol=1e-13)


# Rows 6-16 and 20: (g, mode, padding, align_corners) -> value, dV/dg, dU (None: not checked)
ROW_CASES = [
    ("6 corner -1", -1.0, "bilinear", "zeros", True, 10, 15, None),
    ("6 corner +1", 1.0, "bilinear", "zeros", True, 40, -60, None),
    ("7 border -1", -1.0, "bilinear", "border", True, 10, 0, None),
    ("7 border +1", 1.0, "bilinear", "border", True, 40, 0, None),
    ("7 reflection -1", -1.0, "bilinear", "reflection", True, 10, 0, None),
    ("7 reflection +1", 1.0, "bilinear", "reflection", True, 40, 0, None),
    ("7 border interior integer", -1 / 3, "bilinear", "border", True, 20, 15, None),
    ("7 reflection interior integer", -1 / 3, "bilinear", "reflection", True, 20, 15, None),
    ("8 half outside", -4 / 3, "bilinear", "zeros", True, 5, 15, [0.5, 0, 0, 0]),
    ("9 one pixel outside", 5 / 3, "bilinear", "zeros", True, 0, 0, [0, 0, 0, 0]),
    ("10 one fold", -1.2, "bilinear", "reflection", True, 13, -15, [0.7, 0.3, 0, 0]),
    ("11 fold at far end", 2.0, "bilinear", "reflection", True, 25, -15, None),
    ("12 fold onto the boundary +", 3.0, "bilinear", "reflection", True, 10, 0, None),
    ("12 fold onto the boundary -", -3.0, "bilinear", "reflection", True, 40, 0, None),
    ("13 fold, unaligned", -1.3, "bilinear", "reflection", False, 11, -20, [0.9, 0.1, 0, 0]),
    ("14 two folds", -3.5, "bilinear", "reflection", False, 35, 20, None),
    ("16 border inside", -0.7, "bilinear", "border", False, 11, 20, None),
    ("16 border on the boundary", -0.75, "bilinear", "border", False, 10, 0, None),
    ("17 nearest tie to even (2)", 0.5, "nearest", "zeros", False, 30, 0, None),
    ("17 nearest tie to even (0)", -0.5, "nearest", "zeros", False, 10, 0, None),
    ("18 nearest tie, aligned", 0.0, "nearest", "zeros", True, 30, 0, None),
    ("20 nearest border", 1.0, "nearest", "border", False, 40, 0, None),
] + [(f"15 flat zone {g}", g, "bilinear", "reflection", False, 10 if g < 0 else 40, 0, None)
     for g in (-0.9, -1.0, -1.1, 0.9, 1.0, 1.1)]


@pytest.mark.parametrize("name, g, mode, padding_mode, align_corners, value, grad_g, grad_U",
                         ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_rows6_to_20_row_image(name, g, mode, padding_mode, align_corners, value, grad_g, grad_U):
    V, dg, dgy, dU = sample_row(g, mode, padding_mode, align_corners)
    assert V == pytest.approx(value, abs=1e-12)
    assert dg == pytest.approx(grad_g, abs=1e-12)
    if grad_U is not None:
        np.testing.assert_allclose(dU, grad_U, atol=1e-12)


@pytest.mark.parametrize("W, at_plus_one", [(2, 0), (3, 30), (4, 0), (5, 50)])
def test_row19_nearest_ties_make_asymmetric_borders(W, at_plus_one):
    row = 10.0 * np.arange(1, W + 1).reshape(1, 1, 1, W)
    assert sample_row(-1.0, "nearest", "zeros", False, row)[0] == 10
    assert sample_row(1.0, "nearest", "zeros", False, row)[0] == at_plus_one


@pytest.mark.parametrize("gy", [-1.0, -0.3, 0.0, 0.7, 2.0])
def test_row21_single_row_input_has_zero_y_gradient(gy):
    for padding_mode in ("zeros", "border", "reflection"):
        assert sample_row(0.1, "bilinear", padding_mode, True, gy=gy)[2] == 0


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


@pytest.mark.parametrize("n, align_corners", [(3, True), (5, True), (9, True), (17, True),
                                              (2, False), (4, False), (8, False), (16, False)])
def test_row29_identity_warp_is_exact(n, align_corners):
    U = np.random.default_rng(n).standard_normal((2, 3, n, n))
    for padding_mode in ("zeros", "border", "reflection"):
        assert np.array_equal(identity_warp(U, U.shape, padding_mode, align_corners), U)


@pytest.mark.parametrize("align_corners", [True, False])
def test_row30_identity_warp_28x28_is_close_not_exact(align_corners):
    U = np.random.default_rng(28).standard_normal((2, 1, 28, 28))
    np.testing.assert_allclose(identity_warp(U, U.shape, "zeros", align_corners), U, rtol=0, atol=1e-13)
