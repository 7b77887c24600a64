"""grid_sample: gradients vs central differences, the adjoint identity, a naive loop, properties,
the hand-computable rows of docs §12.1, and bad arguments.

Every mode x padding x align_corners combination, on odd, even and non-square inputs with an
output size drawn independently of the input size (spatial_strategies.sampler_case).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import affine_grid, grid_sample
from ministn.gradcheck import check_adjoint, gradcheck

from naive_sampler import grid_sample_naive
from spatial_strategies import COMBINATIONS, PADDINGS, sampler_case

# Each parametrised test gets a share of the profile's examples (ci: 12 each, 12 combinations).
few = settings(max_examples=max(3, settings.default.max_examples // 2))
IDS = [f"{m}-{p}-{'ac' if a else 'noac'}" for m, p, a in COMBINATIONS]


def _seeded(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_grid_sample_grads_match_central_differences(mode, padding_mode, align_corners, data):
    U, grid = data.draw(sampler_case(mode, padding_mode, align_corners))
    inputs = [Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)]
    gradcheck(lambda u, g: grid_sample(u, g, mode, padding_mode, align_corners), inputs)


@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_grid_sample_adjoint_identity(mode, padding_mode, align_corners, data):
    U, grid = data.draw(sampler_case(mode, padding_mode, align_corners))
    check_adjoint(lambda u: grid_sample(u, grid, mode, padding_mode, align_corners), Tensor(U))


@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_grid_sample_forward_and_backward_match_naive_loop(mode, padding_mode, align_corners, data):
    U, grid = data.draw(sampler_case(mode, padding_mode, align_corners))
    u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
    V = grid_sample(u, g, mode, padding_mode, align_corners)
    upstream = _seeded(V.shape)
    V.backward(upstream)
    V_naive, dU_naive, dG_naive = grid_sample_naive(U, grid, mode, padding_mode, align_corners, upstream)
    np.testing.assert_allclose(V.data, V_naive, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(u.grad, dU_naive, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g.grad, dG_naive, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS, ids=IDS)
def test_grid_sample_matches_naive_loop_on_knife_edges(mode, padding_mode, align_corners):
    """Integers, ties, the ends, two folds, far outside: the one-sided rules, not just smooth points."""
    values = [-3, -1.5, -1, -0.75, -0.5, -1 / 3, 0, 0.25, 0.5, 1, 4 / 3, 2, 3.5, 1e10, -1e10]
    gx, gy = np.meshgrid(values, values[::-1])
    grid = np.stack([gx, gy], -1)[None]
    for H, W in [(4, 5), (1, 3), (3, 1), (2, 2)]:
        U = _seeded((1, 2, H, W), H * 10 + W)
        u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
        V = grid_sample(u, g, mode, padding_mode, align_corners)
        upstream = _seeded(V.shape, 1)
        V.backward(upstream)
        naive = grid_sample_naive(U, grid, mode, padding_mode, align_corners, upstream)
        for ours, theirs in zip((V.data, u.grad, g.grad), naive):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding_mode", ["border", "reflection"])
@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_constant_image_is_reproduced_for_any_grid(padding_mode, align_corners, mode):
    """Partition of unity: the weights sum to 1, whatever the grid (border and reflection)."""
    grid = np.random.default_rng(3).uniform(-4, 4, (2, 5, 6, 2))
    out = grid_sample(np.full((2, 3, 4, 7), 2.5), grid, mode, padding_mode, align_corners).data
    np.testing.assert_allclose(out, 2.5, rtol=1e-15)


def test_constant_image_is_reproduced_inside_with_zeros_padding():
    grid = np.random.default_rng(4).uniform(-1, 1, (2, 5, 6, 2))      # inside [0, n - 1] (ac=True)
    out = grid_sample(np.full((2, 1, 4, 7), -1.5), grid, "bilinear", "zeros", True).data
    np.testing.assert_allclose(out, -1.5, rtol=1e-15)


def test_channels_and_samples_are_sampled_independently():
    rng = np.random.default_rng(5)
    U, grid = rng.standard_normal((3, 4, 5, 6)), rng.uniform(-1.5, 1.5, (3, 2, 7, 2))
    whole = grid_sample(U, grid, "bilinear", "reflection").data
    for n in range(3):
        for c in range(4):
            alone = grid_sample(U[n:n + 1, c:c + 1], grid[n:n + 1], "bilinear", "reflection").data
            np.testing.assert_array_equal(alone[0, 0], whole[n, c])


def test_whole_pixel_translation_and_rot90_are_exact():
    U = np.arange(20.0).reshape(1, 1, 4, 5)
    base_x, base_y = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 4))
    step = 2 / 4                                                      # one pixel in x, ac=True
    shifted = grid_sample(U, np.stack([base_x + step, base_y], -1)[None], align_corners=True).data
    np.testing.assert_array_equal(shifted[0, 0, :, :4], U[0, 0, :, 1:])
    np.testing.assert_array_equal(shifted[0, 0, :, 4], 0)
    square = np.arange(16.0).reshape(1, 1, 4, 4)
    x, y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 4))
    rotated = grid_sample(square, np.stack([-y, x], -1)[None], align_corners=True).data
    np.testing.assert_array_equal(rotated[0, 0], np.rot90(square[0, 0], k=1))


@pytest.mark.parametrize("padding_mode", PADDINGS)
def test_huge_finite_coordinates_are_safe(padding_mode):
    """1e300 must not overflow the int conversion (docs §6.4: clamp before floor)."""
    grid = np.array([1e300, -1e300, 3e38, -3e38]).reshape(1, 1, 2, 2)
    u, g = Tensor(_seeded((1, 1, 3, 3)), requires_grad=True), Tensor(grid, requires_grad=True)
    V = grid_sample(u, g, "bilinear", padding_mode)
    V.backward(np.ones(V.shape))
    assert np.isfinite(V.data).all() and np.isfinite(u.grad).all() and np.isfinite(g.grad).all()
    if padding_mode != "reflection":
        assert (g.grad == 0).all()


def test_nan_in_the_input_does_not_leak_through_zero_weights():
    U = np.ones((1, 1, 3, 3))
    U[0, 0, 0, 0] = np.nan
    grid = np.array([[0.0, 0.0], [1.0, 1.0]]).reshape(1, 1, 2, 2)     # centre, and the far corner
    out = grid_sample(U, grid, "bilinear", "border", True).data
    assert out.tolist() == [[[[1.0, 1.0]]]]


def test_float32_matches_float64_and_keeps_its_dtype():
    rng = np.random.default_rng(6)
    U, grid = rng.standard_normal((2, 3, 6, 5)), rng.uniform(-1.2, 1.2, (2, 4, 3, 2))
    u32, g32 = Tensor(U.astype(np.float32), requires_grad=True), Tensor(grid.astype(np.float32), requires_grad=True)
    V32 = grid_sample(u32, g32, "bilinear", "reflection")
    V32.backward(np.ones(V32.shape, np.float32))
    u64, g64 = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
    V64 = grid_sample(u64, g64, "bilinear", "reflection")
    V64.backward(np.ones(V64.shape))
    assert V32.dtype == u32.grad.dtype == g32.grad.dtype == np.float32
    np.testing.assert_allclose(V32.data, V64.data, atol=1e-5)
    np.testing.assert_allclose(u32.grad, u64.grad, atol=1e-5)
    np.testing.assert_allclose(g32.grad, g64.grad, atol=1e-3)


def test_input_gradient_is_deterministic():
    rng = np.random.default_rng(7)
    U, grid = rng.standard_normal((2, 3, 9, 9)), rng.uniform(-1, 1, (2, 30, 30, 2))
    grads = []
    for _ in range(2):
        u = Tensor(U, requires_grad=True)
        grid_sample(u, grid).backward(np.ones((2, 3, 30, 30)))
        grads.append(u.grad)
    assert np.array_equal(grads[0], grads[1])


def test_sampler_input_gradient_keeps_the_dtype_and_equals_float64_in_float32():
    rng = np.random.default_rng(3)
    U, grid = rng.standard_normal((3, 4, 9, 7)), rng.uniform(-1.3, 1.3, (3, 8, 6, 2))
    upstream = rng.standard_normal((3, 4, 8, 6))
    grads = {}
    for dtype in (np.float32, np.float64):
        u = Tensor(U.astype(dtype), requires_grad=True)
        grid_sample(u, grid.astype(dtype)).backward(upstream.astype(dtype))
        assert u.grad.dtype == dtype
        grads[dtype] = u.grad
    np.testing.assert_allclose(grads[np.float32], grads[np.float64], rtol=1e-5, atol=1e-5)


# ---- the hand-computable cases of docs §12.1 (each confirmed with torch 2.13, float64) -------
# Rows 3-21 use the row image [10, 20, 30, 40] as (1, 1, 1, 4), with grid value g for x and 0 for
# y. Row 1 (the base grid) is in test_coords.py; rows 22-28 in the generators' test files.
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


# ---- bad arguments (docs §9) ---------------------------------------------------------------
INPUT = np.zeros((2, 3, 4, 5))
GRID = np.zeros((2, 3, 3, 2))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_grid_sample_rejects_non_finite_grid(bad):
    grid = GRID.copy()
    grid[1, 2, 0, 1] = bad
    with pytest.raises(ValueError, match=r"grid contains non-finite .* index \(1, 2, 0, 1\)"):
        grid_sample(INPUT, grid)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(input=np.zeros((3, 4, 5))), ValueError, r"input must be 4-D .* or 5-D"),
    (dict(grid=np.zeros((2, 3, 3, 3))), ValueError, r"grid's last dimension must be 2"),
    (dict(grid=np.zeros((2, 3, 3))), ValueError, r"grid must be 4-D"),
    (dict(grid=np.zeros((1, 3, 3, 2))), ValueError, r"grid has batch size 1 but input has 2"),
    (dict(input=np.zeros((2, 3, 0, 5))), ValueError, r"non-empty spatial dimensions"),
    (dict(grid=GRID.astype(np.float32)), TypeError, r"grid must have the same dtype as input"),
    (dict(input=INPUT.astype(np.int64)), TypeError, r"input must have a floating-point dtype"),
    (dict(mode="cubic"), ValueError, r"mode must be one of 'bilinear', 'nearest', 'bicubic'"),
    (dict(padding_mode="wrap"), ValueError, r"padding_mode must be one of"),
    (dict(align_corners="yes"), TypeError, r"align_corners must be True or False"),
    (dict(input=[[1.0]]), TypeError, r"input must be a Tensor or an array"),
])
def test_grid_sample_argument_errors(kwargs, error, message):
    arguments = dict(input=INPUT, grid=GRID) | kwargs
    with pytest.raises(error, match=message):
        grid_sample(**arguments)
