"""A training run on disk, and ``fit``, the same loop for scripts and lessons.

A run directory holds
    config.json        the TrainConfig
    metrics.jsonl      one JSON line per finished epoch
    checkpoint.npz     after every epoch and on Ctrl-C (checkpoint.py)
    curves.png         loss and accuracy per epoch
    transform.png      test digits before and after the learned transform (ST models)

Everything that can be wrong (names, data, the directory, the checkpoint) is checked before the
first byte is written, so a bad command line leaves an existing run untouched.
"""
import json
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from ..backend import check_device, manual_seed
from ..data import load_mnist
from ..models import build, describe
from .checkpoint import load_checkpoint, load_weights, save_checkpoint
from .config import TrainConfig
from .trainer import Trainer

RUN_FILES = ("config.json", "metrics.jsonl", "checkpoint.npz", "curves.png", "transform.png")
CHANGEABLE_ON_RESUME = ("epochs", "device", "data_dir")


class RunError(ValueError):
    """A run directory or resume request that cannot be honoured."""


def build_model(config):
    manual_seed(config.seed)
    model = build(config.model, config.transform, config.input_size, config.normalize)
    return model.to(config.device) if config.device != "cpu" else model


def model_description(config, model):
    return describe(model, config.model, config.transform, config.input_size)


def fit(model, data, progress=True, log=print, **options):
    """Train ``model`` on ``data`` (an MNIST tuple from ``load_mnist``); returns the history.

    options are TrainConfig fields, e.g. distortion="R", epochs=2, optimizer="adam", lr=1e-3,
    batch_size=64, train_size=2000, seed=0. The model must fit the distortion's input size.
    """
    config = TrainConfig(**options).check()
    manual_seed(config.seed)
    trainer = Trainer(model, data, config, progress=progress, log=log)
    trainer.run()
    return trainer.history


@contextmanager
def stop_on_interrupt(log):
    """The first Ctrl-C asks the loop to stop after the current batch; the second one quits."""
    asked = {"stop": False}

    def handler(signum, frame):
        if asked["stop"]:
            raise KeyboardInterrupt
        asked["stop"] = True
        log("\ninterrupted: finishing this batch and saving a checkpoint (Ctrl-C again to quit now)")

    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: asked["stop"]
    finally:
        signal.signal(signal.SIGINT, previous)


def resumed_config(saved, requested, given):
    """The saved config, with the fields the user gave explicitly; RunError on a conflict."""
    config = dict(saved)
    for name in given:
        if requested[name] == saved.get(name):
            continue
        if name not in CHANGEABLE_ON_RESUME:
            raise RunError(f"the checkpoint was written for --{name.replace('_', '-')} "
                           f"{saved.get(name)}, not {requested[name]} (a checkpoint from another "
                           f"run; use a new --out)")
        config[name] = requested[name]
    return TrainConfig.from_dict(config)


def prepare_run(out, requested, given, resume=False, force=False):
    """Check everything and return (config, checkpoint or None); writes nothing."""
    out = Path(out)
    existing = [name for name in RUN_FILES if (out / name).exists()]
    if out.exists() and not out.is_dir():
        raise RunError(f"--out {out} exists and is not a directory")
    if resume and force:
        raise RunError("--resume and --force contradict each other: choose one")
    checkpoint = None
    if resume:
        if not (out / "checkpoint.npz").is_file():
            raise RunError(f"nothing to resume: {out / 'checkpoint.npz'} does not exist")
        checkpoint = load_checkpoint(out / "checkpoint.npz")
        config = resumed_config(checkpoint["config"], requested, given)
    else:
        if existing and not force:
            raise RunError(f"{out} already holds a run ({', '.join(existing)}); use --resume to "
                           f"continue it or --force to start it over")
        config = TrainConfig.from_dict(requested)
    config.check()
    if config.device != "cpu":
        try:
            check_device(config.device)
        except RuntimeError as error:
            raise RunError(str(error)) from None
    return config, checkpoint


def write_metrics(out, history):
    with open(out / "metrics.jsonl", "w") as f:
        f.writelines(json.dumps(record) + "\n" for record in history)


def load_trained(path, data_dir=None, distortion=None, device=None, progress=False, log=print):
    """A Trainer holding a checkpoint's model and test set (for ``evaluate`` and ``show``).

    data_dir, distortion, device: override the checkpoint's (the distortion must make inputs
    of the same size). Returns (trainer, checkpoint).
    """
    checkpoint = load_checkpoint(path)
    config = TrainConfig.from_dict(checkpoint["config"])
    overrides = {"data_dir": data_dir, "distortion": distortion, "device": device}
    for name, value in overrides.items():
        if value is not None:
            setattr(config, name, value)
    config.check()
    if config.input_size != TrainConfig.from_dict(checkpoint["config"]).input_size:
        raise RunError(f"distortion {config.distortion!r} makes {config.input_size}x"
                       f"{config.input_size} images, but the checkpoint's model takes "
                       f"{checkpoint['config']['distortion']!r}-sized ones")
    model = build_model(config)
    load_weights(model, checkpoint["model"], path, model_description(config, model))
    data = load_mnist(config.data_dir)
    return Trainer(model, data, config, progress=progress, log=log), checkpoint


def train_run(out, requested, given=(), resume=False, force=False, progress=True, log=print):
    """The ``train`` command: prepare, then train with checkpoints and figures in ``out``.

    requested: TrainConfig fields as a dict; given: the names the user set explicitly.
    Returns (trainer, finished): finished is False when Ctrl-C stopped it.
    """
    from .figures import save_curves, save_transform_figure

    out = Path(out)
    config, checkpoint = prepare_run(out, requested, given, resume, force)
    data = load_mnist(config.data_dir)
    model = build_model(config)
    manual_seed(config.seed)   # training's own draws (dropout) start from the seed, as in fit()
    trainer = Trainer(model, data, config, progress=progress, log=log)
    if checkpoint is not None:
        load_weights(model, checkpoint["model"], out / "checkpoint.npz",
                     model_description(config, model))
        trainer.optimizer.load_state_dict(checkpoint["optimizer"])
        trainer.load_state(checkpoint["state"])
    log(f"data: {data.describe()}")
    log(f"model: {model_description(config, model)}")
    # ---- from here on the run directory is written ---------------------------------------
    out.mkdir(parents=True, exist_ok=True)
    if force:
        for name in RUN_FILES:
            (out / name).unlink(missing_ok=True)
    (out / "config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n")
    write_metrics(out, trainer.history)

    def save():
        save_checkpoint(out / "checkpoint.npz", model, trainer.optimizer, config.to_dict(),
                        trainer.state())

    def on_epoch(record):
        save()
        with open(out / "metrics.jsonl", "a") as f:
            f.write(json.dumps(record) + "\n")

    if trainer.epoch >= config.epochs:
        log(f"nothing to do: the run already has {trainer.epoch} of {config.epochs} epochs")
    with stop_on_interrupt(log) as stop:
        finished = trainer.run(stop=stop, on_epoch=on_epoch)
    if not finished:
        save()
        log(f"checkpoint saved to {out / 'checkpoint.npz'} (epoch {trainer.epoch}, batch "
            f"{trainer.step}); continue with --resume")
        return trainer, False
    save_curves(trainer.history, out / "curves.png")
    if model.has_transformer:
        save_transform_figure(model, trainer.test_x, out / "transform.png", config.normalize)
    return trainer, True
