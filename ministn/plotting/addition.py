"""MNIST addition: what each of the two parallel transformers makes of the same inputs.

The paper's claim (appendix A.1, Table 4): the two transformers of the 2xST-FCN co-adapt, each
learning to stand one channel's digit upright and centred, while the other channel is
left to the other transformer. Rows: the two input channels, then the two channels of
transformer 1's output, then transformer 2's; one column of panels per two-transformer model.
"""
import matplotlib.pyplot as plt
import numpy as np

from ..autograd import no_grad
from ..data import load_mnist, to_float
from ..distortions import TEST_SEED, fixed_pairs
from ..experiments.addition import ROWS
from ..experiments.table1 import Job
from .png import save_png
from .run_figures import tile
from .table1 import trained_model

PARALLEL_ROWS = [row for row in ROWS if row[1].startswith("2x")]
ROW_NAMES = ("input: channel 1", "input: channel 2", "ST 1 output: channel 1",
             "ST 1 output: channel 2", "ST 2 output: channel 1", "ST 2 output: channel 2")


def save_addition_figure(runs, path, seed=0, count=8, data_dir=None):
    """Panels of the seed-0 2xST models' transformer outputs on the first ``count`` test pairs."""
    data = load_mnist(data_dir)
    x, sums = fixed_pairs(to_float(data.test_images), data.test_labels, TEST_SEED)
    x, sums = x[:count], sums[:count]
    fig, axes = plt.subplots(len(ROW_NAMES), len(PARALLEL_ROWS),
                             figsize=(5.2 * len(PARALLEL_ROWS), 0.9 * len(ROW_NAMES) + 1.0),
                             squeeze=False)
    for j, (label, model, transform) in enumerate(PARALLEL_ROWS):
        loaded = trained_model(runs, Job(label, model, transform, "RTS", seed))
        if loaded is None:
            panels = [x[:, 0:1], x[:, 1:2]] + [None] * 4
        else:
            with no_grad():
                out = loaded[0].transform(x).data            # (count, 4, 42, 42)
            panels = [x[:, c:c + 1] for c in range(2)] + [out[:, c:c + 1] for c in range(4)]
        for i, (name, panel) in enumerate(zip(ROW_NAMES, panels)):
            ax = axes[i, j]
            if panel is None:
                ax.text(0.5, 0.5, "not trained yet", ha="center", va="center", fontsize=8)
            else:
                ax.imshow(tile(np.clip(panel, 0, 1), count), cmap="gray", vmin=0, vmax=1,
                          interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
        axes[0, j].set_title(f"{label} (seed {seed}); sums: "
                             + " ".join(str(int(s)) for s in np.asarray(sums)), fontsize=9)
    fig.suptitle("MNIST addition: each transformer's output for the same test pairs", fontsize=10)
    fig.tight_layout()
    save_png(fig, path, dpi=110)
