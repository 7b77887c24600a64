"""grid_sample: gradients vs central differences, the adjoint identity, a naive loop, properties.

Every mode x padding x align_corners combination, on odd, even and non-square inputs with an
output size drawn independently of the input size (spatial_strategies.sampler_case).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import grid_sample
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
