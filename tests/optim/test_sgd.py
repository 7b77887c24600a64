"""SGD (momentum, dampening, Nesterov, weight decay): five steps equal torch.optim.SGD's to 1e-10 in
float64, and its state round trips."""
import copy

import numpy as np
import pytest

from ministn import Tensor, optim

from .five_steps import initial_params, run_ministn, run_torch

SGD_CASES = [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.05, momentum=0.9, nesterov=True),
             dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.01),
             dict(lr=0.1, weight_decay=0.1), dict(lr=0.02, momentum=0.5, nesterov=True, weight_decay=0.05)]


@pytest.mark.parametrize("options", SGD_CASES)
def test_five_steps_equal_torch(options):
    torch = pytest.importorskip("torch")
    ours, _ = run_ministn(lambda ps: optim.SGD(ps, **options), steps=5)
    theirs = run_torch(torch, "SGD", options, steps=5)
    for a, b in zip(ours, theirs):
        assert not np.allclose(a, initial_params()[0] if a.ndim == 2 else initial_params()[1])
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


def test_optimizer_state_dict_round_trip_resumes_exactly():
    make = lambda ps: optim.SGD(ps, **SGD_CASES[3])  # noqa: E731
    uninterrupted, _ = run_ministn(make, steps=5)
    halfway, optimizer = run_ministn(make, steps=2)
    state = copy.deepcopy(optimizer.state_dict())
    resumed, _ = run_ministn(make, steps=3, params=[p.copy() for p in halfway], optimizer_state=state)
    for a, b in zip(resumed, uninterrupted):
        np.testing.assert_array_equal(a, b)


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match="nesterov momentum needs momentum > 0"):
        optim.SGD([Tensor(np.ones(1), requires_grad=True)], lr=0.1, nesterov=True)
