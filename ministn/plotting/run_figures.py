"""Figures of a run: learning curves, and digits before and after the learned transform.

"Before" and "after" are drawn in the same pixel units on the same grey scale (0 = black
background, 1 = white ink). The PyTorch tutorial's ``visualize_stn`` un-normalised with the
ImageNet mean and std instead of MNIST's; here a model fed normalised pixels
(``normalization="outside"``) is un-normalised with MNIST's own numbers, on both sides.
"""
import matplotlib.pyplot as plt
import numpy as np

from ..autograd import no_grad
from ..backend import to_numpy
from ..data import MNIST_MEAN, MNIST_STD
from .png import save_png


def tile(images, columns=8):
    """(N, 1, H, W) -> one (rows*(H+1)-1, columns*(W+1)-1) image with 1-pixel gaps (value 0.5)."""
    images = to_numpy(images)[:, 0].astype(np.float32)
    N, H, W = images.shape
    rows = -(-N // columns)
    padded = np.full((rows * columns, H + 1, W + 1), 0.5, dtype=np.float32)
    padded[:N, :H, :W] = images
    sheet = padded.reshape(rows, columns, H + 1, W + 1).transpose(0, 2, 1, 3)
    return sheet.reshape(rows * (H + 1), columns * (W + 1))[:-1, :-1]


def save_curves(history, path):
    """Loss and accuracy per epoch, training and test."""
    epochs = [r["epoch"] for r in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax_loss.plot(epochs, [r["train_loss"] for r in history], "o-", label="train")
    ax_loss.plot(epochs, [r["test_loss"] for r in history], "s-", label="test")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="loss")
    ax_acc.plot(epochs, [r["train_acc"] for r in history], "o-", label="train")
    ax_acc.plot(epochs, [r["test_acc"] for r in history], "s-", label="test")
    best = max(history, key=lambda r: r["test_acc"])
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)",
               title=f"accuracy (final test {history[-1]['test_acc']:.2f}%, best "
                     f"{best['test_acc']:.2f}% at epoch {best['epoch']})")
    ax_acc.set_ylim(max(0, min(r["test_acc"] for r in history) - 2), 100)
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    save_png(fig, path, dpi=110)


def to_pixels(x, normalized_input):
    """Model inputs back to pixel units: undo MNIST normalisation if the model was fed it."""
    x = to_numpy(x)
    return x * MNIST_STD + MNIST_MEAN if normalized_input else x


def save_transform_figure(model, images, path, normalization="inside", count=32):
    """Test digits before (left) and after (right) the model's spatial transformer.

    images: what the model is fed (N, 1, S, S); normalization: the model's setting ("inside": raw
    pixels in, nothing to undo; "outside": the tutorial's normalised pixels, undone for display).
    """
    x = images[:count]
    model.eval()
    with no_grad():
        after = model.transform(x).data
    model.train()
    outside = normalization == "outside"
    before, after = to_pixels(x, outside), to_pixels(after, outside)
    rows = -(-len(before) // 8)
    fig, axes = plt.subplots(1, 2, figsize=(10, 5 * rows / 8 + 0.9))
    for ax, sheet, title in ((axes[0], before, "input"), (axes[1], after, "after the transformer")):
        ax.imshow(tile(sheet), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title)
        ax.axis("off")
    note = ("normalised inside the model, after the transformer: zero padding = black background"
            if not outside else "inputs normalised before the model (tutorial): zero padding is "
            f"grey {MNIST_MEAN} after un-normalising")
    fig.suptitle(note, fontsize=9)
    fig.tight_layout()
    save_png(fig, path, dpi=110)


def save_padding_figure(images, path, zoom_out=1.6, degrees=20.0):
    """pytorch/tutorials#1117 in one picture: the same zoom-out warp of raw digits (N, 1, S, S),
    sampled after normalising (the tutorial: the zero padding is grey) and before (ministn)."""
    from .. import functional as F
    from ..data import normalize_pixels
    from ..distortions.warps import similarity_theta

    N, S = images.shape[0], images.shape[-1]
    theta = similarity_theta(np.full(N, np.deg2rad(degrees)), np.full(N, 1 / zoom_out),
                             np.zeros((N, 2)), S, S).astype(images.dtype)
    with no_grad():
        grid = F.affine_grid(theta, images.shape, False)
        tutorial = F.grid_sample(normalize_pixels(images), grid).data * MNIST_STD + MNIST_MEAN
        ministn = F.grid_sample(images, grid).data
    rows = [(images, "input"),
            (tutorial, "tutorial: normalise, then sample (zero padding = grey frame)"),
            (ministn, "ministn: sample raw pixels, normalise inside the model (no frame)")]
    fig, axes = plt.subplots(len(rows), 1, figsize=(N * 0.9, len(rows) * 1.5))
    for ax, (sheet, title) in zip(axes, rows):
        ax.imshow(tile(sheet, columns=N), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=9, loc="left")
        ax.axis("off")
    fig.suptitle(f"the same warp (zoom out x{zoom_out}, rotate {degrees:g} deg), shown in pixel units",
                 fontsize=9)
    fig.tight_layout()
    save_png(fig, path, dpi=110)
