"""max_pool2d and avg_pool2d: gradients (away from ties), values vs the naive loop, and max
pooling's tie rule (the first maximum in the window wins, as in PyTorch)."""
import numpy as np
import pytest
from hypothesis import given

import naive_layers as naive
import ministn.functional as F
from ministn import Tensor, gradcheck
from ministn.functional.pool import first_maximum
from ministn.gradcheck import check_adjoint
from strategies import generator, normal, pool_cases, well_separated

POOLS = {"max_pool2d": (F.max_pool2d, naive.max_pool2d),
         "avg_pool2d": (F.avg_pool2d, naive.avg_pool2d)}


def _options(case):
    return dict(kernel_size=case["kernel_size"], stride=case["stride"], padding=case["padding"])


@pytest.mark.parametrize("name", list(POOLS))
@given(case=pool_cases())
def test_pool_grad_matches_central_differences(name, case):
    # distinct values 0.1 apart: each max window has a unique maximum, far from a tie
    x = Tensor(well_separated(generator(case["seed"]), case["x_shape"]), requires_grad=True)
    op = POOLS[name][0]
    assert gradcheck(lambda a: op(a, **_options(case)), [x])


@pytest.mark.parametrize("name", list(POOLS))
@given(case=pool_cases())
def test_pool_forward_matches_naive_loop(name, case):
    op, reference = POOLS[name]
    x = normal(generator(case["seed"]), case["x_shape"])
    k = case["kernel_size"]
    kernel = (k, k) if isinstance(k, int) else k
    stride = kernel if case["stride"] is None else (case["stride"], case["stride"])
    expected = reference(x, kernel, stride, case["padding"])
    y = op(x, **_options(case)).data
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-14, atol=1e-15)


@given(case=pool_cases())
def test_avg_pool2d_adjoint_identity(case):
    x = Tensor(normal(generator(case["seed"]), case["x_shape"]))
    assert check_adjoint(lambda a: F.avg_pool2d(a, **_options(case)), x)


def test_max_pool2d_routes_the_gradient_to_the_maximum_only():
    x = Tensor(np.array([[[[1.0, 5.0], [3.0, 2.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).backward(np.array([[[[7.0]]]]))
    np.testing.assert_array_equal(x.grad, [[[[0.0, 7.0], [0.0, 0.0]]]])


def test_max_pool2d_gives_a_tie_to_the_first_maximum_in_the_window():
    # windows (row-major taps): all equal; max at taps 1 and 3; max at taps 2 and 3
    x = Tensor(np.array([[[[4.0, 4.0, 0.0, 9.0, 1.0, 2.0],
                           [4.0, 4.0, 0.0, 9.0, 7.0, 7.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).backward(np.array([[[[1.0, 2.0, 3.0]]]]))
    np.testing.assert_array_equal(x.grad, [[[[1.0, 0.0, 0.0, 2.0, 0.0, 0.0],
                                              [0.0, 0.0, 0.0, 0.0, 3.0, 0.0]]]])


def test_max_pool2d_tie_rule_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).integers(0, 3, (2, 3, 6, 6)).astype(np.float64)  # many ties
    upstream = np.random.default_rng(1).standard_normal((2, 3, 3, 3))
    ours = Tensor(x, requires_grad=True)
    F.max_pool2d(ours, 2).backward(upstream)
    theirs = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(theirs, 2).backward(torch.tensor(upstream))
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_first_maximum_counts_the_leading_taps_below_the_maximum():
    taps = np.array([[1, 5, 5, 0], [3, 5, 2, 0], [3, 1, 5, 0]], dtype=np.float32)  # (taps, 4)
    winner = first_maximum(taps, taps.max(axis=0))
    assert winner.dtype == np.uint8
    np.testing.assert_array_equal(winner, [1, 0, 0, 0])
