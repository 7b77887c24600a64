"""log_softmax, nll_loss, cross_entropy: gradients, stability, values vs the naive loop."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import naive_layers as naive
import ministn.functional as F
from ministn import Tensor, gradcheck
from strategies import classification_cases, generator, normal, seeds, shapes


def leaf(array):
    return Tensor(array, requires_grad=True)


@given(shape=shapes(min_dims=1), seed=seeds, data=st.data())
def test_log_softmax_grad_matches_central_differences(shape, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = leaf(3 * normal(generator(seed), shape))
    assert gradcheck(lambda a: F.log_softmax(a, dim=dim), [x])


@given(case=classification_cases())
def test_log_softmax_forward_matches_naive_loop(case):
    z = case["logits"]
    np.testing.assert_allclose(F.log_softmax(z, dim=1).data, naive.log_softmax(z), rtol=1e-13, atol=1e-14)


def test_log_softmax_is_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32)
    y = F.log_softmax(Tensor(z), dim=1).data
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y, [[0.0, -1000.0, -2000.0]], rtol=1e-6)


@given(case=classification_cases())
def test_nll_loss_grad_matches_central_differences(case):
    x = leaf(case["logits"])
    assert gradcheck(lambda a: F.nll_loss(a, case["target"], reduction=case["reduction"]), [x])


@given(case=classification_cases())
def test_cross_entropy_grad_matches_central_differences(case):
    x = leaf(case["logits"])
    assert gradcheck(lambda a: F.cross_entropy(a, case["target"], reduction=case["reduction"]), [x])


@given(case=classification_cases())
def test_nll_loss_and_cross_entropy_match_naive_loop(case):
    z, target, reduction = case["logits"], case["target"], case["reduction"]
    log_probs = naive.log_softmax(z)
    expected = naive.nll_loss(log_probs, target, reduction)
    np.testing.assert_allclose(F.nll_loss(log_probs, target, reduction).data, expected, rtol=1e-13)
    np.testing.assert_allclose(F.cross_entropy(z, target, reduction).data, expected, rtol=1e-12)


@pytest.mark.parametrize("target_type", [np.int32, np.uint8, list])
def test_nll_loss_accepts_any_integer_targets(target_type):
    log_probs = np.log(np.full((2, 3), 1 / 3))
    target = [0, 2] if target_type is list else np.array([0, 2], dtype=target_type)
    np.testing.assert_allclose(F.nll_loss(log_probs, target).data, np.log(3))
