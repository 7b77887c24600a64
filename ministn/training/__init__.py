"""ministn.training: the training loop, checkpoints, run directories and figures.

    history = fit(model, load_mnist(), distortion="R", epochs=2, train_size=2000)

``train_run`` is what ``python -m ministn train`` calls: the same loop, plus a run directory
with config.json, metrics.jsonl, an atomic checkpoint after every epoch and on Ctrl-C, exact
resume, and figures.
"""
from .checkpoint import CheckpointError, load_checkpoint, load_weights, save_checkpoint
from .config import TUTORIAL_RECIPE, ConfigError, TrainConfig
from .run import RunError, build_model, fit, load_trained, model_description, train_run
from .trainer import Trainer, format_record
