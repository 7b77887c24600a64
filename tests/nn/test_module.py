"""Module and Sequential: parameter names as PyTorch's, state_dict, train/eval, dtype and device
(the layers' initialisation: test_layers.py)."""
import numpy as np
import pytest

import ministn
import ministn.functional as F
from ministn import Tensor, nn
from ministn.backend import gpu_available


def classifier(dropout=0.5):
    """The ST-CNN's classifier part (PyTorch tutorial shapes), as a Sequential."""
    return nn.Sequential(
        nn.Conv2d(1, 10, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(10, 20, kernel_size=5), nn.Dropout2d(dropout), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(320, 50), nn.ReLU(), nn.Dropout(dropout), nn.Linear(50, 10),
        nn.LogSoftmax(dim=1))


def torch_classifier(torch):
    tnn = torch.nn
    return tnn.Sequential(
        tnn.Conv2d(1, 10, kernel_size=5), tnn.MaxPool2d(2), tnn.ReLU(),
        tnn.Conv2d(10, 20, kernel_size=5), tnn.Dropout2d(), tnn.MaxPool2d(2), tnn.ReLU(),
        tnn.Flatten(), tnn.Linear(320, 50), tnn.ReLU(), tnn.Dropout(), tnn.Linear(50, 10),
        tnn.LogSoftmax(dim=1))


class TwoPart(nn.Module):
    """A custom Module: attributes register in the order they are set, as in PyTorch."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
        self.head = nn.Linear(2 * 4 * 4, 3, bias=False)
        self.scale = nn.Parameter(np.ones(1, dtype=np.float32))

    def forward(self, x):
        return self.head(F.flatten(self.features(x), 1)) * self.scale


def test_parameter_names_shapes_and_order_match_torch():
    torch = pytest.importorskip("torch")
    ours = [(name, p.shape) for name, p in classifier().named_parameters()]
    theirs = [(name, tuple(p.shape)) for name, p in torch_classifier(torch).named_parameters()]
    assert ours == theirs
    # as in torch, a module's own parameters come before its children's
    assert [name for name, _ in TwoPart().named_parameters()] == [
        "scale", "features.0.weight", "features.0.bias", "head.weight"]


def test_state_dict_loads_into_torch_and_both_compute_the_same_output():
    torch = pytest.importorskip("torch")
    model = classifier().double().eval()
    reference = torch_classifier(torch).double().eval()
    reference.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 1, 28, 28))
    with ministn.no_grad():
        ours = model(Tensor(x)).data
    theirs = reference(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def test_initialisation_is_reproducible_from_manual_seed():
    ministn.manual_seed(3)
    first = classifier().state_dict()
    ministn.manual_seed(3)
    second = classifier().state_dict()
    ministn.manual_seed(4)
    third = classifier().state_dict()
    assert all(np.array_equal(first[k], second[k]) for k in first)
    assert not np.array_equal(first["0.weight"], third["0.weight"])


def test_state_dict_round_trip_reproduces_the_model():
    ministn.manual_seed(0)
    source, target = classifier().eval(), classifier().eval()
    state = source.state_dict()
    state["0.weight"][...] = 0.0            # a copy: editing it leaves the model alone
    assert np.any(source[0].weight.data)
    target.load_state_dict(source.state_dict())
    x = Tensor(np.random.default_rng(1).standard_normal((2, 1, 28, 28)).astype(np.float32))
    np.testing.assert_array_equal(source(x).data, target(x).data)


def test_load_state_dict_names_missing_and_unexpected_keys():
    model, state = classifier(), classifier().state_dict()
    del state["3.bias"]
    state["3.bais"] = np.zeros(20)
    with pytest.raises(KeyError, match=r"missing keys \['3.bias'\], unexpected keys \['3.bais'\]"):
        model.load_state_dict(state)


def test_load_state_dict_names_a_wrong_shape():
    model, state = classifier(), classifier().state_dict()
    state["8.weight"] = np.zeros((50, 321), dtype=np.float32)
    with pytest.raises(ValueError, match=r"8.weight has shape \(50, 321\) in the state dict but \(50, 320\)"):
        model.load_state_dict(state)


def test_train_and_eval_toggle_dropout_in_every_submodule():
    model = classifier()
    x = Tensor(np.ones((4, 1, 28, 28), dtype=np.float32))
    assert all(m.training for m in model.modules())
    model.eval()
    assert not any(m.training for m in model.modules())
    np.testing.assert_array_equal(model(x).data, model(x).data)   # deterministic
    model.train()
    assert model[10].training
    ministn.manual_seed(0)
    hidden = Tensor(np.ones((100, 50), dtype=np.float32))
    assert np.any(model[10](hidden).data == 0)                     # dropout is active again


def test_astype_keeps_parameter_identity_for_optimisers():
    model = classifier()
    params = model.parameters()
    model.double()
    assert all(p is q for p, q in zip(params, model.parameters()))
    assert all(p.dtype == np.float64 for p in model.parameters())


@pytest.mark.skipif(gpu_available(), reason="a GPU is present")
def test_moving_to_gpu_without_cupy_is_a_clear_error():
    with pytest.raises(RuntimeError, match="CuPy"):
        classifier().to("gpu")
