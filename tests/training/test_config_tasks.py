"""TrainConfig's task: 'digits' (one digit, 10 classes) or 'addition' (the sum of two, 19)."""
import numpy as np
import pytest

from ministn.data import load_mnist
from ministn.training import ConfigError, TrainConfig, Trainer, build_model


def test_old_configs_without_a_task_are_digit_runs():
    assert TrainConfig.from_dict({"model": "cnn", "distortion": "R"}).task == "digits"


@pytest.mark.parametrize("fields, message", [
    (dict(task="sum"), "unknown task 'sum'; choose one of digits, addition"),
    (dict(task="addition", model="tutorial", distortion="RTS"), "unknown model 'tutorial'"),
    (dict(task="addition", model="2xst-fcn", distortion="R"), "distortion must be 'RTS'"),
    (dict(task="digits", model="2xst-fcn"), "unknown model '2xst-fcn'"),
])
def test_impossible_tasks_are_named(fields, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**fields).check()


def test_addition_trainer_feeds_pairs_and_sums():
    config = TrainConfig(task="addition", model="st-fcn", distortion="RTS", train_size=64,
                         test_size=50, epochs=1).check()
    trainer = Trainer(build_model(config), load_mnist(), config, progress=False)
    assert trainer.test_x.shape == (50, 2, 42, 42) and trainer.test_y.max() <= 18
    x, y = trainer.training_batch(1, 0, np.arange(8))
    assert x.shape == (8, 2, 42, 42) and len(y) == 8
    assert (y >= trainer.train_y[:8]).all()          # the first digit plus a partner's label
