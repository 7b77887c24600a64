"""Lesson 05: max-pooling, and a small CNN trained end to end.

What you will learn: what max-pooling computes and where its gradient goes (only to the
largest entry of each window), and how conv, ReLU, pooling and a linear layer stack into a
network that ministn trains with Adam. The data are synthetic 12 x 12 images of short strokes in
four orientations at random positions, so the lesson needs no download and runs in seconds.

Assumes: lesson 04 (conv2d via im2col).
Run:     python lessons/05_pool_cnn.py   (a few seconds; quick mode changes nothing here)
Writes:  figures/05_pool_cnn.png (pooling and its gradient, the loss curve, learned filters)
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
from ministn import nn, optim

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))
ministn.manual_seed(0)

# %% [markdown]
# Max-pooling with a k x k window and stride k keeps the largest value of each window:
# y[i, j] = max_{p, q < k} x[k*i + p, k*j + q]. The max is locally just a copy of one entry, so
# its derivative is 1 for that entry (the arg-max) and 0 for the others: backward routes dy[i, j]
# to the arg-max of window (i, j) and nowhere else.

# %%
x = ministn.tensor(np.array([[[[1.0, 3.0, 2.0, 0.0],
                               [4.0, 2.0, 1.0, 5.0],
                               [0.0, 1.0, 7.0, 2.0],
                               [6.0, 2.0, 3.0, 1.0]]]]), requires_grad=True)
y = F.max_pool2d(x, 2)
y.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
print("pooled:\n", y.numpy()[0, 0], "\ngradient routed to the arg-max of each window:\n", x.grad[0, 0])
assert np.array_equal(y.numpy()[0, 0], [[4.0, 5.0], [6.0, 7.0]])
assert np.count_nonzero(x.grad) == 4 and x.grad[0, 0, 1, 0] == 10.0 and x.grad[0, 0, 2, 2] == 40.0

# %% [markdown]
# The data: each image holds one 5-pixel stroke, horizontal, vertical, diagonal or
# anti-diagonal (classes 0 to 3), at a random position, plus Gaussian noise. Convolution finds
# the stroke wherever it is; pooling keeps "a stroke of this kind was somewhere here" while
# discarding its exact position.

# %%
STROKES = np.array([[(0, t) for t in range(5)], [(t, 0) for t in range(5)],
                    [(t, t) for t in range(5)], [(t, 4 - t) for t in range(5)]])  # (4, 5, 2)

def make_strokes(n, rng):
    labels = rng.integers(0, 4, n)
    corner = rng.integers(0, 12 - 4, (n, 1, 2))
    rows, cols = (corner + STROKES[labels]).transpose(2, 0, 1)        # (n, 5) each
    images = 0.2 * rng.standard_normal((n, 1, 12, 12))
    images[np.arange(n)[:, None], 0, rows, cols] += 1.0
    return images.astype(np.float32), labels

rng = np.random.default_rng(0)
train_x, train_y = make_strokes(3000, rng)
test_x, test_y = make_strokes(500, rng)

# %% [markdown]
# The network: conv 3x3 (8 filters, padding 1) -> ReLU -> max-pool 2 -> conv 3x3 (16 filters)
# -> ReLU -> max-pool 2 -> linear to 4 scores. Training minimises the cross-entropy
# L = -log softmax(s)[label], averaged over a mini-batch, with Adam.

# %%
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 12x12 -> 6x6
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 6x6 -> 3x3
    nn.Flatten(), nn.Linear(16 * 3 * 3, 4))
optimizer = optim.Adam(model.parameters(), lr=3e-3)

def accuracy(images, labels):
    model.eval()
    with ministn.no_grad():
        scores = model(ministn.tensor(images)).numpy()
    model.train()
    return float((scores.argmax(axis=1) == labels).mean())

losses, batch = [], 50
for epoch in range(4):
    order = rng.permutation(len(train_x))
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        loss = F.cross_entropy(model(ministn.tensor(train_x[idx])), train_y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    print(f"epoch {epoch + 1}: last loss {losses[-1]:.3f}, test accuracy {accuracy(test_x, test_y):.3f}")
test_accuracy = accuracy(test_x, test_y)

# %%
fig = plt.figure(figsize=(14, 3.8))
grid = fig.add_gridspec(1, 6, width_ratios=[1, 0.6, 1, 1.1, 2.0, 1.0])
for k, (array, title) in enumerate(((x.numpy(), "input x (2x2 windows)"), (y.numpy(), "max_pool2d(x)"),
                                    (x.grad, "dL/dx, dy = 10,20,30,40"))):
    ax = fig.add_subplot(grid[0, k])
    ax.imshow(array[0, 0], cmap="Blues", vmin=0, vmax=1.6 * array.max())
    for (i, j), v in np.ndenumerate(array[0, 0]):
        ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=12)
    if array.shape[-1] == 4:
        ax.axhline(1.5, color="k", lw=2), ax.axvline(1.5, color="k", lw=2)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([]), ax.set_yticks([])

def small_panels(cell, images, titles, cmap, vmax):
    inner = cell.subgridspec(4, 2, hspace=0.25, wspace=0.1)
    for k, (image, title) in enumerate(zip(images, titles)):
        ax = fig.add_subplot(inner[k // 2, k % 2])
        ax.imshow(image, cmap=cmap, vmin=-vmax if cmap == "RdBu_r" else None, vmax=vmax)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(title, fontsize=8, pad=2)

examples = [train_x[np.flatnonzero(train_y == k)[i], 0] for i in range(2) for k in range(4)]
small_panels(grid[0, 3], examples, [f"class {k}" for i in range(2) for k in range(4)], "gray", None)
ax = fig.add_subplot(grid[0, 4])
ax.plot(losses, lw=1)
ax.set_xlabel("training step (batch of 50)")
ax.set_ylabel("cross-entropy loss")
ax.set_title(f"strokes CNN: test accuracy {test_accuracy:.1%}")
filters = model[0].weight.numpy()[:, 0]
small_panels(grid[0, 5], filters, [f"filter {k}" for k in range(8)], "RdBu_r", np.abs(filters).max())
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "05_pool_cnn.png", dpi=100)
print("wrote", FIGURES / "05_pool_cnn.png")

# %% [markdown]
# What this lesson showed: a conv-pool network trained with ministn classifies strokes it has
# not seen, at positions it has not seen them, far better than the 25% of guessing.

# %%
print(f"test accuracy {test_accuracy:.3f}")
assert test_accuracy > 0.95
