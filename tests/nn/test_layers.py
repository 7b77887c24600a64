"""The layers: PyTorch's default initialisation, and a float64 network's gradients."""
import numpy as np
import pytest

import ministn
from ministn import Tensor, gradcheck, nn


@pytest.mark.parametrize("layer, fan_in", [(lambda: nn.Linear(400, 300), 400),
                                           (lambda: nn.Conv2d(10, 20, 5), 250)])
def test_default_init_is_kaiming_uniform_as_torch(layer, fan_in):
    """Kaiming-uniform with a = sqrt(5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias the same."""
    ministn.manual_seed(0)
    module = layer()
    bound = 1 / np.sqrt(fan_in)
    w, b = module.weight.data, module.bias.data
    assert w.dtype == np.float32 and b.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound                       # the whole range is used
    # uniform on [-bound, bound]: mean 0, variance bound^2 / 3 (5-sigma bands)
    n = w.size
    assert abs(w.mean()) < 5 * bound / np.sqrt(3 * n)
    assert abs(w.var() / (bound ** 2 / 3) - 1) < 5 * np.sqrt(0.8 / n)


def test_init_bounds_equal_torchs():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    reference = torch.nn.Conv2d(10, 20, 5)
    bound = 1 / np.sqrt(250)
    assert 0.99 * bound < reference.weight.detach().abs().max().item() <= bound
    assert reference.bias.detach().abs().max().item() <= bound


def test_float64_network_gradients_match_central_differences():
    """A whole small network, checked in float64 (tanh and avg-pool: no kinks anywhere)."""
    ministn.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
                        nn.Linear(12, 4)).double()
    x = Tensor(np.random.default_rng(0).standard_normal((2, 2, 4, 4)), requires_grad=True)
    w = net[0].weight
    assert gradcheck(lambda a, b: net(a), [x, w])
