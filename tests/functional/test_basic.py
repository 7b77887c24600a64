"""Arithmetic, reductions and shape ops: gradients vs central differences, values vs NumPy/torch."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ministn.functional as F
from ministn import Tensor, gradcheck
from strategies import broadcast_shapes, generator, normal, positive, reductions, seeds, shapes

BINARY = {"add": (F.add, np.add), "sub": (F.sub, np.subtract),
          "mul": (F.mul, np.multiply), "div": (F.div, np.divide)}


def leaf(array):
    return Tensor(array, requires_grad=True)


@pytest.mark.parametrize("name", list(BINARY))
@given(shapes=broadcast_shapes(), seed=seeds)
def test_binary_op_grad_wrt_both_inputs_matches_central_differences(name, shapes, seed):
    op, reference = BINARY[name]
    rng = generator(seed)
    x = leaf(normal(rng, shapes[0]))
    y = leaf(positive(rng, shapes[1]) if name == "div" else normal(rng, shapes[1]))
    np.testing.assert_array_equal(op(x, y).data, reference(x.data, y.data))
    assert gradcheck(op, [x, y])


@given(shape=shapes(), seed=seeds, exponent=st.sampled_from([2, 3, -1, 0.5, 1.5, -2.5]))
def test_pow_grad_matches_central_differences(shape, seed, exponent):
    x = leaf(positive(generator(seed), shape))
    np.testing.assert_array_equal((x ** exponent).data, x.data ** exponent)
    assert gradcheck(lambda a: a ** exponent, [x])


@pytest.mark.parametrize("name", ["neg", "exp", "log"])
@given(shape=shapes(), seed=seeds)
def test_unary_op_grad_matches_central_differences(name, shape, seed):
    op, reference = getattr(F, name), getattr(np, "negative" if name == "neg" else name)
    x = leaf(positive(generator(seed), shape) if name == "log" else normal(generator(seed), shape))
    np.testing.assert_array_equal(op(x).data, reference(x.data))
    assert gradcheck(op, [x])


@st.composite
def matmul_shapes(draw):
    """(..., n, k) @ (..., k, m) with broadcast batch axes."""
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch_x, batch_y = draw(broadcast_shapes()) if draw(st.booleans()) else ((), ())
    return batch_x + (n, k), batch_y + (k, m)


@given(shapes=matmul_shapes(), seed=seeds)
def test_matmul_grad_wrt_both_inputs_matches_central_differences(shapes, seed):
    rng = generator(seed)
    x, y = leaf(normal(rng, shapes[0])), leaf(normal(rng, shapes[1]))
    np.testing.assert_allclose((x @ y).data, x.data @ y.data, rtol=1e-14)
    assert gradcheck(F.matmul, [x, y])


@pytest.mark.parametrize("name", ["sum", "mean"])
@given(data=st.data(), seed=seeds, keepdims=st.booleans())
def test_reduction_grad_matches_central_differences(name, data, seed, keepdims):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(reductions(shape))
    x = leaf(normal(generator(seed), shape))
    out = getattr(F, name)(x, axis, keepdims)
    np.testing.assert_allclose(out.data, getattr(np, name)(x.data, axis=axis, keepdims=keepdims),
                               rtol=1e-14)
    assert gradcheck(lambda a: getattr(F, name)(a, axis, keepdims), [x])


@given(shape=shapes(min_dims=1, max_dims=4), seed=seeds, data=st.data())
def test_shape_ops_grad_matches_central_differences(shape, seed, data):
    x = leaf(normal(generator(seed), shape))
    dims = tuple(data.draw(st.permutations(range(len(shape)))))
    np.testing.assert_array_equal(x.permute(*dims).data, x.data.transpose(dims))
    assert gradcheck(lambda a: a.permute(*dims), [x])
    assert gradcheck(lambda a: a.reshape(-1, 1), [x])
    assert gradcheck(lambda a: a.transpose(0, -1), [x])
    start = data.draw(st.integers(0, len(shape) - 1))
    assert F.flatten(x, start).shape == shape[:start] + (int(np.prod(shape[start:])),)
    assert gradcheck(lambda a: F.flatten(a, start), [x])


@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds, data=st.data())
def test_getitem_with_repeated_indices_accumulates(shape, seed, data):
    x = leaf(normal(generator(seed), shape))
    index = np.array(data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=6)))
    np.testing.assert_array_equal(x[index].data, x.data[index])
    assert gradcheck(lambda a: a[index], [x])
    assert gradcheck(lambda a: a[..., ::2], [x])


# ---- torch parity: forward and every gradient to 1e-10 in float64 ---------------------------
@pytest.mark.parametrize("name", list(BINARY) + ["matmul"])
def test_binary_ops_equal_torch(name):
    torch = pytest.importorskip("torch")
    rng = generator(7)
    x, y = normal(rng, (2, 1, 3)), positive(rng, (3, 1) if name != "matmul" else (3, 2))
    mx, my = leaf(x), leaf(y)
    tx, ty = (torch.tensor(a, requires_grad=True) for a in (x, y))
    out = F.matmul(mx, my) if name == "matmul" else BINARY[name][0](mx, my)
    t_out = getattr(torch, name)(tx, ty)
    upstream = normal(rng, out.shape)
    out.backward(upstream)
    t_out.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(mx.grad, tx.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(my.grad, ty.grad.numpy(), rtol=0, atol=1e-10)
