"""Adam (betas, eps, weight decay): five steps equal torch.optim.Adam's to 1e-10 in
float64, and its state round trips."""
import copy

import numpy as np
import pytest

from ministn import optim

from .five_steps import initial_params, run_ministn, run_torch

ADAM_CASES = [dict(lr=0.01), dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
              dict(lr=0.01, weight_decay=0.1)]


@pytest.mark.parametrize("options", ADAM_CASES)
def test_five_steps_equal_torch(options):
    torch = pytest.importorskip("torch")
    ours, _ = run_ministn(lambda ps: optim.Adam(ps, **options), steps=5)
    theirs = run_torch(torch, "Adam", options, steps=5)
    for a, b in zip(ours, theirs):
        assert not np.allclose(a, initial_params()[0] if a.ndim == 2 else initial_params()[1])
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


def test_optimizer_state_dict_round_trip_resumes_exactly():
    make = lambda ps: optim.Adam(ps, **ADAM_CASES[2])  # noqa: E731
    uninterrupted, _ = run_ministn(make, steps=5)
    halfway, optimizer = run_ministn(make, steps=2)
    state = copy.deepcopy(optimizer.state_dict())
    resumed, _ = run_ministn(make, steps=3, params=[p.copy() for p in halfway], optimizer_state=state)
    for a, b in zip(resumed, uninterrupted):
        np.testing.assert_array_equal(a, b)
