"""Five optimiser steps on a small non-quadratic loss, in ministn and in torch.optim: the runs that
test_sgd.py and test_adam.py compare (float64)."""
import numpy as np

from ministn import Tensor


def initial_params():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((3, 4)), rng.standard_normal(4)]


INPUT = np.random.default_rng(1).standard_normal((5, 3))


def loss_of(weight, bias, x):
    """A small non-quadratic loss, written with operators that both libraries share."""
    hidden = x @ weight + bias
    return (hidden * hidden).sum() + 0.1 * (weight * weight * weight).sum()


def run_ministn(make_optimizer, steps, params=None, optimizer_state=None):
    params = [Tensor(p.copy(), requires_grad=True) for p in (params or initial_params())]
    optimizer = make_optimizer(params)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(*params, Tensor(INPUT)).backward()
        optimizer.step()
    return [p.data for p in params], optimizer


def run_torch(torch, name, options, steps):
    params = [torch.tensor(p, requires_grad=True) for p in initial_params()]
    optimizer = getattr(torch.optim, name)(params, **options)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(*params, torch.tensor(INPUT)).backward()
        optimizer.step()
    return [p.detach().numpy() for p in params]
