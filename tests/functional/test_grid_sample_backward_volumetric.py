"""grid_sample's second order for 5-D (trilinear, nearest) and 4-D bicubic: gradgradcheck on
kink-free cases (volume_strategies, spatial_strategies) and parity with PyTorch 2.13's double
backward of grid_sample in every padding mode x align_corners, alone and after affine_grid 3-D.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import ministn.functional as F
from ministn import Tensor, grad, gradgradcheck
from ministn.functional.cubic import cubic_curvatures, cubic_slopes, cubic_weights
from spatial_strategies import sampler_case
from volume_strategies import BICUBIC_COMBINATIONS, VOLUME_COMBINATIONS, volume_case

TOLERANCE = 1e-10


def leaf(array):
    return Tensor(np.array(array, dtype=np.float64), requires_grad=True)


def sampler(mode, padding_mode, align_corners):
    return lambda u, g: F.grid_sample(u, g, mode=mode, padding_mode=padding_mode,
                                      align_corners=align_corners)


@settings(max_examples=6, deadline=None)
@pytest.mark.parametrize("mode,padding_mode,align_corners", VOLUME_COMBINATIONS)
@given(data=st.data())
def test_volumetric_grid_sample_is_twice_differentiable(mode, padding_mode, align_corners, data):
    U, grid = data.draw(volume_case(mode, padding_mode, align_corners, max_size=3))
    fn = sampler(mode, padding_mode, align_corners)
    assert gradgradcheck(fn, [leaf(U), leaf(grid)])
    assert gradgradcheck(lambda u, g: fn(u, g) ** 2, [leaf(U), leaf(grid)])


@settings(max_examples=6, deadline=None)
@pytest.mark.parametrize("padding_mode,align_corners", BICUBIC_COMBINATIONS)
@given(data=st.data())
def test_bicubic_grid_sample_is_twice_differentiable(padding_mode, align_corners, data):
    U, grid = data.draw(sampler_case("bicubic", padding_mode, align_corners, max_size=4))
    fn = sampler("bicubic", padding_mode, align_corners)
    # as in the first-order bicubic check: the cubic weights sum to 1 only to rounding, so where
    # every tap reads one pixel (a 1 x 1 image under border padding) the true grid gradient is 0
    # and central differences return rounding noise, 1e-16 |s| / 1e-6 with s the checked scalar
    # (a sum of ~10 products of O(1) tangents and gradients): ~1e-9. A whole gradient below
    # 1e-8 counts as zero; the relative bound stays 1e-6
    assert gradgradcheck(fn, [leaf(U), leaf(grid)], atol=1e-8)
    assert gradgradcheck(lambda u, g: fn(u, g) ** 2, [leaf(U), leaf(grid)], atol=1e-8)


def test_cubic_curvatures_are_the_second_derivatives_of_the_weights():
    # the hand-derived w'' (cubic.py) against the slopes' central differences, and against the
    # product rule that the differentiable backward applies to the weights written from ops
    t = np.random.default_rng(0).uniform(0.01, 0.99, (2, 7))
    h = 1e-6
    numeric = (cubic_slopes(t + h, np) - cubic_slopes(t - h, np)) / (2 * h)
    np.testing.assert_allclose(cubic_curvatures(t, np), numeric, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(cubic_weights(t, np).sum(axis=1), 1.0, rtol=1e-14)
    grid = leaf(2 * (np.array([[[[0.3, 1.2]]]]) + 0.5) / 4 - 1)     # pixel (0.3, 1.2) of 4 x 4
    U = Tensor(np.random.default_rng(1).standard_normal((1, 1, 4, 4)))
    (g,) = grad(F.grid_sample(U, grid, mode="bicubic").sum(), [grid], create_graph=True)
    (hx,) = grad(g[..., 0].sum(), [grid])                          # d2V/dgx dg, two columns
    ty, tx = np.array([[0.2]]), np.array([[0.3]])
    wy, cx = cubic_weights(ty, np)[0, :, 0], cubic_curvatures(tx, np)[0, :, 0]
    pixels = U.data[0, 0, 0:4, 0:4]                                # rows y0 - 1 ... y0 + 2
    expected = (wy[:, None] * cx[None, 1:] * pixels[:, :3]).sum() * (4 / 2) ** 2
    np.testing.assert_allclose(hx.data[0, 0, 0, 0], expected, rtol=1e-12)


def _second_order(lib, grad_fn, make, wrap, fn, arrays, v, tangents):
    """First-order gradients, then the gradient of <gradients, tangents> in (inputs, upstream)."""
    xs, upstream = [make(a) for a in arrays], make(v)
    gs = grad_fn(fn(lib, *xs), xs, upstream, create_graph=True)
    total = sum((g * wrap(u)).sum() for g, u in zip(gs, tangents))
    second = grad_fn(total, xs + [upstream], allow_unused=True)
    as_array = lambda t, a: np.zeros(a.shape) if t is None else (  # noqa: E731
        t.detach().numpy() if isinstance(t, torch.Tensor) else t.numpy())
    return [as_array(g, a) for g, a in zip(list(gs) + list(second), arrays + arrays + [v])]


def assert_same_second_order(fn, arrays, out_shape, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(out_shape)
    tangents = [rng.standard_normal(a.shape) for a in arrays]
    ours = _second_order(F, grad, leaf, Tensor, fn, arrays, v, tangents)
    theirs = _second_order(TF, torch.autograd.grad, lambda a: torch.tensor(a, requires_grad=True),
                           torch.tensor, fn, arrays, v, tangents)
    # the input gradient and the gradient in the upstream gradient are never identically zero
    assert np.abs(theirs[0]).max() > 0 and np.abs(theirs[-1]).max() > 0
    for i, (o, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(o, t, rtol=TOLERANCE, atol=TOLERANCE * max(1.0, np.abs(t).max()),
                                   err_msg=f"result {i}")


@pytest.mark.parametrize("mode,padding_mode,align_corners", VOLUME_COMBINATIONS)
def test_volumetric_second_order_matches_torch(mode, padding_mode, align_corners):
    rng = np.random.default_rng([5, len(mode), len(padding_mode), align_corners])
    U, grid = rng.standard_normal((2, 2, 3, 5, 4)), rng.uniform(-1.3, 1.3, (2, 2, 3, 2, 3))

    def fn(lib, u, g):
        return lib.grid_sample(u, g, mode=mode, padding_mode=padding_mode,
                               align_corners=align_corners)
    assert_same_second_order(fn, [U, grid], (2, 2, 2, 3, 2))


@pytest.mark.parametrize("padding_mode,align_corners", BICUBIC_COMBINATIONS)
def test_bicubic_second_order_matches_torch(padding_mode, align_corners):
    """PyTorch 2.13 has a double backward for bicubic grid_sample: compared directly."""
    rng = np.random.default_rng([7, len(padding_mode), align_corners])
    U, grid = rng.standard_normal((2, 3, 5, 4)), rng.uniform(-1.4, 1.4, (2, 3, 4, 2))

    def fn(lib, u, g):
        return lib.grid_sample(u, g, mode="bicubic", padding_mode=padding_mode,
                               align_corners=align_corners)
    assert_same_second_order(fn, [U, grid], (2, 3, 3, 4))


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_3d_composed_with_volumetric_grid_sample_matches_torch(mode, align_corners):
    rng = np.random.default_rng(13)
    U = rng.standard_normal((2, 2, 4, 5, 3))
    theta = np.eye(3, 4) + 0.3 * rng.standard_normal((2, 3, 4))
    size = (2, 2, 3, 4, 2)

    def fn(lib, u, t):
        return lib.grid_sample(u, lib.affine_grid(t, size, align_corners=align_corners), mode=mode,
                               align_corners=align_corners)
    assert_same_second_order(fn, [U, theta], size)
