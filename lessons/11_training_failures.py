"""Lesson 11: why spatial transformers fail to train, and how to keep them training.

What you will learn: the three ways a spatial transformer most often goes wrong, each measured
on a small run of the same task: a transformer started away from the identity, a localisation
network with too large a learning rate (the grid flies off the image, the output goes blank,
and the gradient that could bring it back is exactly zero), and pixels normalised before the
transformer, so that the sampler's zero padding is no longer the background. And the remedies:
identity initialisation, a smaller rate for the localisation network, and padding that matches
the background (normalise after the transformer).

Assumes: lessons 07 (padding and gradients outside the image) and 10 (training an ST-CNN).
Run:     python lessons/11_training_failures.py    (under a minute; MINISTN_QUICK=1: seconds)
Writes:  figures/11_training_failures.png (what the classifier sees after each run's transformer,
         and each run's accuracy)
"""
# %%
import os
import pathlib

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import ministn
import ministn.functional as F
from ministn import models, nn, optim
from ministn.data import MNIST_MEAN, MNIST_STD, batch_indices, load_mnist, normalize_pixels, to_float
from ministn.distortions import affine_warp

QUICK = os.environ.get("MINISTN_QUICK") == "1"
FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# The task: MNIST digits shrunk to 50-80% of their size and turned by up to 45 degrees, on the
# 28 x 28 canvas. A good transformer zooms *in* on the digit (the 2 x 2 part A of its theta then
# has a scale s = sqrt|det A| below 1) and turns it upright. Every run below trains the
# tutorial's ST-CNN (lesson 10) for the same few epochs with Adam, from the same seed; only the
# one setting named changes.

# %%
mnist = load_mnist(train_size=2000, test_size=500 if QUICK else 1000)
train_x, train_y = to_float(mnist.train_images), mnist.train_labels
test_x = affine_warp(to_float(mnist.test_images), np.random.default_rng(7), 45, scale=(0.5, 0.8))
test_y = mnist.test_labels
EPOCHS = 2 if QUICK else 3


def train(normalization="inside", identity_start=True, localisation_lr=2e-4, seed=0):
    """A small ST-CNN run; returns the model and a function that feeds it pixels."""
    ministn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = models.build("tutorial", normalization=normalization)
    if not identity_start:                                   # the default init of a Linear layer
        fresh = nn.Linear(32, 6)
        model.transformer.regression.weight.data[...] = fresh.weight.data
        model.transformer.regression.bias.data[...] = fresh.bias.data
    prepare = (lambda x: x) if normalization == "inside" else normalize_pixels
    optimizers = [optim.Adam(model.classifier.parameters(), lr=2e-3),
                  optim.Adam(model.transformer.parameters(), lr=localisation_lr)]
    for _ in range(EPOCHS):
        for index in batch_indices(len(train_x), 64, rng):
            images = affine_warp(train_x[index], rng, 45, scale=(0.5, 0.8))
            loss = F.cross_entropy(model(ministn.tensor(prepare(images))), train_y[index])
            for optimizer in optimizers:
                optimizer.zero_grad()
            loss.backward()
            for optimizer in optimizers:
                optimizer.step()
    return model.eval(), prepare


def measure(name, model, prepare):
    """Accuracy, the transformer's median scale, blank outputs, and V in pixel units [0, 1]."""
    with ministn.no_grad():
        x = ministn.tensor(prepare(test_x))
        accuracy = float((model(x).numpy().argmax(axis=1) == test_y).mean())
        V, theta = (t.numpy() for t in model.transformer.forward_with_params(x))
    if prepare is normalize_pixels:
        V = V * MNIST_STD + MNIST_MEAN                       # back to pixels, for a fair picture
    scale = np.sqrt(np.abs(np.linalg.det(theta[:, :, :2])))
    blank = float((V.reshape(len(V), -1).std(axis=1) < 0.02).mean())
    print(f"{name:28s} accuracy {accuracy:.3f}   median scale {np.median(scale):7.2f}   blank outputs {blank:.0%}")
    return dict(accuracy=accuracy, scale=float(np.median(scale)), blank=blank, V=V, theta=theta)

