"""The optimiser base class: parameters without a gradient are left alone, float32 stays float32,
and bad arguments are named."""
import numpy as np
import pytest

from ministn import Tensor, optim


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
])
def test_bad_optimizer_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make([Tensor(np.ones(1), requires_grad=True)])


def run_groups(library, make, lrs=(0.02, None), steps=6):
    """Six steps of make([{weight, lr 0.02}, {bias}], lr=0.1) with StepLR(2, 0.5) after every
    two, on five_steps' loss; library is ministn or torch."""
    from .five_steps import INPUT, initial_params, loss_of
    tensor = (lambda a: library.tensor(a, requires_grad=True)) if library is not None else (
        lambda a: Tensor(a.copy(), requires_grad=True))
    params = [tensor(p) for p in initial_params()]
    groups = [dict({"params": [p]}, **({"lr": lr} if lr else {})) for p, lr in zip(params, lrs)]
    optimizer = make(groups)
    scheduler = (library.optim.lr_scheduler.StepLR if library is not None else optim.StepLR)(
        optimizer, 1, 0.5)
    x = library.tensor(INPUT) if library is not None else Tensor(INPUT)
    for step in range(steps):
        optimizer.zero_grad()
        loss_of(*params, x).backward()
        optimizer.step()
        if step % 2 == 1:
            scheduler.step()
    return [p.detach().numpy() if library is not None else p.data for p in params]


@pytest.mark.parametrize("name, options", [("SGD", dict(momentum=0.9)), ("Adam", {})])
def test_parameter_groups_with_their_own_rate_equal_torch(name, options):
    torch = pytest.importorskip("torch")
    torch_run = run_groups(torch, lambda g: getattr(torch.optim, name)(g, lr=0.1, **options))
    ours = run_groups(None, lambda g: getattr(optim, name)(g, lr=0.1, **options))
    for a, b in zip(ours, torch_run):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    # and the group's own rate mattered: with one rate for both the weight ends elsewhere
    same_rate = run_groups(None, lambda g: getattr(optim, name)(g, lr=0.1, **options),
                           lrs=(None, None))
    assert np.abs(same_rate[0] - ours[0]).max() > 1e-3


@pytest.mark.parametrize("groups, message", [
    ([{"params": [], "momentum": 0.5}], "keys 'params' and optionally 'lr'"),
    ([{"params": [], "lr": 0.0}], "a group's lr must be positive"),
])
def test_bad_parameter_groups_are_named(groups, message):
    p = Tensor(np.ones(1), requires_grad=True)
    groups[0]["params"].append(p)
    with pytest.raises(ValueError, match=message):
        optim.Adam(groups, lr=0.1)
