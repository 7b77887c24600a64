"""linear: gradients vs central differences, values vs the naive loop."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import naive_layers as naive
import ministn.functional as F
from ministn import Tensor, gradcheck
from strategies import generator, normal, seeds


def leaf(array):
    return Tensor(array, requires_grad=True)


@st.composite
def linear_cases(draw):
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return dict(batch=batch, n_in=draw(st.integers(1, 4)), n_out=draw(st.integers(1, 4)),
                bias=draw(st.booleans()), seed=draw(seeds))


@given(case=linear_cases())
def test_linear_grad_wrt_input_weight_bias_matches_central_differences(case):
    rng = generator(case["seed"])
    x = leaf(normal(rng, case["batch"] + (case["n_in"],)))
    w = leaf(normal(rng, (case["n_out"], case["n_in"])))
    inputs = [x, w] + ([leaf(normal(rng, (case["n_out"],)))] if case["bias"] else [])
    assert gradcheck(F.linear, inputs)


@given(n=st.integers(1, 4), n_in=st.integers(1, 5), n_out=st.integers(1, 4), seed=seeds)
def test_linear_forward_matches_naive_loop(n, n_in, n_out, seed):
    rng = generator(seed)
    x, w, b = normal(rng, (n, n_in)), normal(rng, (n_out, n_in)), normal(rng, (n_out,))
    np.testing.assert_allclose(F.linear(x, w, b).data, naive.linear(x, w, b), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(F.linear(x, w).data, naive.linear(x, w), rtol=1e-12, atol=1e-14)
