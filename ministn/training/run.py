"""A training run on disk, and ``fit``, the same loop for scripts and lessons.

A run directory holds
    config.json        the TrainConfig
    metrics.jsonl      one JSON line per finished epoch
    checkpoint.npz     after every epoch, and when Ctrl-C or SIGTERM stops the run
    .lock              held while a process trains in it (one process per run directory)
and, drawn by the train command from what ``train_run`` returns, curves.png and
transform.png.

Everything that can be wrong (names, values, data, the directory, the checkpoint) is checked
before the first byte is written, so a bad command line leaves an existing run untouched.
"""
import json
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from ..backend import check_device, manual_seed
from ..data import load_mnist
from ..errors import MinistnError
from ..files import MAX_BYTES_DEFAULT, RunLock, check_writable_folder, write_atomically
from ..models import addition_model, build, describe
from .checkpoint import load_checkpoint, load_weights, restore, save_checkpoint
from .config import TrainConfig
from .trainer import Trainer, describe_position

RUN_FILES = ("config.json", "metrics.jsonl", "checkpoint.npz", "curves.png", "transform.png")
CHANGEABLE_ON_RESUME = ("epochs", "device", "data_dir")


class RunError(MinistnError, ValueError):
    """A run directory or resume request that cannot be honoured."""


def build_model(config):
    manual_seed(config.seed)
    if config.task == "addition":
        model = addition_model(config.model, config.transform, config.normalization)
    else:
        model = build(config.model, config.transform, config.input_size, config.normalization)
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
def stop_on_signal(log):
    """Ctrl-C (SIGINT) or SIGTERM asks the loop to stop after the current batch, so that a
    checkpoint is saved; a second Ctrl-C quits at once."""
    asked = {"stop": False}

    def handler(signum, frame):
        if asked["stop"] and signum == signal.SIGINT:
            raise KeyboardInterrupt
        asked["stop"] = True
        name = "interrupted" if signum == signal.SIGINT else "terminated (SIGTERM)"
        log(f"\n{name}: finishing this batch and saving a checkpoint (Ctrl-C again to quit now)")

    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: asked["stop"]
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def resumed_config(saved, requested, given):
    """The saved config, with the fields the user gave explicitly; RunError on a conflict."""
    config = TrainConfig.from_dict(saved).to_dict()
    for name in given:
        if requested[name] == config.get(name):
            continue
        if name not in CHANGEABLE_ON_RESUME:
            raise RunError(f"the checkpoint was written for --{name.replace('_', '-')} "
                           f"{config.get(name)}, not {requested[name]} (a checkpoint from another "
                           f"run; use a new --out)")
        config[name] = requested[name]
    return TrainConfig.from_dict(config)


def existing_run_files(out):
    return [name for name in RUN_FILES if (out / name).exists()]


