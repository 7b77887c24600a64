"""ministn.grad and create_graph=True: the semantics of torch.autograd.grad, to any order."""
import numpy as np
import pytest
import torch

import ministn
import ministn.functional as F
from ministn import Function, Tensor, grad, gradgradcheck
from ministn.gradcheck import GradcheckError


def leaf(values):
    return Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def torch_leaf(values):
    return torch.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_third_order_of_a_scalar_function_matches_torch():
    values = [0.3, -1.2, 2.0]
    x, tx = leaf(values), torch_leaf(values)
    y, ty = (x ** 3 * x.exp()).sum(), (tx ** 3 * tx.exp()).sum()
    for _ in range(3):  # f', f'', f''' (each summed, so the next one is elementwise again)
        (x_grad,) = grad(y, x, create_graph=True)
        (tx_grad,) = torch.autograd.grad(ty, tx, create_graph=True)
        np.testing.assert_allclose(x_grad.numpy(), tx_grad.detach().numpy(), rtol=1e-13)
        y, ty = x_grad.sum(), tx_grad.sum()


def test_grad_returns_a_tuple_and_leaves_dot_grad_alone():
    x = leaf([1.0, 2.0])
    result = grad((x * x).sum(), x)
    assert isinstance(result, tuple) and len(result) == 1
    np.testing.assert_array_equal(result[0].numpy(), [2.0, 4.0])
    assert x.grad is None and not result[0].requires_grad


def test_unused_input_raises_unless_allow_unused_as_torch():
    x, z = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match=r"inputs\[1\] was not used.*allow_unused=True"):
        grad((x * 3).sum(), [x, z])
    gx, gz = grad((x * 3).sum(), [x, z], allow_unused=True)
    tx, tz = torch_leaf([1.0]), torch_leaf([2.0])
    tgx, tgz = torch.autograd.grad((tx * 3).sum(), [tx, tz], allow_unused=True)
    assert gz is None and tgz is None
    np.testing.assert_array_equal(gx.numpy(), tgx.numpy())


def test_grad_outputs_that_require_grad_are_differentiated_too():
    # g = d<v, x^2 sin-free>/dx = 2 x v; then d(sum g * w)/dx = 2 v w, d/dv = 2 x w
    x, v = leaf([0.5, -1.0, 2.0]), leaf([1.5, 0.25, -2.0])
    tx, tv = torch_leaf(x.data), torch_leaf(v.data)
    (g,) = grad(x * x * x, x, v, create_graph=True)
    (tg,) = torch.autograd.grad(tx * tx * tx, tx, tv, create_graph=True)
    w = np.array([1.0, -3.0, 0.5])
    ours = grad((g * w).sum(), [x, v])
    theirs = torch.autograd.grad((tg * torch.tensor(w)).sum(), [tx, tv])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-14)


def test_non_leaf_inputs_and_several_outputs():
    x, tx = leaf([0.5, 1.5]), torch_leaf([0.5, 1.5])
    h, th = x * 2, tx * 2
    outs = [h.exp(), (h * h).sum()]
    touts = [th.exp(), (th * th).sum()]
    v = np.array([1.0, -1.0])
    (g,) = grad(outs, h, [Tensor(v), None])
    (tg,) = torch.autograd.grad(touts, th, [torch.tensor(v), None])
    np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-14)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_leaves_differentiable_grads():
    x, tx = leaf([0.5, -2.0]), torch_leaf([0.5, -2.0])
    (x ** 4).sum().backward(create_graph=True)
    (tx ** 4).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    (second,) = grad(x.grad.sum(), x)
    (tsecond,) = torch.autograd.grad(tx.grad.sum(), tx)
    np.testing.assert_allclose(second.numpy(), tsecond.numpy(), rtol=1e-14)


def test_create_graph_keeps_the_graph_and_first_order_frees_it():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    grad(y, x, create_graph=True)
    (again,) = grad(y, x)                       # still there: retain_graph = create_graph
    np.testing.assert_array_equal(again.numpy(), [2.0, 4.0])
    assert y.is_leaf                           # first order freed it
    with pytest.raises(RuntimeError, match="does not require grad|not used"):
        grad(y * 1.0, x)


def test_outputs_and_inputs_must_require_grad():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match=r"outputs\[0\] does not require grad"):
        grad(Tensor(np.ones(1)), x)
    with pytest.raises(RuntimeError, match=r"inputs\[0\] does not require grad"):
        grad((x * 2).sum(), Tensor(np.ones(1)))
    x2 = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match="non-scalar"):
        grad(x2 * 2, x2)


class Cube(Function):
    """y = x^3 with only a first-order backward."""
    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_out):
        return 3 * ctx.x ** 2 * grad_out


def test_an_op_without_second_derivative_refuses_create_graph_clearly():
    x = leaf([2.0])
    (g,) = grad(Cube.apply(x).sum(), x)        # first order works
    assert g.item() == 12.0
    with pytest.raises(NotImplementedError, match="Cube has no second derivative"):
        grad(Cube.apply(x).sum(), x, create_graph=True)


class WrongSecondOrder(Cube):
    """Right first order, wrong second: d(3 x^2 dy)/dx should be 6 x dy, this says 5 x dy."""
    @staticmethod
    def differentiable_backward(ctx, inputs, output, grad_out):
        # 2.5 x^2 + 0.5 * 1.5^2 equals 3 x^2 only at x = 1.5: right value there, wrong slope
        x = inputs[0]
        return (x * x * 2.5 + 0.5 * 1.5 ** 2) * grad_out


def test_gradgradcheck_catches_a_wrong_double_backward():
    x = leaf([1.5])
    with pytest.raises(GradcheckError, match="disagrees with central differences"):
        gradgradcheck(WrongSecondOrder.apply, [x])


def test_gradgradcheck_catches_a_create_graph_gradient_that_differs_from_first_order():
    x = leaf([0.5, 2.0])
    with pytest.raises(GradcheckError, match="create_graph=True differs"):
        gradgradcheck(WrongSecondOrder.apply, [x])


def test_gradgradcheck_accepts_a_right_one_and_a_zero_second_derivative():
    x = leaf([0.7, -1.3])
    assert gradgradcheck(lambda a: (a * a * a).exp(), [x])
    assert gradgradcheck(lambda a: a * 2.0, [x])        # gradient independent of x


def test_gradient_penalty_through_a_small_network_matches_torch():
    # || d loss / d input ||^2, differentiated with respect to the weights (WGAN-GP style)
    rng = np.random.default_rng(3)
    images, w1, w2 = rng.standard_normal((4, 1, 6, 6)), rng.standard_normal((3, 1, 3, 3)), rng.standard_normal((5, 12))
    labels = np.array([0, 4, 2, 1])

    def penalty(lib, x, a, b):
        h = lib.max_pool2d(lib.tanh(lib.conv2d(x, a, padding=1)), 3)
        loss = lib.cross_entropy(lib.linear(h.reshape(4, 12), b), labels_of(lib))
        (gx,) = (grad if lib is F else torch.autograd.grad)(loss, x, create_graph=True)
        return (gx * gx).sum()

    def labels_of(lib):
        return labels if lib is F else torch.tensor(labels)

    x, a, b = leaf(images), leaf(w1), leaf(w2)
    ours = grad(penalty(F, x, a, b), [a, b])
    tx, ta, tb = torch_leaf(images), torch_leaf(w1), torch_leaf(w2)
    theirs = torch.autograd.grad(penalty(torch.nn.functional, tx, ta, tb), [ta, tb])
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)
