"""StepLR: its learning rates equal torch's, and its state round trips."""
import numpy as np
import pytest

from ministn import Tensor, optim


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


def test_step_size_must_be_positive():
    with pytest.raises(ValueError, match="step_size must be a positive int"):
        optim.StepLR(optim.SGD([Tensor(np.ones(1), requires_grad=True)], lr=0.1), step_size=0)
