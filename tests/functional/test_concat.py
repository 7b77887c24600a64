"""F.cat: values, gradients (float64 central differences), PyTorch parity, bad arguments."""
import numpy as np
import pytest

import ministn.functional as F
from ministn import Tensor
from ministn.gradcheck import gradcheck


def test_cat_gradients_and_values():
    rng = np.random.default_rng(0)
    parts = [Tensor(rng.standard_normal((2, c, 3)), requires_grad=True) for c in (1, 3, 2)]
    out = F.cat(parts, dim=1)
    np.testing.assert_array_equal(out.data, np.concatenate([p.data for p in parts], axis=1))
    assert gradcheck(lambda *xs: F.cat(xs, dim=1), parts, rtol=1e-9)


@pytest.mark.parametrize("dim", [0, -1])
def test_cat_equals_torch(dim):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((2, 3)), rng.standard_normal((2, 3))]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = F.cat(ours, dim), torch.cat(theirs, dim)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    for mine, yours in zip(ours, theirs):
        np.testing.assert_array_equal(mine.grad, yours.grad.numpy())


def test_only_inputs_that_need_a_gradient_get_one():
    a, b = Tensor(np.ones((2, 2)), requires_grad=True), Tensor(np.ones((1, 2)))
    F.cat([a, b]).backward(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(a.grad, [[0, 1], [2, 3]])
    assert b.grad is None


def test_bad_arguments():
    with pytest.raises(ValueError, match="non-empty"):
        F.cat([])
    with pytest.raises(ValueError, match=r"tensors\[1\] must match"):
        F.cat([np.ones((2, 2)), np.ones((2, 3))], dim=0)
    with pytest.raises(ValueError, match="dim must be in"):
        F.cat([np.ones((2, 2))], dim=2)
