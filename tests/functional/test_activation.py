"""relu, tanh, sigmoid, dropout, dropout2d: gradients, values, and dropout's statistics."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ministn
import ministn.functional as F
from ministn import Tensor, gradcheck
from strategies import away_from_zero, generator, normal, seeds, shapes


def leaf(array):
    return Tensor(array, requires_grad=True)


@given(shape=shapes(), seed=seeds)
def test_relu_grad_matches_central_differences_away_from_the_kink(shape, seed):
    x = leaf(away_from_zero(generator(seed), shape))
    np.testing.assert_array_equal(F.relu(x).data, np.maximum(x.data, 0))
    assert gradcheck(F.relu, [x])


def test_relu_gradient_at_zero_is_zero_as_pytorch():
    x = leaf(np.array([-1.0, 0.0, 2.0]))
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@given(shape=shapes(), seed=seeds)
def test_smooth_activation_grad_matches_central_differences(name, shape, seed):
    # |x| <= 3: beyond, the slopes fall below 1e-2 and central differences of a value near 1
    # lose their relative accuracy to rounding (an ill-conditioned check, not a wrong gradient)
    x = leaf(generator(seed).uniform(-3, 3, shape))
    reference = np.tanh(x.data) if name == "tanh" else 1 / (1 + np.exp(-x.data))
    np.testing.assert_allclose(getattr(F, name)(x).data, reference, rtol=1e-14, atol=1e-300)
    assert gradcheck(getattr(F, name), [x])


def test_sigmoid_does_not_overflow_for_large_inputs():
    with np.errstate(over="raise"):
        y = F.sigmoid(Tensor(np.array([-1000.0, 1000.0], dtype=np.float32)))
    np.testing.assert_array_equal(y.data, [0.0, 1.0])


def _seeded(op, seed, **options):
    """op with its mask re-drawn from the same seed on every call, as gradcheck needs."""
    def call(x):
        ministn.manual_seed(seed)
        return op(x, **options)
    return call


@pytest.mark.parametrize("op, shape", [(F.dropout, (3, 4, 2)), (F.dropout2d, (2, 3, 2, 2))])
@given(p=st.sampled_from([0.0, 0.2, 0.5, 0.9]), seed=seeds)
def test_dropout_grad_matches_central_differences(op, shape, p, seed):
    x = leaf(normal(generator(seed), shape))
    assert gradcheck(_seeded(op, seed, p=p), [x])


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_about_1_minus_p_and_scales_survivors(p):
    ministn.manual_seed(0)
    x = Tensor(np.ones(200_000))
    y = F.dropout(x, p).data
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-15)
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / x.size)   # 5 sigma
    assert abs(y.mean() - 1) < 5 * np.sqrt(p / (1 - p) / x.size)            # unbiased


def test_dropout2d_zeroes_whole_channels():
    ministn.manual_seed(1)
    y = F.dropout2d(Tensor(np.ones((50, 40, 3, 3))), 0.5).data
    per_channel = y.reshape(50, 40, 9)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))   # constant per channel
    assert set(np.unique(y)) == {0.0, 2.0}


@pytest.mark.parametrize("op", [F.dropout, F.dropout2d])
def test_dropout_in_eval_mode_or_p0_is_the_identity_and_p1_zeroes(op):
    x = Tensor(normal(generator(0), (2, 3, 2, 2)))
    assert op(x, 0.5, training=False) is x
    assert op(x, 0.0) is x
    assert not np.any(op(x, 1.0).data)


def test_dropout_same_seed_same_mask():
    x = Tensor(np.ones(100))
    ministn.manual_seed(5)
    first = F.dropout(x, 0.5).data
    ministn.manual_seed(5)
    np.testing.assert_array_equal(F.dropout(x, 0.5).data, first)
