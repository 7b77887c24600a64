"""Checkpoints: one ``.npz`` file with everything needed to continue a run bit for bit.

    model/<parameter name>        the weights (float32 arrays, as in the model)
    optim/<i>/<key>               the optimiser's per-parameter state (momentum, Adam moments)
    meta                          JSON text: config, epoch, batch within the epoch, running
                                  sums, metrics history, optimiser lr and step count, the LR
                                  schedule, and the random generator's state

The file is written to a temporary name in the same directory and renamed over the old one
(``os.replace`` is atomic), so a crash or Ctrl-C during the write leaves the previous
checkpoint intact, never a half-written file. Loading needs no pickle.
"""
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

FORMAT = "ministn-checkpoint-1"


class CheckpointError(ValueError):
    """A checkpoint that cannot be read, or that does not fit the model it is loaded into."""


def save_checkpoint(path, model, optimizer, config, state):
    """Write model weights, optimiser state, config (a dict) and trainer state atomically."""
    path = Path(path)
    arrays = {f"model/{name}": value for name, value in model.state_dict().items()}
    optim = optimizer.state_dict()
    for i, per_param in enumerate(optim["state"]):
        arrays.update({f"optim/{i}/{key}": value for key, value in per_param.items()})
    meta = {"format": FORMAT, "config": config, "state": state,
            "optimizer": {"lr": optim["lr"], "steps": optim["steps"], "count": len(optim["state"])}}
    arrays["meta"] = np.array(json.dumps(meta))
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())                     # mkstemp makes it private (0600)
        with os.fdopen(handle, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def load_checkpoint(path):
    """{'config', 'state', 'model' (name -> array), 'optimizer' (a state dict)} from a file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise CheckpointError(f"{path} is not a readable ministn checkpoint ({error})") from None
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a ministn checkpoint (format {meta.get('format')!r})")
    weights = {k[len("model/"):]: v for k, v in arrays.items() if k.startswith("model/")}
    per_param = [dict() for _ in range(meta["optimizer"]["count"])]
    for key, value in arrays.items():
        if key.startswith("optim/"):
            _, i, name = key.split("/", 2)
            per_param[int(i)][name] = value
    optimizer = {"lr": meta["optimizer"]["lr"], "steps": meta["optimizer"]["steps"],
                 "state": per_param}
    return {"config": meta["config"], "state": meta["state"], "model": weights,
            "optimizer": optimizer}


def load_weights(model, weights, path, description):
    """Load weights into model; CheckpointError (one line) when they belong to another model."""
    own = dict(model.named_parameters())
    if set(own) != set(weights) or any(own[k].shape != weights[k].shape for k in own):
        raise CheckpointError(f"{path} holds weights of a different model than {description} "
                              f"(parameter names or shapes differ)")
    model.load_state_dict(weights)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