# %% [markdown]
# The remedy first: everything right. The regression layer that outputs theta starts at zero
# weights and the identity bias (so V = U at the start), the localisation network learns at a
# tenth of the classifier's rate (2e-4 against 2e-3), and the model normalises its pixels
# *after* the transformer, so the zeros that the sampler reads outside the image are the
# digit's own black background.

# %%
remedied = train()
runs = {"remedies: all three": measure("remedies: all three", *remedied)}

# %% [markdown]
# Failure 1: a random start. Forget the identity initialisation, and the regression layer
# starts as any Linear layer does: small random weights and biases, so theta is a small random
# matrix. A small A means a grid squeezed into a tiny patch of the image: the transformer
# blows up a few pixels, the classifier sees a blur, and the few epochs that were enough from
# the identity are now spent finding the digit again (or not).

# %%
runs["random start"] = measure("random start", *train(identity_start=False))

# %% [markdown]
# Failure 2: too large a rate for the localisation network (5e-2, 25 times the classifier's).
# The first steps move theta far; once the grid lies entirely outside the image, V is the
# padding alone, blank, for every digit. Lesson 07 showed what that means for learning: with
# zeros padding every grid point more than a pixel outside has grid gradient exactly 0, so
# nothing pushes theta back. We check that here: the gradient reaching the transformer's
# parameters from a batch of the collapsed model is zero.

# %%
collapsed, prepare = train(localisation_lr=5e-2)
runs["localisation rate 5e-2"] = measure("localisation rate 5e-2", collapsed, prepare)
collapsed.train()
F.cross_entropy(collapsed(ministn.tensor(test_x[:64])), test_y[:64]).backward()
transformer_gradient = max(float(np.abs(p.grad).max()) for p in collapsed.transformer.parameters())
classifier_gradient = max(float(np.abs(p.grad).max()) for p in collapsed.classifier.parameters())
print(f"collapsed model: largest gradient on the transformer {transformer_gradient:.1e}, "
      f"on the classifier {classifier_gradient:.1e}")

# %% [markdown]
# Failure 3: normalising before the transformer, as the PyTorch tutorial does,
# x' = (x - 0.1307) / 0.3081. The background becomes -0.42, but the sampler still pads with 0,
# which is now a grey 0.13 in pixel units: wherever the grid leaves the image (the corners of a
# rotated grid, the rim of a zoom-out) the classifier sees a grey frame that no training digit
# has. In this short run the transformers zoom in (scale below 1), so their grids stay inside
# the image and the two setups score alike. The trap springs when the grid goes outside, so we
# send it there: both trained models, their transformer's theta set to a zoom-out by 1.6, read
# the *unshrunk* test digits. Each then shows its classifier a digit at 1/1.6 = 62% of its size,
# well inside the training range, on a frame: black for the model normalised inside, grey for
# the one normalised before the transformer. Same digits, same theta, side by side. (Whether
# the grey frame costs accuracy at this length of training we could not tell: over seeds 0, 1
# and 2 the grey-framed model scored between 0.8 points better and 2.6 points worse than the
# other, so the accuracies are printed, not asserted.)
#
# Over a long run the frame was reported to do more harm: for the tutorial's recipe the
# transformer learns to zoom *out* (pytorch/tutorials issue #1117), the frame's size being an
# easy cue. A run this short does not get that far, and we have not measured it: the median
# scales printed show both models zooming in.

# %%
grey_framed = train(normalization="outside")
runs["normalised before the ST"] = measure("normalised before the ST", *grey_framed)
plain_x = to_float(mnist.test_images)
zoom_out = np.array([[[1.6, 0, 0], [0, 1.6, 0]]])


def with_zoom_out(name, model, prepare):
    """Accuracy and V (pixels) of a trained model whose transformer is fixed to zoom_out."""
    model.transformer.regression.weight.data[...] = 0
    model.transformer.regression.bias.data[...] = zoom_out.reshape(-1)
    with ministn.no_grad():
        x = ministn.tensor(prepare(plain_x))
        accuracy = float((model(x).numpy().argmax(axis=1) == test_y).mean())
        V = model.transformer(x).numpy()
    if prepare is normalize_pixels:
        V = V * MNIST_STD + MNIST_MEAN
    frame = float(V[:, 0, :3, :].mean())                         # the top three rows: all padding
    print(f"{name:28s} zoomed out 1.6x: accuracy {accuracy:.3f}, frame brightness {frame:.3f} (background 0)")
    return accuracy, frame, V

