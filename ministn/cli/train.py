"""``python -m ministn train``: train a model on MNIST or a distorted MNIST, with checkpoints.

With no arguments it trains the tutorial's ST-CNN on the bundled 6,000 training images and
tests on the official 10,000, with ministn's default recipe (see ministn/training/config.py),
writing runs/tutorial/{config.json, metrics.jsonl, checkpoint.npz}, and draws curves.png and
transform.png there when training has finished.
"""
import time
from pathlib import Path

from ..backend import tune_allocator_once
from ..distortions import DISTORTIONS
from ..models import MODELS, TRANSFORMS
from ..plotting import save_curves, save_transform_figure
from ..training import TUTORIAL_RECIPE, TrainConfig, train_run

DEFAULTS = TrainConfig()
OPTIONS = {  # flag -> (config field, type, help); each default is None so "given" is known
    "--model": ("model", str, f"{', '.join(MODELS)} (default {DEFAULTS.model})"),
    "--transform": ("transform", str, f"for st-fcn / st-cnn: {', '.join(TRANSFORMS)}"),
    "--distortion": ("distortion", str, f"data set: {', '.join(DISTORTIONS)} (default none)"),
    "--epochs": ("epochs", int, f"default {DEFAULTS.epochs}"),
    "--batch-size": ("batch_size", int, f"default {DEFAULTS.batch_size}"),
    "--optimizer": ("optimizer", str, f"sgd or adam (default {DEFAULTS.optimizer})"),
    "--lr": ("lr", float, f"learning rate (default {DEFAULTS.lr})"),
    "--momentum": ("momentum", float, f"SGD momentum (default {DEFAULTS.momentum})"),
    "--lr-step": ("lr_step", int, f"multiply the lr by --lr-gamma every so many epochs, 0 for "
                                  f"never (default {DEFAULTS.lr_step})"),
    "--lr-gamma": ("lr_gamma", float, f"default {DEFAULTS.lr_gamma}"),
    "--localisation-lr-factor": ("localisation_lr_factor", float,
                                 "the transformer's localisation net and regression layer learn "
                                 "at lr times this (default 1; 0.1 keeps a grid from leaving "
                                 "the image early; no effect without a transformer)"),
    "--seed": ("seed", int, "initialisation, shuffling, distortions, dropout (default 0)"),
    "--device": ("device", str, "cpu or gpu (CuPy; default cpu)"),
    "--data-dir": ("data_dir", str, "a directory with the four MNIST-format files (default: "
                                    "the downloaded full MNIST if present, else the bundled copy)"),
    "--train-size": ("train_size", int, "use only the first N training images"),
    "--test-size": ("test_size", int, "use only the first N test images"),
}


def add_arguments(parser):
    for flag, (dest, kind, help_text) in OPTIONS.items():
        parser.add_argument(flag, dest=dest, type=kind, default=None, help=help_text)
    parser.add_argument("--recipe", choices=("ministn", "tutorial"), default=None,
                        help="ministn (default): Adam + StepLR + augmentation; tutorial: SGD lr "
                             "0.01, 20 epochs, inputs normalised before the network")
    parser.add_argument("--no-augment", dest="augment", action="store_false", default=None,
                        help="no light random affine on plain-MNIST training images")
    parser.add_argument("--normalize", dest="normalization", choices=("inside", "outside"),
                        default=None,
                        help="inside (default): after the transformer, so zero padding is the "
                             "background; outside: before the network, as the tutorial")
    parser.add_argument("--out", default=None, help="run directory (default runs/<model>...)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument("--force", action="store_true", help="start over, replacing --out's run")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar (the per-epoch lines are still printed)")


def requested_config(args):
    """(config fields as a dict, the names the user set) from the parsed flags."""
    given = {dest: getattr(args, dest) for dest, _, _ in OPTIONS.values()
             if getattr(args, dest) is not None}
    if args.augment is not None:
        given["augment"] = args.augment
    if args.normalization is not None:
        given["normalization"] = args.normalization
    values = DEFAULTS.to_dict()
    if args.recipe == "tutorial":
        values.update(TUTORIAL_RECIPE)
    values.update(given)
    return values, tuple(given)


def default_out(values):
    name = values["model"]
    if name.startswith("st-"):
        name += f"-{values['transform']}"
    if values["distortion"] != "none":
        name += f"-{values['distortion']}"
    return f"runs/{name}"


def run(args):
    values, given = requested_config(args)
    out = Path(args.out or default_out(values))
    tune_allocator_once()  # as the first op would; MINISTN_TUNE_MALLOC=0 opts out (backend.py)
    started = time.perf_counter()
    trainer, finished = train_run(out, values, given, resume=args.resume, force=args.force,
                                  progress=args.progress)
    if not finished:
        return 130
    if trainer.history:
        save_curves(trainer.history, out / "curves.png")
    if trainer.model.has_transformer and trainer.model.warps_input:
        save_transform_figure(trainer.model, trainer.test_x, out / "transform.png",
                              trainer.config.normalization)
    minutes, seconds = divmod(time.perf_counter() - started, 60)
    if trainer.history:
        last = trainer.history[-1]
        epochs = f"{last['epoch']} epoch{'s' * (last['epoch'] != 1)}"
        print(f"done: test accuracy {last['test_acc']:.2f}% after {epochs} "
              f"({int(minutes)} min {seconds:.0f} s); run in {out}/")
    return 0
