"""TransformerClassifier: the untrained transformer is the identity, and a step reaches the
localisation net."""
import numpy as np
import pytest

from ministn import functional as F, manual_seed
from ministn.models import build


@pytest.mark.parametrize("name, transform, size", [("tutorial", "affine", 28),
                                                   ("st-cnn", "projective", 28),
                                                   ("st-fcn", "tps", 42), ("st-cnn", "affine", 60)])
def test_untrained_transformer_is_the_identity(name, transform, size):
    x = np.random.default_rng(1).random((3, 1, size, size), dtype=np.float32)
    np.testing.assert_allclose(build(name, transform, size).transform(x).data, x, atol=1e-5)


def test_one_step_moves_the_localisation_net():
    manual_seed(0)
    model = build("st-cnn", "affine", 28)
    x = np.random.default_rng(0).random((8, 1, 28, 28), dtype=np.float32)
    loss = F.cross_entropy(model(x), np.arange(8) % 10)
    loss.backward()
    assert np.abs(model.transformer.regression.weight.grad).max() > 0
