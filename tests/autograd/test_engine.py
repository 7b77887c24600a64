"""The engine: accumulation, deep graphs, no_grad, dtypes, freeing the graph, user Functions."""
import gc
import sys
import weakref

import numpy as np
import pytest

import ministn
import ministn.functional as F
from ministn import Function, Tensor, gradcheck, no_grad


def leaf(values, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_diamond_graph_accumulates_both_paths():
    # y = a*b + a with a = 2x, b = x + 1, i.e. y = 2x^2 + 4x: x reaches y by three paths
    x = leaf([0.5, -1.5, 3.0])
    a = x * 2
    b = x + 1
    y = (a * b + a).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, 4 * x.data + 4, rtol=1e-15)


def test_tensor_used_twice_in_one_op():
    x = leaf([3.0, -2.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data)


def test_leaf_grad_accumulates_over_two_backward_calls_as_pytorch():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * 4).sum().backward()
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])


def test_ten_thousand_op_chain_does_not_recurse():
    limit = sys.getrecursionlimit()
    x = leaf([1.0])
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0001 ** 10_000], rtol=1e-10)
    assert sys.getrecursionlimit() == limit


def test_no_grad_records_nothing_and_restores_state():
    x = leaf([1.0, 2.0])
    with no_grad():
        y = x * 2
        assert not ministn.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert ministn.is_grad_enabled()
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert ministn.is_grad_enabled()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_graph_is_freed_after_backward():
    x = leaf(np.ones((3, 4)))
    hidden = F.relu(x * 2)
    contexts = [weakref.ref(hidden._creator[1])]
    loss = (hidden * hidden).sum()
    contexts.append(weakref.ref(loss._creator[1]))
    del hidden
    loss.backward()
    gc.collect()
    assert all(ref() is None for ref in contexts), "saved arrays outlive backward"
    assert loss.is_leaf


def test_backward_on_non_scalar_without_grad_raises():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(ValueError, match="grad"):
        y.backward()


def test_backward_with_explicit_grad_of_wrong_shape_raises():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(ValueError, match="grad has shape"):
        y.backward(np.ones(3))


def test_backward_with_explicit_grad_is_a_vector_jacobian_product():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 40.0, 600.0])


def test_broadcasting_gradients_are_summed_to_each_shape():
    x = leaf(np.arange(3.0).reshape(3, 1))
    y = leaf(np.arange(4.0))
    z = x * y + x - y      # (3, 4)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, (y.data.sum() + 4) * np.ones((3, 1)))
    np.testing.assert_array_equal(y.grad, (x.data.sum() - 3) * np.ones(4))


def test_requires_grad_needs_a_float_dtype():
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(np.arange(3), requires_grad=True)


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    y = (x.detach() * x).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, x.data)


