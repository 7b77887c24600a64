"""ministn.training: the training loop, checkpoints and run directories (no figures).

    history = fit(model, load_mnist(), distortion="R", epochs=2, train_size=2000)

``train_run`` is what ``python -m ministn train`` calls: the same loop, plus a run directory
with config.json, metrics.jsonl, an atomic checkpoint after every epoch and on Ctrl-C or
SIGTERM, exact resume, and a lock so that one process at a time trains in it.
"""
from .checkpoint import CheckpointError, load_checkpoint, load_weights, restore, save_checkpoint
from .config import TUTORIAL_RECIPE, ConfigError, TrainConfig
from .run import (RunError, build_model, fit, load_trained, model_description,
                  model_from_checkpoint, train_run)
from .trainer import Trainer, describe_position, format_record
