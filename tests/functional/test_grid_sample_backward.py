"""grid_sample's second order (2-D bilinear and nearest): gradgradcheck and PyTorch parity.

Grids are kink-free by construction (spatial_strategies.sampler_case); parity with PyTorch 2.13's
double backward of grid_sample in every mode x padding x align_corners, alone and composed with
affine_grid, and a gradient penalty through the tutorial's ST-CNN.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import ministn.functional as F
from ministn import Tensor, grad, gradgradcheck, manual_seed
from spatial_strategies import COMBINATIONS, sampler_case

TOLERANCE = 1e-10


def leaf(array):
    return Tensor(np.array(array, dtype=np.float64), requires_grad=True)


@settings(max_examples=8)
@pytest.mark.parametrize("mode,padding_mode,align_corners", COMBINATIONS)
@given(data=st.data())
def test_grid_sample_is_twice_differentiable(mode, padding_mode, align_corners, data):
    U, grid = data.draw(sampler_case(mode, padding_mode, align_corners, max_size=4))
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    assert gradgradcheck(lambda u, g: F.grid_sample(u, g, **options), [leaf(U), leaf(grid)])
    assert gradgradcheck(lambda u, g: F.grid_sample(u, g, **options) ** 2, [leaf(U), leaf(grid)])


def _second_order(lib, grad_fn, make, wrap, fn, arrays, v, tangents):
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
    for i, (o, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(o, t, rtol=TOLERANCE, atol=TOLERANCE * max(1.0, np.abs(t).max()),
                                   err_msg=f"result {i}")


@pytest.mark.parametrize("mode,padding_mode,align_corners", COMBINATIONS)
def test_grid_sample_second_order_matches_torch(mode, padding_mode, align_corners):
    rng = np.random.default_rng([3, len(mode), len(padding_mode), align_corners])
    U, grid = rng.standard_normal((2, 3, 5, 4)), rng.uniform(-1.3, 1.3, (2, 3, 4, 2))

    def fn(lib, u, g):
        return lib.grid_sample(u, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    assert_same_second_order(fn, [U, grid], (2, 3, 3, 4))


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_composed_with_grid_sample_matches_torch(align_corners):
    rng = np.random.default_rng(11)
    U, theta = rng.standard_normal((2, 2, 6, 5)), np.eye(2, 3) + 0.3 * rng.standard_normal((2, 2, 3))

    def fn(lib, u, t):
        return lib.grid_sample(u, lib.affine_grid(t, (2, 2, 4, 3), align_corners=align_corners),
                               align_corners=align_corners)
    assert_same_second_order(fn, [U, theta], (2, 2, 4, 3))


def test_gradient_penalty_through_the_tutorial_st_cnn_matches_torch():
    """The squared norm of the loss's input gradient, differentiated with respect to every
    weight, in float32 from the same weights as PyTorch. The regression layer is moved off its
    initial identity: the identity grid puts every sample exactly on a pixel centre, a kink of
    bilinear sampling where the one-sided derivatives the two libraries pick can differ."""
    from ministn.bench.models import torch_tutorial
    from ministn.models import build
    manual_seed(0)
    ours = build("tutorial")
    ours.train(False)
    rng = np.random.default_rng(0)
    regression = ours.transformer.regression
    regression.weight.data[...] = 0.01 * rng.standard_normal(regression.weight.shape)
    regression.bias.data[...] += 0.05 * rng.standard_normal(regression.bias.shape)
    theirs = torch_tutorial(torch, True)
    theirs.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in ours.state_dict().items()})
    theirs.eval()
    images = rng.uniform(0, 1, (4, 1, 28, 28)).astype(np.float32)
    labels = np.array([3, 1, 4, 1])
    names, params = zip(*ours.named_parameters())
    x = Tensor(images, requires_grad=True)
    (gx,) = grad(F.cross_entropy(ours(x), labels), x, create_graph=True)
    penalty = grad((gx * gx).sum(), list(params))
    tx = torch.tensor(images, requires_grad=True)
    (tgx,) = torch.autograd.grad(TF.cross_entropy(theirs(tx), torch.tensor(labels)), tx,
                                 create_graph=True)
    theirs_penalty = torch.autograd.grad((tgx * tgx).sum(), list(theirs.parameters()))
    for name, o, t in zip(names, penalty, theirs_penalty):
        o, t = o.numpy(), t.numpy()
        assert o.dtype == np.float32
        np.testing.assert_allclose(o, t, rtol=0, atol=1e-5 * np.abs(t).max(), err_msg=name)


def test_grid_that_depends_on_the_input_gets_partial_not_total_derivatives():
    # theta computed from U itself, as in a spatial transformer: grid_sample's differentiable
    # backward must take its partial derivatives in U and in the grid, not total ones
    rng = np.random.default_rng(4)
    U = leaf(rng.standard_normal((2, 1, 5, 5)))
    mix = rng.standard_normal((25, 6)) * 0.05
    identity = np.array([1.0, 0.0, 0.1, 0.0, 1.0, -0.1])

    def transformer(u):
        theta = (F.tanh(u.reshape(2, 25) @ Tensor(mix)) + identity).reshape(2, 2, 3)
        return F.grid_sample(u, F.affine_grid(theta, (2, 1, 4, 4)), padding_mode="border")
    assert gradgradcheck(transformer, [U])
