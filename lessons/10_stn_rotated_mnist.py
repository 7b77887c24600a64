"""Lesson 10: training an ST-CNN on turned and shrunk MNIST, beside the same CNN without it.

What you will learn: how the pieces of lessons 04-09 become a spatial transformer network, and
what the transformer is worth. A small localisation CNN looks at the digit and predicts an
affine theta; affine_grid and grid_sample warp the digit with it; a CNN classifies the warped
digit. Nothing tells the transformer what to do: the classification loss is backpropagated
through grid_sample and affine_grid into theta, and it learns to turn and enlarge the digits
towards a common pose because that makes them easier to classify. We train on digits turned by
up to +-90 degrees (the STN paper's "R" distortion) and shrunk to 50-80% of their size, train
the same classifier without a transformer beside it, and measure the transformer's margin and
how much of each test digit's rotation and shrinking it undoes.

Assumes: lessons 05 (a CNN) and 06-07 (affine_grid, grid_sample).
Run:     python lessons/10_stn_rotated_mnist.py    (under a minute; MINISTN_QUICK=1: seconds)
Writes:  figures/10_stn_rotated_mnist.png (test digits before and after the transformer, its
         enlargement against the shrinking applied, the rotation left against the rotation
         applied, and both models' accuracy)
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
from ministn import models, optim
from ministn.data import batch_indices, load_mnist, to_float
from ministn.distortions import affine_warp

QUICK = os.environ.get("MINISTN_QUICK") == "1"
FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# The model is the PyTorch STN tutorial's ST-CNN (`models.build("tutorial")`):
#
#     theta  = localisation(normalise(U))      a small CNN, then a linear layer -> (N, 2, 3)
#     V      = grid_sample(U, affine_grid(theta))
#     logits = classifier(normalise(V))        the CNN of lesson 05, a little larger
#
# normalise(x) = (x - 0.1307) / 0.3081 is MNIST's usual standardisation. It sits *inside* the
# model, after the sampler, on purpose: U holds raw pixels whose background is exactly 0, the
# value grid_sample pads with, so wherever the grid reads outside the image V shows background.
# The PyTorch tutorial normalises before the network instead, and then the padding is a grey
# frame that no digit has (lesson 11 shows it). The last linear layer of the localisation net
# starts with zero weights and the identity as its bias, so before training theta = [[1, 0, 0],
# [0, 1, 0]] for every input and V = U. The plain CNN (`models.build("tutorial-cnn")`) is the
# same classifier with the transformer left out.

# %%
EPOCHS = 2 if QUICK else 8
mnist = load_mnist(train_size=2000 if QUICK else 6000, test_size=1000 if QUICK else 10000)
train_x, train_y = to_float(mnist.train_images), mnist.train_labels
test_x, test_y = to_float(mnist.test_images), mnist.test_labels

# %% [markdown]
# The test set: every test digit turned by a known angle a, uniform in [-90, 90] degrees
# (positive: clockwise as displayed), and shrunk by a known factor s, uniform in [0.5, 0.8].
# As lesson 06 showed, that is the grid R(-a) p / s: the output at p reads the digit at the
# turned and enlarged position, so the content turns by +a and shrinks by s.

# %%
def turn_and_shrink(images, degrees, scales):
    a = np.deg2rad(degrees)
    A = np.stack([np.stack([np.cos(a), np.sin(a)], -1), np.stack([-np.sin(a), np.cos(a)], -1)], -2)
    theta = np.concatenate([A / scales[:, None, None], np.zeros((len(a), 2, 1))], axis=2)
    grid = F.affine_grid(ministn.tensor(theta.astype(images.dtype)), images.shape)
    return F.grid_sample(ministn.tensor(images), grid).numpy()

rng = np.random.default_rng(0)
applied = rng.uniform(-90, 90, len(test_x))
shrunk = rng.uniform(0.5, 0.8, len(test_x))
test_warped = turn_and_shrink(test_x, applied, shrunk)

# %% [markdown]
# Training. Each mini-batch is turned and shrunk afresh by random amounts
# (`ministn.distortions.affine_warp`, the same kind of warp), and Adam minimises the
# cross-entropy of the classifier's output. The loss reaches theta only through the sampler,
# by the chain rule dL/dtheta = dL/dV * dV/dgrid * dgrid/dtheta: lesson 07's grid gradient,
# then lesson 06's G^T B. The localisation network gets its own optimiser with a quarter of the
# classifier's rate (5e-4 against 2e-3): theta moves every sample's whole grid at once, and
# lesson 11 shows what too large a step does to it.
#
# The plain CNN trains beside it from the same seed on the very same batches, so the only
# difference between the two runs is the transformer.

# %%
def train(name, seed=0):
    ministn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = models.build(name)
    if model.has_transformer:
        optimizers = [optim.Adam(model.classifier.parameters(), lr=2e-3),
                      optim.Adam(model.transformer.parameters(), lr=5e-4)]
    else:
        optimizers = [optim.Adam(model.parameters(), lr=2e-3)]
    for epoch in range(EPOCHS):
        losses = []
        for index in batch_indices(len(train_x), 128, rng):
            images = affine_warp(train_x[index], rng, 90, scale=(0.5, 0.8))
            loss = F.cross_entropy(model(ministn.tensor(images)), train_y[index])
            for optimizer in optimizers:
                optimizer.zero_grad()
            loss.backward()
            for optimizer in optimizers:
                optimizer.step()
            losses.append(loss.item())
        print(f"{name:12s} epoch {epoch + 1}: mean training loss {np.mean(losses):.3f}")
    model.eval()                                                     # dropout off
    with ministn.no_grad():
        scores = np.concatenate([model(ministn.tensor(test_warped[i:i + 2000])).numpy()
                                 for i in range(0, len(test_warped), 2000)])
    return model, float((scores.argmax(axis=1) == test_y).mean())

model, accuracy = train("tutorial")
_, cnn_accuracy = train("tutorial-cnn")
print(f"accuracy on the turned, shrunk test digits: ST-CNN {accuracy:.3f}, CNN alone {cnn_accuracy:.3f}, "
      f"margin {100 * (accuracy - cnn_accuracy):+.1f} points")
with ministn.no_grad():
    warped, theta = model.transformer.forward_with_params(ministn.tensor(test_warped))
    warped, theta = warped.numpy(), theta.numpy()

# %% [markdown]
# How much rotation is left? The transformer's theta has a 2 x 2 part A; its rotation angle is
# phi = atan2(A10 - A01, A00 + A11) (the angle of the nearest rotation R(phi)), and its scale is
# sqrt(det A) (below 1: it zooms in). The transformer's output is V(q) = U_warped(A q) =
# U(R(-a) A q / s), so for A close to R(phi) the digit it passes on is still turned by a - phi.
# A transformer that did nothing (phi = 0) would leave all of a (the diagonal of the figure);
# one that undid every rotation would leave 0.
#
# "Undone" here means brought to *a* common pose, not necessarily upright: the classifier does
# not care which pose it learns to read, so any consistent one is a valid answer, and the
# learned pose may be tilted by some degrees. The measure is therefore the *spread* of the
# remaining rotations (how much less they vary than the applied ones) and the slope of phi
# against a, not whether they are near 0.

# %%
A = theta[:, :, :2]
phi = np.degrees(np.arctan2(A[:, 1, 0] - A[:, 0, 1], A[:, 0, 0] + A[:, 1, 1]))
remaining = (applied - phi + 180) % 360 - 180                        # wrapped to [-180, 180)
spread_before, spread_after = applied.std(), remaining.std()
undone = np.polyfit(applied, phi, 1)[0]                              # slope of phi against a
zoom = np.sqrt(np.abs(np.linalg.det(A)))
print(f"spread of digit rotations: {spread_before:.1f} deg before the transformer, "
      f"{spread_after:.1f} deg after; it undoes {undone:.0%} of the applied rotation on average; "
      f"common pose {np.median(remaining):+.0f} deg")
print(f"median scale of the transformer {np.median(zoom):.2f} (it zooms in); "
      f"correlation of its enlargement 1/scale with the applied shrinking: {np.corrcoef(1 / zoom, shrunk)[0, 1]:+.2f}")

# %%
plt.rcParams.update({"font.size": 12})
fig = plt.figure(figsize=(20, 5.4))
layout = fig.add_gridspec(1, 4, width_ratios=[2.4, 1, 1, 0.45], wspace=0.3)
cells = layout[0].subgridspec(2, 8, hspace=0.35, wspace=0.05)
show = np.argsort(applied)[np.linspace(0, len(applied) - 1, 8).astype(int)]  # from -90 to +90 deg
corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float) * 27 / 28
for k, i in enumerate(show):
    ax = fig.add_subplot(cells[0, k])
    ax.imshow(test_warped[i, 0], cmap="gray", vmin=0, vmax=1)
    frame = corners @ A[i].T + theta[i, :, 2]                         # where the output's corners read
    frame_px = (frame + 1) * 14 - 0.5
    ax.plot(frame_px[:, 0], frame_px[:, 1], color="tab:orange", lw=1.5, clip_on=False)
    ax.set_title(f"a = {applied[i]:+.0f}°\ns = {shrunk[i]:.2f}", fontsize=11)
    ax.set_xlim(-0.5, 27.5), ax.set_ylim(27.5, -0.5), ax.set_xticks([]), ax.set_yticks([])
    ax = fig.add_subplot(cells[1, k])
    ax.imshow(warped[i, 0], cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"now {remaining[i]:+.0f}°\nx {1 / zoom[i]:.2f}", fontsize=11)
    ax.set_xticks([]), ax.set_yticks([])
    if k == 0:
        fig.axes[-2].set_ylabel("input U\n(orange: where\nV reads)")
        ax.set_ylabel("transformer\noutput V")
ax = fig.add_subplot(layout[1])
ax.plot(shrunk, 1 / zoom, ".", ms=3, alpha=0.4, label="test digits")
ax.plot([0.5, 0.8], [2, 1.25], "--", color="0.5", label="fully undone: 1/s")
ax.axhline(1, color="k", ls=":", label="no zoom")
ax.set_xlabel("shrinking applied to the digit, s")
ax.set_ylabel("transformer's enlargement 1/sqrt(det A)")
ax.set_title(f"enlarges the smaller digits more\n(correlation {np.corrcoef(1 / zoom, shrunk)[0, 1]:+.2f})", fontsize=12)
ax.legend(fontsize=9, loc="upper right")
ax = fig.add_subplot(layout[2])
ax.plot(applied, remaining, ".", ms=3, alpha=0.4, label="test digits")
bins = np.linspace(-90, 90, 13)
which = np.digitize(applied, bins[1:-1])
ax.plot((bins[1:] + bins[:-1]) / 2, [np.median(remaining[which == b]) for b in range(12)], "o-",
        color="tab:red", lw=2, label="median per 15° bin")
ax.plot([-90, 90], [-90, 90], "--", color="0.5", label="no correction")
ax.plot([-90, 90], [0, 0], ":", color="k", label="fully undone")
ax.set_xlabel("rotation applied to the digit, a (degrees)")
ax.set_ylabel("rotation left after the transformer (degrees)")
ax.set_title(f"undoes {undone:.0%} of the rotation on average\n(rotations spread {spread_after:.0f}° after, {spread_before:.0f}° before)", fontsize=12)
ax.legend(fontsize=9, loc="upper left")
ax = fig.add_subplot(layout[3])
ax.bar([0, 1], [100 * cnn_accuracy, 100 * accuracy], color=["0.6", "tab:orange"])
for k, value in enumerate([cnn_accuracy, accuracy]):
    ax.text(k, 100 * value + 0.5, f"{value:.1%}", ha="center", fontsize=11)
ax.set_xticks([0, 1], ["CNN", "ST-CNN"])
ax.set_ylim(min(80, 100 * cnn_accuracy - 5), 100)
ax.set_ylabel("test accuracy (%)")
ax.set_title("same seed,\nsame batches", fontsize=12)
fig.suptitle(f"ST-CNN trained {EPOCHS} epochs on {len(train_x):,} MNIST digits, turned by up to 90° "
             f"and shrunk to 50-80%: test digits before and after the transformer", fontsize=13, y=1.06)
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "10_stn_rotated_mnist.png", dpi=90, bbox_inches="tight")
print("wrote", FIGURES / "10_stn_rotated_mnist.png")

# %% [markdown]
# What this lesson showed: trained only to classify, the transformer learns to undo part of the
# distortion, and the ST-CNN beats the same classifier without it, trained from the same seed
# on the same batches. In these 8 epochs it has mostly learned the *zoom*: it enlarges each
# digit, the smaller ones more (its enlargement correlates with the applied shrinking). Of the
# rotation it undoes only a little so far (2% to 12% on average over seeds 0, 1 and 2: the red
# medians lie just below the diagonal); longer training, e.g. `python -m ministn train
# --distortion R`, undoes more. Over those three seeds the margin measured 2.9 to 4.1 points
# and the correlation of enlargement with shrinking about -0.7 (on 10,000 test digits), so
# the check asks for a margin of 1 point and a correlation below -0.4. It
# fails if the transformer is taken out (train "tutorial-cnn" in place of "tutorial": the two
# runs are then identical, margin 0, and there is no theta), or if the transformer learns no
# zoom (its scale would not follow the shrinking). Quick mode trains too briefly for a margin;
# it only checks that the network learns at all.

# %%
if QUICK:
    assert accuracy > 0.3
else:
    assert accuracy > cnn_accuracy + 0.01
    assert np.corrcoef(1 / zoom, shrunk)[0, 1] < -0.4 and np.median(zoom) < 0.9

# %% [markdown]
# Try this:
# 1. Read off the common pose the transformer chose (the median of `remaining`), then train with
#    another seed: is the pose the same? (It need not be: any consistent pose serves.)
# 2. Give the localisation network the classifier's rate (2e-3) and compare the margin.
# 3. Replace the affine transformer by a similarity (rotation, scale and shift only, 4 numbers):
#    which rows of theta must be tied together, and does the margin change?
