"""Second derivatives equal PyTorch's (float64, 1e-10): grad with create_graph=True, then again.

For each op, with a random upstream gradient v that itself requires grad and random tangents u
of the first-order gradients, both libraries compute g = grad(f(x), x, v, create_graph=True)
and then grad(sum <u, g>, (x, v)): the Hessian-vector products and the Jacobian applied to u.
An input the gradient does not depend on (relu, max-pool, affine_grid) gives None in one
library or zeros in the other; both are compared as zeros.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ministn.functional as F
from ministn import Tensor, grad

TOLERANCE = 1e-10


def _second_order(lib_grad, make_leaf, fn, arrays, v, tangents):
    xs = [make_leaf(a) for a in arrays]
    upstream = make_leaf(v)
    gs = lib_grad(fn(*xs), xs, upstream, create_graph=True, allow_unused=True)
    total = (upstream * 0.0).sum()
    for g, u in zip(gs, tangents):
        total = total if g is None else total + (g * wrap_like(g, u)).sum()
    second = lib_grad(total, xs + [upstream], allow_unused=True)
    return [_array(g, a.shape) for g, a in zip(gs, arrays)], \
           [_array(g, a.shape) for g, a in zip(second, arrays + [v])]


def wrap_like(t, array):
    return torch.tensor(array) if isinstance(t, torch.Tensor) else Tensor(array)


def _array(g, shape):
    if g is None:
        return np.zeros(shape)
    return g.detach().numpy() if isinstance(g, torch.Tensor) else g.numpy()


def _torch_leaf(a):
    return torch.tensor(a, requires_grad=True)


def _ours_leaf(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def assert_same_second_order(ours_fn, torch_fn, arrays, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    v = rng.standard_normal(ours_fn(*[Tensor(a) for a in arrays]).shape)
    tangents = [rng.standard_normal(a.shape) for a in arrays]
    ours = _second_order(grad, _ours_leaf, ours_fn, arrays, v, tangents)
    theirs = _second_order(torch.autograd.grad, _torch_leaf, torch_fn, arrays, v, tangents)
    for order, (o_list, t_list) in enumerate(zip(ours, theirs), start=1):
        for i, (o, t) in enumerate(zip(o_list, t_list)):
            scale = max(1.0, np.abs(t).max(initial=0.0))
            np.testing.assert_allclose(o, t, rtol=TOLERANCE, atol=TOLERANCE * scale,
                                       err_msg=f"order {order}, input {i}")


def normal(*shape, seed=1):
    return np.random.default_rng([seed, *shape]).standard_normal(shape)


def separated(*shape, seed=2):
    """Distinct values 0.1 apart: every pooling window has one clear maximum."""
    size = int(np.prod(shape))
    return ((np.random.default_rng(seed).permutation(size) - size / 2) * 0.1).reshape(shape)


@pytest.mark.parametrize("stride,padding,bias", [(1, 0, True), (2, 1, False), (2, 2, True)])
def test_conv2d(stride, padding, bias):
    arrays = [normal(2, 3, 7, 6), normal(4, 3, 3, 2)] + ([normal(4)] if bias else [])
    assert_same_second_order(lambda *a: F.conv2d(*a, stride=stride, padding=padding) ** 2,
                             lambda *a: TF.conv2d(*a, stride=stride, padding=padding) ** 2,
                             arrays)


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), ((2, 3), 1, 1)])
def test_max_and_avg_pool2d(kernel, stride, padding):
    x = separated(2, 3, 6, 7)
    for ours, theirs in ((F.max_pool2d, TF.max_pool2d), (F.avg_pool2d, TF.avg_pool2d)):
        assert_same_second_order(lambda a: ours(a, kernel, stride, padding) ** 2,
                                 lambda a: theirs(a, kernel, stride, padding) ** 2, [x])
        assert_same_second_order(lambda a: ours(a, kernel, stride, padding),
                                 lambda a: theirs(a, kernel, stride, padding), [x])


def test_relu_tanh_sigmoid():
    x = np.where(np.abs(normal(3, 5)) < 0.1, 0.5, normal(3, 5))   # away from relu's kink
    for ours, theirs in ((F.relu, torch.relu), (F.tanh, torch.tanh), (F.sigmoid, torch.sigmoid)):
        assert_same_second_order(ours, theirs, [x])
        assert_same_second_order(lambda a: ours(a) * ours(a), lambda a: theirs(a) * theirs(a), [x])


def test_linear_with_log_softmax():
    arrays = [normal(4, 5), normal(3, 5), normal(3)]
    assert_same_second_order(lambda *a: F.log_softmax(F.linear(*a), dim=1),
                             lambda *a: TF.log_softmax(TF.linear(*a), dim=1), arrays)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy(reduction):
    target = np.array([2, 0, 1, 2, 4])
    arrays = [normal(5, 5)]
    assert_same_second_order(lambda z: F.cross_entropy(z, target, reduction),
                             lambda z: TF.cross_entropy(z, torch.tensor(target), reduction=reduction),
                             arrays)


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid(align_corners):
    theta = np.eye(2, 3) + 0.3 * normal(2, 2, 3)
    size = (2, 1, 4, 5)
    assert_same_second_order(lambda t: F.affine_grid(t, size, align_corners),
                             lambda t: TF.affine_grid(t, size, align_corners), [theta])
    assert_same_second_order(lambda t: F.tanh(F.affine_grid(t, size, align_corners)),
                             lambda t: torch.tanh(TF.affine_grid(t, size, align_corners)), [theta])


def test_basic_ops_with_broadcasting():
    x, y = normal(3, 4), np.abs(normal(4)) + 0.5
    assert_same_second_order(lambda a, b: (a / b) * a.exp() - b ** 3,
                             lambda a, b: (a / b) * a.exp() - b ** 3, [x, y])
    m = normal(2, 4, 3)
    assert_same_second_order(lambda a, b: ((a @ b) ** 2).sum(axis=1),
                             lambda a, b: ((a @ b) ** 2).sum(dim=1), [x, m])
    assert_same_second_order(lambda a: (a.log() * a[[0, 0, 2]]).mean(axis=0),
                             lambda a: (a.log() * a[[0, 0, 2]]).mean(dim=0), [np.abs(x) + 0.5])
