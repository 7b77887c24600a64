"""Lesson 03: a softmax classifier on MNIST.

What you will learn: the whole training loop in its simplest form. A linear map turns a
28 x 28 image into 10 scores, softmax turns the scores into probabilities, the cross-entropy
loss measures how much probability the true digit got, and gradient descent on that loss
learns one template per digit. You will check ministn's gradient against the closed form
(p - onehot) and see the learned templates.

Assumes: lessons 01-02 (autograd, gradient checks).
Run:     python lessons/03_softmax_mnist.py   (bundled MNIST; a few seconds, so no quick mode)
Writes:  figures/03_softmax_mnist.png (the ten learned templates, loss and accuracy curves)
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
from ministn.data import batch_indices, load_mnist, to_float

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))
ministn.manual_seed(0)

# %% [markdown]
# The data: 28 x 28 grey images with pixels in [0, 1], flattened to 784-vectors. ministn ships
# the first 6,000 training images of MNIST and the official 10,000 test images.

# %%
mnist = load_mnist(train_size=6000)   # the bundled images (or the first 6,000 of a download)
print(mnist.describe())
train_x = to_float(mnist.train_images).reshape(-1, 784)
test_x = to_float(mnist.test_images).reshape(-1, 784)
train_y, test_y = mnist.train_labels, mnist.test_labels

# %% [markdown]
# The model and its loss. For an image x, the scores are s = W x + b (W is 10 x 784), the
# probabilities p_k = exp(s_k) / sum_j exp(s_j), and the loss for label y is L = -log p_y.
# Its gradient is short enough to derive in two lines. Write the loss with the log of the sum:
#
# $$L = -\log p_y = -s_y + \log \sum_j e^{s_j}, \qquad
#   \frac{\partial L}{\partial s_k} = -[k = y] + \frac{e^{s_k}}{\sum_j e^{s_j}} = p_k - \mathrm{onehot}(y)_k$$
#
# (the first term differentiates -s_y, the second is the chain rule through the log). Since
# s = W x + b, dL/dW = (p - onehot(y)) x^T and dL/db = p - onehot(y). Averaged over a batch of
# N, both carry a factor 1/N. ministn computes it by backpropagating
# through log_softmax and nll_loss; we check it against the formula.

# %%
model = nn.Linear(784, 10)
x, y = ministn.tensor(train_x[:32]), train_y[:32]
loss = F.cross_entropy(model(x), y)
loss.backward()
p = np.exp(F.log_softmax(model(x), dim=1).numpy())
dscores = (p - np.eye(10)[y]) / len(y)
assert np.allclose(model.weight.grad, dscores.T @ train_x[:32], atol=1e-6)
assert np.allclose(model.bias.grad, dscores.sum(axis=0), atol=1e-6)
print("backward through cross_entropy equals (p - onehot) / N, times x^T for the weights")

# %% [markdown]
# Training: mini-batches of 100, stochastic gradient descent with momentum,
# W <- W - lr * v with v <- 0.9 v + dL/dW + 0.001 W. The last term (weight decay) pulls unused
# weights, such as those of the always-black border pixels, towards zero. Accuracy is the fraction of test images whose
# highest score is the true digit.

# %%
model = nn.Linear(784, 10)
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
rng = np.random.default_rng(0)

def accuracy(images, labels):
    with ministn.no_grad():
        return float((model(ministn.tensor(images)).numpy().argmax(axis=1) == labels).mean())

losses, accuracies = [], []
epochs = 10
for epoch in range(epochs):
    for index in batch_indices(len(train_x), 100, rng):
        loss = F.cross_entropy(model(ministn.tensor(train_x[index])), train_y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    accuracies.append(accuracy(test_x, test_y))
    print(f"epoch {epoch + 1}: loss {np.mean(losses[-len(train_x) // 100:]):.3f}, "
          f"test accuracy {accuracies[-1]:.3f}")

# %%
fig = plt.figure(figsize=(14, 3.6))
layout = fig.add_gridspec(1, 3, width_ratios=[2.6, 1.2, 1.2], wspace=0.35)
templates = layout[0].subgridspec(2, 5, hspace=0.25, wspace=0.05)
weights = model.weight.numpy()
for k in range(10):
    ax = fig.add_subplot(templates[k // 5, k % 5])
    limit = np.abs(weights[k]).max()
    ax.imshow(weights[k].reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"W[{k}]", fontsize=11)
    ax.set_xticks([]), ax.set_yticks([])
    if k == 0:
        ax.set_ylabel("templates:\nred = evidence for")
ax = fig.add_subplot(layout[1])
ax.plot(np.arange(1, len(losses) + 1) / (len(train_x) // 100), losses, lw=0.6)
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy (training batch)")
ax.set_title("training loss")
ax = fig.add_subplot(layout[2])
ax.plot(np.arange(1, epochs + 1), 100 * np.array(accuracies), "o-")
ax.set_ylim(80, 95)
ax.set_xlabel("epoch")
ax.set_ylabel("test accuracy (%)")
ax.set_title(f"test accuracy: {accuracies[-1]:.1%}")
fig.suptitle(f"Softmax regression on MNIST ({len(train_x):,} training images, "
             f"{len(test_x):,} test images)", fontsize=12, y=1.05)
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "03_softmax_mnist.png", dpi=100, bbox_inches="tight")
print("wrote", FIGURES / "03_softmax_mnist.png")

# %% [markdown]
# What this lesson showed: a single linear layer, trained by gradient descent on the
# cross-entropy, already classifies about 9 in 10 unseen digits (guessing gets 1 in 10). The
# check fails without the training (comment out `optimizer.step()`: the untrained layer scores
# about 10%), and the gradient check above fails if the backward forgets the softmax's
# normaliser (dL/ds = -onehot instead of p - onehot).

# %%
assert accuracies[-1] > 0.88

# %% [markdown]
# Try this:
# 1. Show that the gradient of the loss with respect to the scores sums to zero over the ten
#    classes for every image, and say why (p sums to 1, onehot sums to 1). Check it on
#    `dscores`. (Solution: lessons/solutions/03_softmax_mnist.py.)
# 2. Add the same constant to every score of an image: the loss does not change. Which
#    direction of W is therefore invisible to the loss, and what removes it (weight decay)?
# 3. Train with lr=0.5 instead of 0.05 and watch the loss curve: what happens in the first
#    epoch, and does the final accuracy suffer?
