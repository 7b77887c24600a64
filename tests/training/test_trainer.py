"""Trainer: the loss falls in one tiny epoch (the command-line runs: tests/cli/test_train.py)."""
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