class Cube(Function):
    """A user-defined op, written exactly as the built-in ones: y = x^3, dx = 3 x^2 dy."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_out):
        return 3 * ctx.x ** 2 * grad_out


class ScaleAdd(Function):
    """Two inputs and an option: z = alpha * x + y."""

    @staticmethod
    def forward(ctx, x, y, *, alpha):
        ctx.save(alpha=alpha)
        return alpha * x + y

    @staticmethod
    def backward(ctx, grad_out):
        return ctx.alpha * grad_out if ctx.needs_input_grad[0] else None, grad_out


def test_custom_function_trains_through_the_engine():
    x = leaf([0.5, -1.0, 2.0])
    y = Cube.apply(x)
    np.testing.assert_array_equal(y.data, x.data ** 3)
    assert gradcheck(Cube.apply, [x])
    y_const = Tensor(np.array([1.0, 2.0, 3.0]))
    assert gradcheck(lambda a, b: ScaleAdd.apply(a, b, alpha=2.5), [x, y_const])
    x.grad = None
    z = ScaleAdd.apply(y_const, x, alpha=3.0)   # first input needs no grad: backward skips it
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])


def test_a_backward_returning_the_wrong_shape_is_caught():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out  # should be broadcast to x's shape

    with pytest.raises(RuntimeError, match="Broken.backward returned a gradient of shape"):
        Broken.apply(leaf([1.0, 2.0])).backward()


# ---- dtype preservation: float32 stays float32 through every op and its gradient ------------
def _float32_ops():
    rng = np.random.default_rng(0)

    def t(*shape, positive=False):
        data = rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape)
        return Tensor(data.astype(np.float32), requires_grad=True)

    target = np.array([0, 2])
    return {
        "add scalar": lambda: t(3) + 2.5, "radd": lambda: 2.5 + t(3),
        "sub scalar": lambda: t(3) - 1, "rsub": lambda: 1.5 - t(3),
        "mul scalar": lambda: t(3) * 0.1, "rmul": lambda: 0.1 * t(3),
        "div scalar": lambda: t(3) / 3, "rdiv": lambda: 3.0 / t(3, positive=True),
        "mul numpy scalar": lambda: t(3) * np.float64(0.5),
        "pow int": lambda: t(3) ** 2, "pow float": lambda: t(3, positive=True) ** 0.5,
        "add broadcast": lambda: t(2, 3) + t(3), "mul": lambda: t(2, 3) * t(2, 1),
        "div": lambda: t(3) / t(3, positive=True), "neg": lambda: -t(3),
        "exp": lambda: t(3).exp(), "log": lambda: t(3, positive=True).log(),
        "matmul": lambda: t(2, 3) @ t(3, 4), "sum": lambda: t(2, 3).sum(axis=1),
        "mean": lambda: t(2, 3).mean(), "mean axis": lambda: t(2, 3).mean(axis=0, keepdims=True),
        "reshape": lambda: t(2, 3).reshape(3, 2), "permute": lambda: t(2, 3, 4).permute(2, 0, 1),
        "transpose": lambda: t(2, 3).transpose(0, 1), "flatten": lambda: t(2, 3, 2).flatten(1),
        "getitem": lambda: t(4, 3)[np.array([0, 0, 2])], "slice": lambda: t(4, 3)[1:, ::2],
        "relu": lambda: F.relu(t(3)), "tanh": lambda: F.tanh(t(3)), "sigmoid": lambda: F.sigmoid(t(3)),
        "dropout": lambda: F.dropout(t(5), 0.3), "dropout2d": lambda: F.dropout2d(t(2, 3, 2, 2), 0.3),
        "linear": lambda: F.linear(t(2, 3), t(4, 3), t(4)),
        "conv2d": lambda: F.conv2d(t(2, 3, 5, 5), t(4, 3, 3, 3), t(4), stride=2, padding=1),
        "max_pool2d": lambda: F.max_pool2d(t(1, 2, 4, 4), 2),
        "avg_pool2d": lambda: F.avg_pool2d(t(1, 2, 4, 4), 3, stride=1, padding=1),
        "log_softmax": lambda: F.log_softmax(t(2, 3), dim=1),
        "nll_loss": lambda: F.nll_loss(t(2, 3), target),
        "cross_entropy": lambda: F.cross_entropy(t(2, 3), target),
        "cross_entropy none": lambda: F.cross_entropy(t(2, 3), target, reduction="none"),
    }


@pytest.mark.parametrize("name", list(_float32_ops()))
def test_float32_stays_float32_through_forward_and_backward(name):
    out = _float32_ops()[name]()
    assert out.dtype == np.float32, f"{name}: output is {out.dtype}"
    leaves = _leaves(out)
    out.backward(np.ones(out.shape, dtype=np.float32))
    for x in leaves:
        assert x.grad is not None and x.grad.dtype == np.float32, f"{name}: grad is {x.grad.dtype}"


def _leaves(out):
    """Every leaf that requires grad, found by walking the recorded graph."""
    found, stack, seen = [], [out], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node._creator is None:
            found.append(node)
        else:
            stack.extend(x for x in node._creator[2] if x.requires_grad)
    return found


def test_python_float_on_an_integer_tensor_promotes_instead_of_truncating():
    counts = Tensor(np.array([1, 2, 4]))
    assert (counts * 0.5).data.tolist() == [0.5, 1.0, 2.0]
    assert counts.mean().item() == pytest.approx(7 / 3)


def test_mixing_float32_and_float64_tensors_is_an_error_not_an_upcast():
    x32 = Tensor(np.ones(3, np.float32), requires_grad=True)
    x64 = Tensor(np.ones(3, np.float64))
    with pytest.raises(TypeError, match="dtype"):
        x32 + x64
    with pytest.raises(TypeError, match="dtype"):
        F.matmul(x32.reshape(1, 3), x64.reshape(3, 1))
