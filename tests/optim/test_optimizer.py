"""Optimisers and schedules: five steps equal torch.optim's to 1e-10 in float64; state round trips."""
import copy

import numpy as np
import pytest

from ministn import Tensor, optim

SGD_CASES = [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.05, momentum=0.9, nesterov=True),
             dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.01),
             dict(lr=0.1, weight_decay=0.1), dict(lr=0.02, momentum=0.5, nesterov=True, weight_decay=0.05)]
ADAM_CASES = [dict(lr=0.01), dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
              dict(lr=0.01, weight_decay=0.1)]


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


@pytest.mark.parametrize("name, options", [("SGD", o) for o in SGD_CASES] + [("Adam", o) for o in ADAM_CASES])
def test_five_steps_equal_torch(name, options):
    torch = pytest.importorskip("torch")
    ours, _ = run_ministn(lambda ps: getattr(optim, name)(ps, **options), steps=5)
    theirs = run_torch(torch, name, options, steps=5)
    for a, b in zip(ours, theirs):
        assert not np.allclose(a, initial_params()[0] if a.ndim == 2 else initial_params()[1])
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


def test_step_lr_equals_torch():
    torch = pytest.importorskip("torch")
    ours = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.5)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    schedules = optim.StepLR(ours, step_size=3, gamma=0.1), torch.optim.lr_scheduler.StepLR(theirs, 3, 0.1)
    for epoch in range(10):
        np.testing.assert_allclose(schedules[0].get_last_lr(), schedules[1].get_last_lr(), rtol=1e-12)
        theirs.step()
        for s in schedules:
            s.step()


@pytest.mark.parametrize("name, options", [("SGD", SGD_CASES[3]), ("Adam", ADAM_CASES[2])])
def test_optimizer_state_dict_round_trip_resumes_exactly(name, options):
    make = lambda ps: getattr(optim, name)(ps, **options)  # noqa: E731
    uninterrupted, _ = run_ministn(make, steps=5)
    halfway, optimizer = run_ministn(make, steps=2)
    state = copy.deepcopy(optimizer.state_dict())
    resumed, _ = run_ministn(make, steps=3, params=[p.copy() for p in halfway], optimizer_state=state)
    for a, b in zip(resumed, uninterrupted):
        np.testing.assert_array_equal(a, b)


def test_step_lr_state_dict_round_trip():
    optimizer = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
    schedule = optim.StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(5):
        schedule.step()
    restored_optimizer = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
    restored = optim.StepLR(restored_optimizer, step_size=2, gamma=0.5)
    restored.load_state_dict(schedule.state_dict())
    restored_optimizer.load_state_dict(optimizer.state_dict())
    schedule.step()
    restored.step()
    assert restored.get_last_lr() == schedule.get_last_lr() == [0.125]


def test_parameters_without_grad_are_left_alone():
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    optimizer = optim.Adam([a, b], lr=0.1)
    (a * 2).sum().backward()
    optimizer.step()
    assert np.all(a.data < 1) and np.array_equal(b.data, np.ones(2))


def test_float32_parameters_stay_float32():
    p = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    for optimizer in (optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1),
                      optim.Adam([p], lr=0.1, weight_decay=0.1)):
        for _ in range(2):
            optimizer.zero_grad()
            (p * p).sum().backward()
            optimizer.step()
        assert p.data.dtype == np.float32
        assert all(v.dtype == np.float32 for s in optimizer.state for v in s.values())


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda p: optim.SGD(p, lr=-1), "lr must be positive"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov momentum needs momentum > 0"),
    (lambda p: optim.StepLR(optim.SGD(p, lr=0.1), step_size=0), "step_size must be a positive int"),
])
def test_bad_optimizer_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make([Tensor(np.ones(1), requires_grad=True)])
