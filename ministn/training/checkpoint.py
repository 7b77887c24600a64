"""Checkpoints: one ``.npz`` file with everything needed to continue a run bit for bit.

    model/<parameter name>        the weights (float32 arrays, as in the model)
    optim/<i>/<key>               the optimiser's per-parameter state (momentum, Adam moments)
    meta                          JSON text: config, epoch, batch within the epoch, running
                                  sums, metrics history, optimiser lr and step count, the LR
                                  schedule, and the random generator's state

The file is written atomically (ministn/files/atomic.py): a crash or Ctrl-C during the write
leaves the previous checkpoint intact. It is read through ``read_npz``, which checks every
array's declared size before inflating it and never unpickles; ``restore`` checks that the
contents fit the model, so a damaged or foreign file is one ``CheckpointError`` line.
"""
import json
import math
from pathlib import Path

import numpy as np

from ..errors import MinistnError
from ..files import MAX_BYTES_DEFAULT, read_npz, write_atomically

FORMAT = "ministn-checkpoint-1"


class CheckpointError(MinistnError, ValueError):
    """A checkpoint that cannot be read, or that does not fit the model it is loaded into."""


def save_checkpoint(path, model, optimizer, config, state):
    """Write model weights, optimiser state, config (a dict) and trainer state atomically."""
    arrays = {f"model/{name}": value for name, value in model.state_dict().items()}
    optim = optimizer.state_dict()
    for i, per_param in enumerate(optim["state"]):
        arrays.update({f"optim/{i}/{key}": value for key, value in per_param.items()})
    meta = {"format": FORMAT, "config": config, "state": state,
            "optimizer": {"lr": optim["lr"], "steps": optim["steps"], "count": len(optim["state"])}}
    arrays["meta"] = np.array(json.dumps(meta))
    with write_atomically(path, what="checkpoint") as f:
        np.savez(f, **arrays)
    return Path(path)


# meta's layout: key -> the type its value must have
META = {"format": str, "config": dict, "state": dict, "optimizer": dict}
STATE = {"epoch": int, "step": int, "running": dict, "history": list, "rng": dict}
OPTIMIZER = {"lr": (int, float), "steps": int, "count": int}


def _check_fields(values, layout, where, path):
    if not isinstance(values, dict):
        raise CheckpointError(f"checkpoint {path}: {where} must be a JSON object")
    for key, kind in layout.items():
        if not isinstance(values.get(key), kind) or isinstance(values.get(key), bool):
            raise CheckpointError(f"checkpoint {path}: {where} lacks a valid {key!r} "
                                  f"(a damaged or foreign file)")


def _read_meta(arrays, path):
    text = arrays.pop("meta", None)
    if text is None or text.shape != () or text.dtype.kind != "U":
        raise CheckpointError(f"checkpoint {path}: no 'meta' text (not a ministn checkpoint)")
    try:
        meta = json.loads(str(text))
    except ValueError:
        raise CheckpointError(f"checkpoint {path}: its 'meta' is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise CheckpointError(f"checkpoint {path} is not a ministn checkpoint (format {found!r})")
    _check_fields(meta, META, "meta", path)
    _check_fields(meta["state"], STATE, "meta.state", path)
    _check_fields(meta["optimizer"], OPTIMIZER, "meta.optimizer", path)
    return meta


def load_checkpoint(path, max_bytes=MAX_BYTES_DEFAULT):
    """{'config', 'state', 'model' (name -> array), 'optimizer' (a state dict)} from a file."""
    arrays = read_npz(path, what="checkpoint", max_bytes=max_bytes)
    meta = _read_meta(arrays, path)
    weights = {k[len("model/"):]: v for k, v in arrays.items() if k.startswith("model/")}
    count = meta["optimizer"]["count"]
    per_param = [dict() for _ in range(max(count, 0))]
    for key, value in arrays.items():
        if key.startswith("optim/"):
            _, i, name = (key.split("/", 2) + ["", ""])[:3]
            if not (i.isdigit() and int(i) < count and name):
                raise CheckpointError(f"checkpoint {path}: array {key!r} names no optimiser slot")
            per_param[int(i)][name] = value
    bad = [name for name, value in weights.items()
           if value.dtype.kind != "f" or not np.all(np.isfinite(value))]
    if bad:
        raise CheckpointError(f"checkpoint {path}: weight {bad[0]!r} is not finite (a diverged "
                              f"or damaged run; resume from an earlier one)")
    if not math.isfinite(meta["optimizer"]["lr"]):
        raise CheckpointError(f"checkpoint {path}: the optimiser's lr is not finite")
    optimizer = {"lr": meta["optimizer"]["lr"], "steps": meta["optimizer"]["steps"],
                 "state": per_param}
    return {"config": meta["config"], "state": meta["state"], "model": weights,
            "optimizer": optimizer}


def _fits(model, weights):
    own = dict(model.named_parameters())
    return set(own) == set(weights) and all(own[k].shape == weights[k].shape for k in own)


def load_weights(model, weights, path, description):
    """Load weights into model; CheckpointError (one line) when they belong to another model."""
    if not _fits(model, weights):
        raise CheckpointError(f"{path} holds weights of a different model than {description} "
                              f"(parameter names or shapes differ)")
    model.load_state_dict(weights)


def _check_progress(state, scheduler, path):
    """The trainer state's parts that load_state reads, checked without changing anything."""
    running = state["running"]
    if not (isinstance(running, dict) and {"loss", "correct", "seen"} <= set(running)):
        raise CheckpointError(f"checkpoint {path}: meta.state.running lacks its sums")
    try:
        np.random.PCG64().state = state["rng"]      # a throwaway generator: is the state valid?
    except (KeyError, TypeError, ValueError, OverflowError):    # Overflow: ints out of range
        raise CheckpointError(f"checkpoint {path}: its random-generator state is invalid") from None
    saved = state.get("scheduler")
    if scheduler is not None and not (isinstance(saved, dict) and {"base_lr", "epoch"} <= set(saved)):
        raise CheckpointError(f"checkpoint {path}: it holds no learning-rate schedule state")


def restore(trainer, checkpoint, path, description):
    """Put a checkpoint's weights, optimiser state and progress into ``trainer``.

    Everything is checked before anything is changed, so a checkpoint that does not fit
    leaves the trainer as it was (and raises CheckpointError).
    """
    if not _fits(trainer.model, checkpoint["model"]):
        load_weights(trainer.model, checkpoint["model"], path, description)   # raises
    params, saved = trainer.optimizer.params, checkpoint["optimizer"]["state"]
    if len(saved) != len(params) or any(
            value.shape != p.shape for p, slot in zip(params, saved) for value in slot.values()):
        raise CheckpointError(f"checkpoint {path}: its optimiser state does not fit "
                              f"{description} ({len(saved)} slots for {len(params)} parameters)")
    _check_progress(checkpoint["state"], trainer.scheduler, path)
    trainer.model.load_state_dict(checkpoint["model"])
    trainer.optimizer.load_state_dict(checkpoint["optimizer"])
    trainer.load_state(checkpoint["state"])
