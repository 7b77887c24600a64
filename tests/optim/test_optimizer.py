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
