"""A figure of the distorted data sets: one row of examples per distortion."""
import matplotlib.pyplot as plt
import numpy as np

from ..backend import to_numpy
from ..distortions import DISTORTIONS, distort
from .png import save_png
from .run_figures import tile

CAPTIONS = {
    "none": "plain MNIST, 28x28",
    "augment": "augment: the default recipe's light affine (+-10 deg, 0.9-1.1, +-2 px)",
    "R": "R: rotation +-90 deg, 28x28",
    "RTS": "RTS: rotation +-45 deg, scale 0.7-1.2, random place, 42x42",
    "P": "P: scale 0.75-1, corners moved by N(0, 5 px), 28x28",
    "E": "E: scale 0.75-1, 4x4 TPS lattice moved by N(0, 1.5 px), 28x28",
    "T": "T: random place, 60x60",
    "TC": "TC: T plus six 6x6 pieces of other digits, 60x60",
}


def save_distortions_figure(images, path, seed=0, columns=8):
    """images: float digits (N >= columns, 1, 28, 28) in [0, 1]; each row distorts the same ones.
    Every canvas is drawn at the same size, so a digit on a 60x60 canvas looks smaller."""
    names = list(DISTORTIONS)
    fig, axes = plt.subplots(len(names), 1, figsize=(columns * 1.05, len(names) * 1.45))
    for row, (ax, name) in enumerate(zip(axes, names)):
        batch = to_numpy(distort(name, images[:columns], np.random.default_rng([seed, row]),
                                 pool=images))
        ax.imshow(tile(batch, columns), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(CAPTIONS[name], fontsize=9, loc="left")
        ax.axis("off")
    fig.tight_layout(h_pad=0.4)
    save_png(fig, path, dpi=100)
