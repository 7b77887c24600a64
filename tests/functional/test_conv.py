"""conv2d: gradients, adjoint identity, values vs the naive loop (im2col: test_im2col.py)."""
import numpy as np
from hypothesis import given, settings

import naive_layers as naive
import ministn.functional as F
from ministn import Tensor, gradcheck
from ministn.backend import to_numpy
from ministn.gradcheck import check_adjoint
from strategies import conv_cases, generator, normal


def leaf(array):
    return Tensor(array, requires_grad=True)


def _inputs(case):
    rng = generator(case["seed"])
    x, w = leaf(normal(rng, case["x_shape"])), leaf(normal(rng, case["w_shape"]))
    return [x, w] + ([leaf(normal(rng, case["w_shape"][:1]))] if case["bias"] else [])


@settings(max_examples=15)
@given(case=conv_cases())
def test_conv2d_grad_wrt_input_weight_bias_matches_central_differences(case):
    options = dict(stride=case["stride"], padding=case["padding"])
    assert gradcheck(lambda *args: F.conv2d(*args, **options), _inputs(case))


@given(case=conv_cases())
def test_conv2d_forward_matches_naive_loop(case):
    x, w, *bias = (t.data for t in _inputs(case))
    b = bias[0] if bias else None
    expected = naive.conv2d(x, w, b, case["stride"], case["padding"])
    y = F.conv2d(x, w, b, stride=case["stride"], padding=case["padding"]).data
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@given(case=conv_cases())
def test_conv2d_adjoint_identity_in_the_input(case):
    x, w, *_ = _inputs(case)
    assert check_adjoint(lambda a: F.conv2d(a, w.data, stride=case["stride"],
                                            padding=case["padding"]), x)


def test_layers_run_on_each_backend_and_equal_numpy(xp):
    """The same ops on CuPy (where a GPU exists) agree with NumPy and keep their data there."""
    rng = generator(0)
    x, w, b = normal(rng, (2, 3, 6, 6)), normal(rng, (4, 3, 3, 3)), normal(rng, (4,))
    fc, target = normal(rng, (5, 16)), np.array([0, 4])

    def network(x, w, b, fc):
        h = F.max_pool2d(F.relu(F.conv2d(x, w, b, stride=1, padding=1)), 2)
        h = F.avg_pool2d(h, 3, stride=1, padding=1)[:, :, :2, :2]
        return F.cross_entropy(F.linear(F.flatten(h, 1), fc), target)

    results = []
    for module in dict.fromkeys([np, xp]):  # numpy, then xp when it is another backend
        tensors = [Tensor(module.asarray(a), requires_grad=True) for a in (x, w, b, fc)]
        loss = network(*tensors)
        loss.backward()
        assert all(type(t.grad) is module.ndarray for t in tensors)
        results.append([float(loss.item())] + [to_numpy(t.grad) for t in tensors])
    for a, c in zip(results[0], results[-1]):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)
