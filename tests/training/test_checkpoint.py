"""Checkpoints: everything a run needs round trips exactly, and a damaged or foreign file is one
CheckpointError line (the command-line faults: tests/test_faults.py)."""
import json

import numpy as np
import pytest

from ministn import Tensor, manual_seed
from ministn.models import build
from ministn.optim import Adam
from ministn.training.checkpoint import (FORMAT, CheckpointError, load_checkpoint, load_weights,
                                         save_checkpoint)

STATE = {"epoch": 1, "step": 3, "running": {"loss": 1.5, "correct": 7, "seen": 32},
         "history": [{"epoch": 1, "test_acc": 12.5}], "rng": {"bit_generator": "PCG64"}}


@pytest.fixture
def trained():
    """A tutorial model after one Adam step, so that the optimiser has state to save."""
    manual_seed(0)
    model = build("tutorial")
    optimizer = Adam(model.parameters(), lr=1e-3)
    model(np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)).sum().backward()
    optimizer.step()
    return model, optimizer


def test_weights_optimiser_config_and_state_round_trip(trained, tmp_path):
    model, optimizer = trained
    path = save_checkpoint(tmp_path / "c.npz", model, optimizer, {"model": "tutorial"}, STATE)
    assert [p.name for p in tmp_path.iterdir()] == ["c.npz"]      # written atomically, no temporary
    loaded = load_checkpoint(path)
    assert loaded["config"] == {"model": "tutorial"} and loaded["state"] == STATE
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(loaded["model"][name], value)
    saved = optimizer.state_dict()
    assert (loaded["optimizer"]["lr"], loaded["optimizer"]["steps"]) == (saved["lr"], saved["steps"])
    for ours, theirs in zip(loaded["optimizer"]["state"], saved["state"]):
        assert ours.keys() == theirs.keys()
        for key in ours:
            np.testing.assert_array_equal(ours[key], theirs[key])


def rewrite(path, change):
    """The checkpoint at path with ``change(arrays)`` applied to its arrays."""
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    change(arrays)
    np.savez(path, **arrays)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.pop("meta"), r"no 'meta' text \(not a ministn checkpoint\)"),
    (lambda a: a.update(meta=np.array("{not json")), r"its 'meta' is not valid JSON"),
    (lambda a: a.update(meta=np.array(json.dumps({"format": "other-1"}))),
     r"is not a ministn checkpoint \(format 'other-1'\)"),
    (lambda a: a.update(meta=np.array(json.dumps({"format": FORMAT, "config": {}, "state": {},
                                                  "optimizer": {}}))),
     r"meta.state lacks a valid 'epoch'"),
    (lambda a: a.update({"optim/99/m": np.zeros(1)}), r"array 'optim/99/m' names no optimiser slot"),
    (lambda a: a["model/classifier.0.weight"].fill(np.nan),
     r"weight 'classifier.0.weight' is not finite"),
])
def test_a_damaged_checkpoint_is_one_line_naming_the_file(trained, tmp_path, change, message):
    model, optimizer = trained
    path = save_checkpoint(tmp_path / "c.npz", model, optimizer, {}, STATE)
    rewrite(path, change)
    with pytest.raises(CheckpointError, match=message) as error:
        load_checkpoint(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_weights_of_another_model_are_refused_and_leave_the_model_alone(trained, tmp_path):
    model, optimizer = trained
    other = build("tutorial-cnn")
    before = {k: v.copy() for k, v in other.state_dict().items()}
    with pytest.raises(CheckpointError, match=r"c.npz holds weights of a different model than "
                                              r"the tutorial-cnn"):
        load_weights(other, model.state_dict(), tmp_path / "c.npz", "the tutorial-cnn")
    assert all(np.array_equal(v, before[k]) for k, v in other.state_dict().items())
    load_weights(model, model.state_dict(), tmp_path / "c.npz", "the tutorial")    # fits


def test_a_fresh_model_gets_the_saved_weights(trained, tmp_path):
    model, optimizer = trained
    path = save_checkpoint(tmp_path / "c.npz", model, optimizer, {}, STATE)
    fresh = build("tutorial")
    load_weights(fresh, load_checkpoint(path)["model"], path, "the tutorial")
    assert all(isinstance(p, Tensor) for p in fresh.parameters())
    np.testing.assert_array_equal(fresh.state_dict()["classifier.0.weight"],
                                  model.state_dict()["classifier.0.weight"])
