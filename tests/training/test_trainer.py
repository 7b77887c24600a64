"""Trainer: the loss falls in one tiny epoch; the transformers' own learning rate (the
command-line runs: tests/cli/test_train.py)."""
import numpy as np
import pytest

from ministn import manual_seed
from ministn.data import BUNDLED_DIR, load_mnist
from ministn.models import build
from ministn.training import Trainer, TrainConfig


def test_loss_falls_in_one_tiny_epoch():
    mnist = load_mnist(BUNDLED_DIR, train_size=320, test_size=200)
    config = TrainConfig(epochs=1, batch_size=32, lr=3e-3, train_size=320, test_size=200)
    manual_seed(0)
    trainer = Trainer(build("tutorial"), mnist, config, progress=False, log=lambda *a: None)
    before, _ = trainer.evaluate()
    trainer.run()
    assert trainer.history[0]["test_loss"] < before - 0.05


def one_step(factor, model="st-cnn", optimizer="adam"):
    """How much one training step with localisation_lr_factor moves every parameter."""
    mnist = load_mnist(BUNDLED_DIR, train_size=32, test_size=10)
    config = TrainConfig(model=model, distortion="R", optimizer=optimizer, epochs=1,
                         batch_size=32, train_size=32, test_size=10,
                         localisation_lr_factor=factor).check()
    manual_seed(0)
    net = build(model, "affine", 28)
    if net.has_transformer:   # off the identity's zero weights, so the localisation net has a gradient
        weight = net.transformer.regression.weight
        weight.data[...] = 0.01 * np.random.default_rng(0).standard_normal(weight.shape)
    trainer = Trainer(net, mnist, config, progress=False, log=lambda *a: None)
    before = {n: p.data.copy() for n, p in net.named_parameters()}
    trainer.train_step(*trainer.training_batch(0, 0, np.arange(32)))
    return {n: (p.data - before[n], before[n]) for n, p in net.named_parameters()}


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_transformers_learn_at_lr_times_the_localisation_factor(optimizer):
    plain, slow = one_step(1.0, optimizer=optimizer), one_step(0.1, optimizer=optimizer)
    transformer = [n for n in plain if n.startswith("transformer.")]
    assert len(transformer) == 8 and len(plain) - len(transformer) == 6
    for name, (step, weight) in plain.items():   # every parameter moves; the transformer's
        assert np.abs(step).max() > 0               # by a tenth as much
        expected = 0.1 * step if name in transformer else step
        # float32 weights: each step is known to within the rounding of w + step, one ulp of w
        assert np.all(np.abs(slow[name][0] - expected) <= 1.5 * np.spacing(np.abs(weight))
                      + 1e-5 * np.abs(expected)), name


def test_the_factor_changes_nothing_in_a_model_without_a_transformer():
    plain, slow = one_step(1.0, model="cnn"), one_step(0.1, model="cnn")
    for name in plain:
        np.testing.assert_array_equal(slow[name][0], plain[name][0])
