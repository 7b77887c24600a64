"""The MNIST addition models: 2 x 42 x 42 in, 19 sums out, about the CNN's parameter count."""
import numpy as np
import pytest

from ministn import Tensor, manual_seed, nn
from ministn.models import ADDITION_MODELS, addition_model


def test_every_model_maps_two_channels_to_nineteen_sums_with_the_same_budget():
    counts = {}
    for name in ADDITION_MODELS:
        manual_seed(0)
        model = addition_model(name)
        assert model(np.zeros((3, 2, 42, 42), np.float32)).shape == (3, 19)
        counts[name] = model.num_parameters()
    assert counts["cnn"] == 149_427
    assert all(abs(c - counts["cnn"]) / counts["cnn"] < 0.02 for c in counts.values()), counts


def test_two_parallel_transformers_each_see_and_warp_both_channels():
    model = addition_model("2xst-fcn")
    assert isinstance(model.transformer, nn.ParallelTransformers) and len(model.transformer) == 2
    x = np.random.default_rng(0).random((2, 2, 42, 42)).astype(np.float32)
    out = model.transform(Tensor(x)).data                       # identity at initialisation
    assert out.shape == (2, 4, 42, 42)
    # float32, 42 pixels (not a power of two): the identity grid is exact only to rounding,
    # ~1e-6 px, which moves a pixel by at most ~1e-6 x its neighbour difference (< 1)
    np.testing.assert_allclose(out, np.concatenate([x, x], axis=1), atol=1e-5)
    first = model.transformer[0].localization
    assert first[2].__class__.__name__ == "Flatten" and first[3].weight.shape[1] == 2 * 21 * 21


@pytest.mark.parametrize("name", ["st-fcn", "2xst-cnn"])
def test_a_step_moves_every_localisation_net(name):
    from ministn import functional as F
    manual_seed(1)
    model = addition_model(name)
    x = np.random.default_rng(1).random((4, 2, 42, 42)).astype(np.float32)
    F.cross_entropy(model(x), np.array([0, 5, 12, 18])).backward()
    transformers = ([model.transformer] if name == "st-fcn"
                    else list(model.transformer._modules.values()))
    for st in transformers:
        assert np.abs(st.regression.weight.grad).max() > 0


def test_unknown_model_is_named():
    with pytest.raises(ValueError, match="unknown addition model 'rnn'; choose one of fcn"):
        addition_model("rnn")