def prepare_run(out, requested, given, resume=False, force=False):
    """Check everything and return (config, checkpoint or None); writes nothing."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RunError(f"--out {out} exists and is not a directory")
    if resume and force:
        raise RunError("--resume and --force contradict each other: choose one")
    check_writable_folder(out, "--out")
    checkpoint = None
    if resume:
        if not (out / "checkpoint.npz").is_file():
            raise RunError(f"nothing to resume: {out / 'checkpoint.npz'} does not exist")
        checkpoint = load_checkpoint(out / "checkpoint.npz")
        config = resumed_config(checkpoint["config"], requested, given).check()
        done = checkpoint["state"]["epoch"]
        if config.epochs < done:
            raise RunError(f"--epochs {config.epochs} is fewer than the {done} epochs the run in "
                           f"{out} already has")
    else:
        existing = existing_run_files(out)
        if existing and not force:
            raise RunError(f"{out} already holds a run ({', '.join(existing)}); use --resume to "
                           f"continue it or --force to start it over")
        config = TrainConfig.from_dict(requested).check()
    check_config_device(config)
    return config, checkpoint


def check_config_device(config):
    if config.device != "cpu":
        try:
            check_device(config.device)
        except RuntimeError as error:
            raise RunError(str(error)) from None


def model_from_checkpoint(path, max_bytes=MAX_BYTES_DEFAULT, **overrides):
    """(model with the checkpoint's weights, its TrainConfig, the checkpoint) from a file.

    overrides: TrainConfig fields to change (data_dir, distortion, device), None for "as
    trained"; a distortion must make inputs of the size the model was trained on.
    """
    checkpoint = load_checkpoint(path, max_bytes)
    trained = TrainConfig.from_dict(checkpoint["config"])
    config = TrainConfig.from_dict(
        {**trained.to_dict(), **{k: v for k, v in overrides.items() if v is not None}}).check()
    if config.input_size != trained.input_size:
        raise RunError(f"distortion {config.distortion!r} makes {config.input_size}x"
                       f"{config.input_size} images, but the checkpoint's model takes "
                       f"{trained.distortion!r}-sized ones")
    check_config_device(config)
    model = build_model(config)
    load_weights(model, checkpoint["model"], path, model_description(config, model))
    return model, config, checkpoint


def load_trained(path, data_dir=None, distortion=None, device=None, progress=False, log=print,
                 max_bytes=MAX_BYTES_DEFAULT):
    """A Trainer holding a checkpoint's model and test set (for ``evaluate`` and ``show``).

    data_dir, distortion, device: override the checkpoint's. Returns (trainer, checkpoint).
    """
    model, config, checkpoint = model_from_checkpoint(path, max_bytes, data_dir=data_dir,
                                                      distortion=distortion, device=device)
    data = load_mnist(config.data_dir)
    return Trainer(model, data, config, progress=progress, log=log), checkpoint


def write_json_lines(path, records):
    with write_atomically(path, "w", what="metrics") as f:
        f.writelines(json.dumps(record) + "\n" for record in records)


def train_run(out, requested, given=(), resume=False, force=False, progress=True, log=print):
    """The ``train`` command: prepare, then train with a checkpoint after every epoch in ``out``.

    requested: TrainConfig fields as a dict; given: the names the user set explicitly.
    Returns (trainer, finished): finished is False when Ctrl-C or SIGTERM stopped it.
    """
    out = Path(out)
    RunLock(out).check_free()      # a run in progress there: name its process, whatever the flags
    config, _ = prepare_run(out, requested, given, resume, force)  # bad requests fail here,
    data = load_mnist(config.data_dir)                              # before anything is written
    with RunLock(out), stop_on_signal(log) as stop:
        # this process owns the directory now; check again: another may have written it
        config, checkpoint = prepare_run(out, requested, given, resume, force)
        model = build_model(config)
        manual_seed(config.seed)   # training's own draws (dropout) start from the seed, as fit()
        trainer = Trainer(model, data, config, progress=progress, log=log)
        if checkpoint is not None:
            restore(trainer, checkpoint, out / "checkpoint.npz", model_description(config, model))
        log(f"data: {data.describe()}")
        log(f"model: {model_description(config, model)}")
        # ---- from here on the run directory is written ---------------------------------------
        if force:
            for name in RUN_FILES:
                (out / name).unlink(missing_ok=True)
        with write_atomically(out / "config.json", "w", what="config") as f:
            f.write(json.dumps(config.to_dict(), indent=2) + "\n")
        write_json_lines(out / "metrics.jsonl", trainer.history)

        def save():
            save_checkpoint(out / "checkpoint.npz", model, trainer.optimizer, config.to_dict(),
                            trainer.state())

        def on_epoch(record):
            save()
            write_json_lines(out / "metrics.jsonl", trainer.history)

        if trainer.epoch >= config.epochs:
            log(f"nothing to do: the run already has {trainer.epoch} of {config.epochs} epochs")
        finished = trainer.run(stop=stop, on_epoch=on_epoch)
        if not finished:
            save()
            log(f"checkpoint saved to {out / 'checkpoint.npz'} "
                f"({describe_position(trainer.epoch, trainer.step)}); continue with --resume")
    return trainer, finished
