"""Figures of Table 1: the errors as bars beside the paper's, and what each transformer learned."""
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

from ..autograd import no_grad
from ..data import load_mnist, to_float
from ..distortions import distort_fixed
from ..experiments.table1 import ALL_COLUMNS, CLUTTERED, COLUMNS, PAPER, ROWS, Job, columns_of
from ..training import model_from_checkpoint
from .png import save_png
from .run_figures import tile


def save_table_figure(cells, path):
    """One panel per distortion: ours (mean, range as error bar) beside the paper, per model."""
    labels = [label for label, _, _ in ROWS]
    x = np.arange(len(labels))
    columns = columns_of(cells)
    fig, axes = plt.subplots(1, len(columns), figsize=(4 * len(columns), 4.6), sharey=False)
    for ax, (k, d) in zip(axes, enumerate(columns)):
        ours = [cells.get((label, d)) for label in labels]
        mean = [np.nan if c is None else c["mean"] for c in ours]
        low = [0 if c is None else c["mean"] - min(c["errors"]) for c in ours]
        high = [0 if c is None else max(c["errors"]) - c["mean"] for c in ours]
        ax.bar(x - 0.2, mean, 0.4, yerr=[low, high], capsize=2, color="tab:blue",
               label="ministn (6k digits, scaled recipe)")
        paper = [PAPER[label][k] for label in labels]
        ax.bar(x + 0.2, [np.nan if p is None else p for p in paper], 0.4, color="tab:gray",
               label="paper (60k digits)")
        for i, c in enumerate(ours):
            if c is not None:
                ax.text(i - 0.2, max(c["errors"]) * 1.04, f"{len(c['errors'])}", ha="center",
                        va="bottom", fontsize=7)
        ax.set_xticks(x, labels, fontsize=8, rotation=50, ha="right", rotation_mode="anchor")
        ax.set_title(d)
        ax.set_yscale("log")
        ticks = [t for t in (0.3, 0.5, 1, 2, 3, 5, 10, 20, 50) if t <= ax.get_ylim()[1]]
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("test error % (log scale)")
    axes[-1].legend(fontsize=8, loc="upper right")
    fig.suptitle("Table 1 (left), distorted MNIST: ministn beside Jaderberg et al. 2015 "
                 "(bar: mean over seeds; whisker: seed range; number: seeds finished)")
    fig.tight_layout()
    save_png(fig, path, dpi=110)


def trained_model(runs, job):
    """(model, config) from a job's checkpoint, or None if it has not finished training."""
    path = Path(runs) / job.name / "checkpoint.npz"
    if not path.is_file():
        return None
    model, config, checkpoint = model_from_checkpoint(path)
    if checkpoint["state"]["epoch"] < config.epochs:
        return None
    return model.eval(), config


def save_transformer_figure(runs, path, seed=0, count=8, data_dir=None):
    """One row per distortion: distorted test digits, then each ST-CNN's transformer output."""
    test = to_float(load_mnist(data_dir).test_images[:1000])
    transforms = (("Aff", "affine"), ("Proj", "projective"), ("TPS", "tps"))
    has_tc = any((Path(runs) / Job(f"ST-CNN {short}", "st-cnn", t, CLUTTERED, seed).name
                  / "checkpoint.npz").is_file() for short, t in transforms)
    columns = ALL_COLUMNS if has_tc else COLUMNS
    fig, axes = plt.subplots(len(columns), 1 + len(transforms),
                             figsize=(4 * (1 + len(transforms)), 0.95 * len(columns) + 0.7))
    for i, d in enumerate(columns):
        x = distort_fixed(d, test)[:count]   # the first test digits, as the test set has them
        axes[i, 0].imshow(tile(x, count), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axes[i, 0].set_ylabel(d, rotation=0, labelpad=18, fontsize=12)
        axes[i, 0].set_title("distorted test digits (input)" if i == 0 else "", fontsize=9)
        for j, (short, transform) in enumerate(transforms, start=1):
            loaded = trained_model(runs, Job(f"ST-CNN {short}", "st-cnn", transform, d, seed))
            if loaded is None:
                axes[i, j].text(0.5, 0.5, "not trained yet", ha="center", va="center")
            else:
                with no_grad():
                    after = loaded[0].transform(x).data
                axes[i, j].imshow(tile(after, count), cmap="gray", vmin=0, vmax=1,
                                  interpolation="nearest")
            if i == 0:
                axes[i, j].set_title(f"ST-CNN {short}: transformer output", fontsize=9)
        for ax in axes[i]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(f"What the ST-CNN transformers learned (seed {seed}; rows {', '.join(columns)})",
                 fontsize=10)
    fig.tight_layout()
    save_png(fig, path, dpi=110)