zoomed = {"remedies: all three": with_zoom_out("remedies: all three", *remedied),
          "normalised before the ST": with_zoom_out("normalised before the ST", *grey_framed)}

# %%
plt.rcParams.update({"font.size": 13})
rows = {**{name: run["V"] for name, run in runs.items()},
        "remedies, zoomed out 1.6x": zoomed["remedies: all three"][2],
        "normalised before,\nzoomed out 1.6x": zoomed["normalised before the ST"][2]}
names = list(runs)
show = [0, 3, 5, 8, 11]
fig = plt.figure(figsize=(16, 12))
layout = fig.add_gridspec(len(rows), 2, width_ratios=[len(show) + 0.3, 3.2], wspace=0.08, hspace=0.3)
for row, name in enumerate(rows):
    cells = layout[row, 0].subgridspec(1, len(show) + 1, wspace=0.05, width_ratios=[1] * len(show) + [0.3])
    for k, i in enumerate(show):
        ax = fig.add_subplot(cells[k])
        ax.imshow(rows[name][i, 0], cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([]), ax.set_yticks([])
        if k == 0:
            ax.set_ylabel(name.replace(": ", ":\n").replace(" the ST", "\nthe ST").replace(" rate", "\nrate"),
                          fontsize=11, rotation=0, ha="right", va="center")
        if row == 0:
            ax.set_title(f"test {i}")
ax = fig.add_subplot(layout[:, 1])
accuracies = [runs[n]["accuracy"] for n in names] + [zoomed[n][0] for n in zoomed]
labels = [f"scale {runs[n]['scale']:.2g}, blank {runs[n]['blank']:.0%}" for n in names] + ["theta fixed", "theta fixed"]
ax.barh(range(len(rows)), accuracies, color=["tab:green", "tab:orange", "tab:red", "tab:purple", "tab:green", "tab:purple"])
for k in range(len(rows)):
    ax.text(accuracies[k] + 0.02, k, f"{accuracies[k]:.0%}\n{labels[k]}", va="center", fontsize=12)
ax.set_yticks(range(len(rows)), [""] * len(rows))
ax.invert_yaxis()
ax.set_xlim(0, 1.35)
ax.set_xlabel("test accuracy (last two rows: unshrunk digits)")
ax.set_title(f"{EPOCHS} epochs on {len(train_x):,} digits")
fig.suptitle("What the classifier sees after the transformer (pixel units, 0 = black), run by run", y=0.95)
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "11_training_failures.png", dpi=90, bbox_inches="tight")
print("wrote", FIGURES / "11_training_failures.png")

# %% [markdown]
# What this lesson showed: with all three remedies the transformer trains; started at random it
# falls far behind in the same epochs; with a large localisation rate it collapses to a blank
# output from which no gradient leads back; normalised before the transformer, it shows the
# classifier a grey frame wherever its grid leaves the image. Over seeds 0, 1 and 2 the random
# start trailed the remedied run by 22 to 40 points and the large rate collapsed every time,
# with a transformer gradient of exactly 0 (indicative: a loaded machine). Each line of the check fails when its remedy is put back into the
# failing run: the identity start for the random one, the small rate for the large one, and
# normalisation after the transformer for the grey frame.

# %%
good = runs["remedies: all three"]
assert good["accuracy"] > runs["random start"]["accuracy"] + 0.15
assert runs["localisation rate 5e-2"]["blank"] > 0.9 and transformer_gradient == 0 and classifier_gradient > 0
assert good["accuracy"] > runs["localisation rate 5e-2"]["accuracy"] + 0.3
(inside_accuracy, inside_frame, _), (outside_accuracy, outside_frame, _) = zoomed.values()
assert outside_frame > 0.1 and abs(inside_frame) < 0.01

# %% [markdown]
# Try this:
# 1. Keep the large rate (5e-2) but pad with "border" instead of zeros
#    (`model.transformer.padding_mode = "border"`): does the model still collapse, and is the
#    transformer's gradient still zero? (Solution: lessons/solutions/11_training_failures.py.)
# 2. Find the largest localisation rate that still trains on this task: try 1e-3, 3e-3, 1e-2.
# 3. Start at random but with a rate ten times larger for the localisation network: does it
#    find the digit sooner, or collapse?
