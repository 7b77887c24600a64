"""TrainConfig: the defaults are a valid run, every impossible value is named, and config.json
round trips (older files included)."""
import pytest

from ministn.training.config import TUTORIAL_RECIPE, ConfigError, TrainConfig


def test_the_defaults_and_the_tutorials_recipe_are_valid():
    assert TrainConfig().check().input_size == 28
    assert TrainConfig(**TUTORIAL_RECIPE).check().normalization == "outside"


@pytest.mark.parametrize("distortion, size", [("none", 28), ("R", 28), ("RTS", 42), ("TC", 60)])
def test_the_input_size_is_the_distortions_canvas(distortion, size):
    assert TrainConfig(model="st-cnn", distortion=distortion).check().input_size == size


@pytest.mark.parametrize("field, value, message", [
    ("model", "lenet", r"unknown model 'lenet'; choose one of tutorial"),
    ("optimizer", "rmsprop", r"unknown optimizer 'rmsprop'; choose one of sgd, adam"),
    ("device", "tpu", r"unknown device 'tpu'"),
    ("normalization", "both", r"unknown normalization 'both'"),
    ("epochs", 0, r"epochs must be a positive integer, got 0"),
    ("batch_size", 2.0, r"batch_size must be a positive integer, got 2.0"),
    ("train_size", -5, r"train_size must be a positive integer or None"),
    ("lr", float("nan"), r"lr must be a finite number > 0, got nan"),
    ("lr", float("inf"), r"lr must be a finite number > 0"),
    ("momentum", 1.0, r"momentum must be in \[0, 1\)"),
    ("lr_gamma", 0, r"lr_gamma must be in \(0, 1\]"),
    ("lr", True, r"lr must be a finite number > 0, got True"),
    ("lr_step", -1, r"lr_step must be an integer >= 0"),
    ("seed", 2**63, r"seed must be an integer in \[0, 2\^63\)"),
    ("distortion", "TC", r"model 'tutorial' takes 28x28 inputs; distortion 'TC' makes 60x60"),
])
def test_each_impossible_value_is_named(field, value, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**{field: value}).check()


def test_config_round_trips_through_a_dict():
    config = TrainConfig(model="st-cnn", transform="tps", distortion="E", lr=3e-4, seed=7)
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_a_config_written_with_the_old_normalize_flag_still_loads():
    values = dict(TrainConfig().to_dict())
    del values["normalization"]
    assert TrainConfig.from_dict(dict(values, normalize=False)).normalization == "outside"
    assert TrainConfig.from_dict(dict(values, normalize=True)).normalization == "inside"


def test_unknown_keys_are_named():
    with pytest.raises(ConfigError, match=r"unknown configuration keys \['colour', 'size'\]"):
        TrainConfig.from_dict(dict(TrainConfig().to_dict(), size=3, colour="red"))
