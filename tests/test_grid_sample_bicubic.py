"""grid_sample mode="bicubic" (docs §15): central differences, the adjoint identity, a naive loop
written from PyTorch's CPU kernel, and properties, in every padding x align_corners.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import grid_sample
from ministn.functional.cubic import cubic_slopes, cubic_weights
from ministn.gradcheck import check_adjoint, gradcheck

from naive_bicubic import grid_sample_bicubic_naive, kernel
from spatial_strategies import sampler_case
from volume_strategies import BICUBIC_COMBINATIONS

few = settings(max_examples=max(3, settings.default.max_examples // 2))
IDS = [f"{p}-{'ac' if a else 'noac'}" for p, a in BICUBIC_COMBINATIONS]


def _seeded(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _case(data, padding_mode, align_corners):
    # "bilinear" fractions: k + f with f in [δ, 1 - δ], away from bicubic's integer breakpoints
    return data.draw(sampler_case("bilinear", padding_mode, align_corners))


@pytest.mark.parametrize("padding_mode, align_corners", BICUBIC_COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_bicubic_grads_match_central_differences(padding_mode, align_corners, data):
    U, grid = _case(data, padding_mode, align_corners)
    inputs = [Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)]
    # The cubic weights sum to 1 only to rounding, so where every tap reads one pixel (a 1 x 1
    # image under border padding) the true grid gradient is 0 and central differences return
    # rounding noise of 1e-16 |V| / 1e-6 ~ 1e-10: the absolute floor below which a *whole*
    # gradient tensor counts as zero is set there; the relative bound stays 1e-6.
    gradcheck(lambda u, g: grid_sample(u, g, "bicubic", padding_mode, align_corners), inputs,
              atol=1e-9)


@pytest.mark.parametrize("padding_mode, align_corners", BICUBIC_COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_bicubic_adjoint_identity(padding_mode, align_corners, data):
    U, grid = _case(data, padding_mode, align_corners)
    check_adjoint(lambda u: grid_sample(u, grid, "bicubic", padding_mode, align_corners), Tensor(U))


@pytest.mark.parametrize("padding_mode, align_corners", BICUBIC_COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_bicubic_matches_naive_loop(padding_mode, align_corners, data):
    U, grid = _case(data, padding_mode, align_corners)
    u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
    V = grid_sample(u, g, "bicubic", padding_mode, align_corners)
    upstream = _seeded(V.shape)
    V.backward(upstream)
    naive = grid_sample_bicubic_naive(U, grid, padding_mode, align_corners, upstream)
    for ours, theirs in zip((V.data, u.grad, g.grad), naive):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding_mode, align_corners", BICUBIC_COMBINATIONS, ids=IDS)
def test_bicubic_matches_naive_loop_on_knife_edges(padding_mode, align_corners):
    """Integers (tx = 0), the ends, folds, far outside (every tap dropped or clipped)."""
    values = [-3, -1.5, -1, -0.75, -0.5, -1 / 3, 0, 0.25, 0.5, 1, 4 / 3, 2, 3.5, 1e10, -1e10]
    gx, gy = np.meshgrid(values, values[::-1])
    grid = np.stack([gx, gy], -1)[None]
    for H, W in [(4, 5), (1, 3), (3, 1), (2, 2), (1, 1)]:
        U = _seeded((1, 2, H, W), H * 10 + W)
        u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
        V = grid_sample(u, g, "bicubic", padding_mode, align_corners)
        upstream = _seeded(V.shape, 1)
        V.backward(upstream)
        naive = grid_sample_bicubic_naive(U, grid, padding_mode, align_corners, upstream)
        for ours, theirs in zip((V.data, u.grad, g.grad), naive):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_cubic_weights_are_the_kernel_and_sum_to_one():
    t = np.linspace(0, 1, 101, endpoint=False).reshape(1, -1)
    w = cubic_weights(t, np)[0]
    expected = np.array([[kernel(d) for d in (tt + 1, tt, 1 - tt, 2 - tt)] for tt in t[0]]).T
    # two evaluation orders of the same cubic (Horner's with PyTorch's grouping, and powers)
    np.testing.assert_allclose(w, expected, rtol=0, atol=1e-14)
    # to rounding: a few ulps of the largest intermediate term, |8A| = 6 (ulp 8.9e-16)
    np.testing.assert_allclose(w.sum(axis=0), 1, rtol=0, atol=4e-15)
    assert w[:, 0].tolist() == [0.0, 1.0, 0.0, 0.0]            # t = 0 reads pixel x0 exactly


def test_cubic_slopes_are_the_derivative_of_the_weights():
    t = np.linspace(0.01, 0.99, 50).reshape(1, -1)
    h = 1e-6
    numeric = (cubic_weights(t + h, np) - cubic_weights(t - h, np)) / (2 * h)
    np.testing.assert_allclose(cubic_slopes(t, np), numeric, rtol=0, atol=1e-8)
    np.testing.assert_allclose(cubic_slopes(t, np).sum(axis=1), 0, atol=1e-14)


@pytest.mark.parametrize("padding_mode", ["border", "reflection"])
@pytest.mark.parametrize("align_corners", [True, False])
def test_constant_image_is_reproduced_for_any_grid(padding_mode, align_corners):
    """Every tap is inside after per-tap padding and the weights sum to 1."""
    grid = np.random.default_rng(3).uniform(-4, 4, (2, 5, 6, 2))
    out = grid_sample(np.full((2, 3, 4, 7), 2.5), grid, "bicubic", padding_mode, align_corners).data
    np.testing.assert_allclose(out, 2.5, rtol=1e-14)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_identity_warp_is_exact_on_pixel_centres(padding_mode):
    """At integer coordinates the weights are (0, 1, 0, 0): the input comes back (docs §2.3)."""
    U = _seeded((2, 3, 8, 8))
    b = (2 * np.arange(8) + 1 - 8) / 8
    x, y = np.meshgrid(b, b)
    grid = np.broadcast_to(np.stack([x, y], -1), (2, 8, 8, 2))
    np.testing.assert_array_equal(grid_sample(U, grid, "bicubic", padding_mode).data, U)


def test_bicubic_reads_more_than_the_four_bilinear_neighbours():
    """A sample between pixels 1 and 2 of a row reads pixels 0..3, with negative outer lobes."""
    U = np.zeros((1, 1, 1, 4))
    U[0, 0, 0, 0] = 1.0
    grid = np.array([[[[2 * 1.5 / 3 - 1, 0.0]]]])                  # x = 1.5, align_corners=True
    value = grid_sample(U, grid, "bicubic", "zeros", True).data.item()
    assert value == pytest.approx(kernel(1.5)) and value < 0


def test_nan_in_a_dropped_tap_does_not_leak():
    """A tap outside the image reads the zero ring, never a neighbour times a zero weight."""
    U = np.ones((1, 1, 4, 4))
    U[0, 0, 0, 0] = np.inf
    grid = np.array([[[[1.0, 1.0], [0.9, 0.95]]]])                 # far corner: taps 1..4, inside
    out = grid_sample(U, grid, "bicubic", "zeros", True).data
    assert np.isfinite(out).all()


def test_huge_coordinates_are_safe():
    grid = np.array([1e300, -1e300, 3e38, -3e38]).reshape(1, 1, 2, 2)
    for padding_mode in ("zeros", "border", "reflection"):
        u, g = Tensor(_seeded((1, 1, 3, 3)), requires_grad=True), Tensor(grid, requires_grad=True)
        V = grid_sample(u, g, "bicubic", padding_mode)
        V.backward(np.ones(V.shape))
        assert np.isfinite(V.data).all() and np.isfinite(u.grad).all() and np.isfinite(g.grad).all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(input=np.zeros((1, 1, 2, 2, 2)), grid=np.zeros((1, 1, 1, 1, 3))),
     r"mode 'bicubic' supports only 4-D input .* as in PyTorch"),
    (dict(input=np.zeros((1, 1, 2, 2)), grid=np.zeros((1, 1, 1, 3))), r"grid's last dimension must be 2"),
    (dict(input=np.zeros((1, 1, 0, 2)), grid=np.zeros((1, 1, 1, 2))), r"non-empty spatial dimensions"),
])
def test_bicubic_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        grid_sample(**kwargs, mode="bicubic")


@pytest.mark.parametrize("g, padding_mode, value, gradient", [
    (0.0, "zeros", 25.0, 11.25), (0.0, "reflection", 25.0, 11.25),
    (-4 / 3, "zeros", 4.0625, 14.0625), (-4 / 3, "border", 9.0625, -2.8125),
    (-4 / 3, "reflection", 13.125, -16.875)])
def test_worked_example_of_the_docs(g, padding_mode, value, gradient):
    """docs §15.2: the row [10, 20, 30, 40] at x = 1.5 and x = -0.5 (align_corners=True)."""
    u = Tensor(np.array([[[[10.0, 20, 30, 40]]]]), requires_grad=True)
    grid = Tensor(np.array([[[[g, 0.0]]]]), requires_grad=True)
    V = grid_sample(u, grid, "bicubic", padding_mode, True)
    V.backward(np.ones(V.shape))
    assert V.data.item() == pytest.approx(value, abs=1e-13)
    assert grid.grad[0, 0, 0, 0] == pytest.approx(gradient, abs=1e-13)
    assert grid.grad[0, 0, 0, 1] == 0                    # H = 1, align_corners=True: scale 0
