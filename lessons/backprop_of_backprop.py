"""Lesson: backprop of backprop (second-order gradients).

What you will learn: that a backward pass is itself a computation, so that when it is recorded
as a graph it can be differentiated again. You will take second and third derivatives of a
scalar function, see the graph the first derivative leaves behind, use the second derivative in
Newton's method, and then compute a Hessian-vector product of a CNN's loss with respect to its
first layer's weights without ever forming the Hessian, checked against finite differences and
by `ministn.gradgradcheck`.

Assumes: lessons 01 (autograd), 02 (gradcheck) and 05 (the CNN).
Run:     python lessons/backprop_of_backprop.py     (under a minute; MINISTN_QUICK=1: seconds)
Writes:  figures/backprop_of_backprop.png (the graph of dy/dx; Newton's method; power iteration
         on the Hessian)
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
from ministn.autograd import recorded_ops
from ministn.data import load_mnist, to_float
from ministn.models import build

QUICK = os.environ.get("MINISTN_QUICK") == "1"
FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))
ministn.manual_seed(0)

# %% [markdown]
# Take y = x^4 - 2 x^2 at x = 2. By hand, y' = 4x^3 - 4x = 24, y'' = 12x^2 - 4 = 44 and
# y''' = 24x = 48. `ministn.grad(y, x)` returns dy/dx, as `torch.autograd.grad` does. With
# `create_graph=True` the backward pass does not work on bare arrays: it runs Tensor ops (the
# backward of x^4 is `dy * 4 * x^3`, a pow and two muls), so dy/dx comes back as a Tensor with a
# graph of its own, and `ministn.grad` can be applied to it again, to any order.

# %%
x = ministn.tensor(2.0, requires_grad=True)
y = x ** 4 - 2 * x ** 2
(dy,) = ministn.grad(y, x, create_graph=True)
(d2y,) = ministn.grad(dy, x, create_graph=True)
(d3y,) = ministn.grad(d2y, x)
print(f"y' = {dy.item():g}, y'' = {d2y.item():g}, y''' = {d3y.item():g}  (by hand 24, 44, 48)")
assert (dy.item(), d2y.item(), d3y.item()) == (24.0, 44.0, 48.0)

# %% [markdown]
# Here are the two graphs: above, the forward graph of y; below, the graph that y' carries.
# Each op's backward became ordinary ops (the backward of x^4, dy * 4 x^3, is a Pow and two
# Muls), and those have backward passes of their own: that is all "backprop of backprop" needs.

# %%
x = ministn.tensor(2.0, requires_grad=True)
y = x ** 4 - 2 * x ** 2
(dy,) = ministn.grad(y, x, create_graph=True)
graphs = {"y": recorded_ops(y), "dy/dx": recorded_ops(dy)}
for label, ops in graphs.items():
    print(f"{label}: " + " -> ".join(name or "x" for _, name, _ in ops))

# %% [markdown]
# Newton's method uses the second derivative to find where y' = 0: x <- x - y'(x) / y''(x).
# From x = 2 it reaches the minimum x = 1 of y in a handful of steps, each step squaring the
# error (DeZero's classic example of what double backprop is for).

# %%
newton = [2.0]
for _ in range(8):
    x = ministn.tensor(newton[-1], requires_grad=True)
    (dy,) = ministn.grad(x ** 4 - 2 * x ** 2, x, create_graph=True)
    (d2y,) = ministn.grad(dy, x)
    newton.append(newton[-1] - dy.item() / d2y.item())
print("Newton's iterates:", " ".join(f"{v:.10f}" for v in newton[:7]))
assert abs(newton[-1] - 1.0) < 1e-15

# %% [markdown]
# Now a real network: the PyTorch tutorial's CNN classifier (lesson 05's, a little larger),
# written as a function of its weights, in float64. For its loss L(W) with respect to the first
# convolution's weights W (250 numbers), the Hessian H is 250 x 250; a Hessian-vector product
# H v never needs it:
#
#     H v = d/dW < dL/dW, v >
#
# one backward with create_graph=True, an inner product, and one more backward. It costs about
# two gradients, whatever the size of W. The double backward passes here are the hand-derived
# ones of conv2d, max-pool, ReLU (whose second derivative is 0 away from the kink), linear and
# cross_entropy (docs/second-order.md).

# %%
model = build("tutorial-cnn").double()
params = dict(model.named_parameters())
W1, b1, W2, b2, W3, b3, W4, b4 = (params[f"classifier.{k}.{p}"].data
                                  for k in (0, 3, 8, 11) for p in ("weight", "bias"))
mnist = load_mnist(train_size=16 if QUICK else 64, test_size=1)
images = (to_float(mnist.train_images).astype(np.float64) - 0.1307) / 0.3081
labels = mnist.train_labels


def loss_of(w1, bias1=b1, bias4=b4, batch=slice(None)):
    """The tutorial classifier (eval mode: no dropout) and its cross-entropy on the images."""
    h = F.relu(F.max_pool2d(F.conv2d(images[batch], w1, bias1), 2))
    h = F.relu(F.max_pool2d(F.conv2d(h, W2, b2), 2))
    h = F.relu(F.linear(h.reshape(h.shape[0], -1), W3, b3))
    return F.cross_entropy(F.linear(h, W4, bias4), labels[batch])


def gradient(w1, create_graph=False, batch=slice(None)):
    w1 = w1 if isinstance(w1, ministn.Tensor) else ministn.tensor(w1, requires_grad=True)
    return ministn.grad(loss_of(w1, batch=batch), w1, create_graph=create_graph)[0]


def hessian_vector_product(w1, v, batch=slice(None)):
    w1 = ministn.tensor(w1, requires_grad=True)
    g = gradient(w1, create_graph=True, batch=batch)
    return ministn.grad((g * v).sum(), w1)[0].numpy()


rng = np.random.default_rng(0)
v, u = rng.standard_normal(W1.shape), rng.standard_normal(W1.shape)
Hv, Hu = hessian_vector_product(W1, v), hessian_vector_product(W1, u)
symmetry_error = abs((u * Hv).sum() - (v * Hu).sum()) / abs((u * Hv).sum())
print(f"u.Hv = {(u * Hv).sum():.12f}, v.Hu = {(v * Hu).sum():.12f} (H is symmetric)")

# %% [markdown]
# Two checks. The Hessian is symmetric, so u . (H v) must equal v . (H u): two different double
# backward computations that agree only if both are right. And H v is the derivative of the
# gradient in the direction v, so central differences of the *first-order* gradient,
# (g(W + eps v) - g(W - eps v)) / (2 eps), must match it. That check needs care here: ReLU and
# max-pool have kinks, and a perturbation that moves one pre-activation across 0 (or swaps a
# window's maximum) changes the gradient by a jump, which the division by 2 eps turns into a
# huge spurious "curvature". So it runs on 4 images and a small eps, where no unit is that
# close to a kink (the data and the directions are fixed, so this is checked, not hoped).

# %%
batch, eps = slice(0, 4), 1e-6
numeric = (gradient(W1 + eps * v, batch=batch).numpy()
           - gradient(W1 - eps * v, batch=batch).numpy()) / (2 * eps)
Hv_small = hessian_vector_product(W1, v, batch)
hvp_error = np.abs(Hv_small - numeric).max() / np.abs(numeric).max()
print(f"H v against central differences of the gradient (4 images): relative error {hvp_error:.1e}")

# %% [markdown]
# What can one do with H v? Power iteration finds the Hessian's largest eigenvalue (the
# loss's sharpest curvature, a quantity studied in optimisation: a step size above 2 / lambda_max
# makes gradient descent diverge along that direction) with a few products and no 250 x 250
# matrix.

# %%
u = v / np.linalg.norm(v)
rayleigh = []
for _ in range(6 if QUICK else 20):
    Hu = hessian_vector_product(W1, u)
    rayleigh.append(float((u * Hu).sum()))
    u = Hu / np.linalg.norm(Hu)
print(f"largest Hessian eigenvalue (power iteration): {rayleigh[-1]:.4f}; "
      f"largest stable SGD step 2 / lambda = {2 / rayleigh[-1]:.3f}")

# %% [markdown]
# Finally `ministn.gradgradcheck`, the second-order analogue of gradcheck: with a random upstream
# gradient and random tangents of the first-order gradient, it compares the double backward with
# central differences of the first-order gradient, in float64. Here with respect to the first
# layer's bias and the last layer's bias (20 numbers, so that it runs in seconds), on a few
# images: every layer of the network lies between them.

# %%
bias1, bias4 = (ministn.tensor(b.copy(), requires_grad=True) for b in (b1, b4))
assert ministn.gradgradcheck(lambda p, q: loss_of(W1, p, q, slice(0, 4)), [bias1, bias4])
print("gradgradcheck: the double backward of the CNN's loss matches central differences")

# %%
fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(15, 4.8), gridspec_kw=dict(width_ratios=[1.6, 1, 1]))
position = {}
for (label, ops), row, colour in zip(graphs.items(), (1.2, -1.2), ("#dbe9f6", "#fde9d0")):
    depth = {}
    for node, name, inputs in ops:
        depth[id(node)] = 1 + max((depth[id(i)] for i in inputs), default=-1)
    columns = {}
    for node, name, _ in ops:
        if id(node) not in position or name is not None:
            columns.setdefault(depth[id(node)], []).append(node)
    for d, nodes in columns.items():
        for k, node in enumerate(nodes):
            position[id(node)] = (d, row + 0.9 * ((len(nodes) - 1) / 2 - k)) if d else (0, 0)
    for node, name, inputs in ops:
        xv, yv = position[id(node)]
        for i in inputs:
            xi, yi = position[id(i)]
            ax0.annotate("", xy=(xv - 0.3, yv), xytext=(xi + 0.3, yi),
                         arrowprops=dict(arrowstyle="->", color="0.5", lw=0.8))
        ax0.text(xv, yv, name or "x", ha="center", va="center", fontsize=8,
                 bbox=dict(boxstyle="round", fc="white" if name is None else colour, ec="0.3"))
    ax0.text(max(columns) + 0.5, row, label, fontsize=11, va="center")
ax0.set_xlim(-0.6, 5.2)
ax0.set_ylim(-2.4, 2.4)
ax0.axis("off")
ax0.set_title("The graph of y = x^4 - 2x^2 (blue) and of dy/dx (orange):\n"
              "the backward pass recorded as ordinary ops")
ax1.semilogy(range(len(newton)), [max(abs(t - 1.0), 1e-17) for t in newton], "o-")
ax1.set_xlabel("Newton step")
ax1.set_ylabel("|x - 1|")
ax1.set_title("Newton's method with y'' from double backprop")
ax2.plot(range(1, len(rayleigh) + 1), rayleigh, "o-")
ax2.set_xlabel("power iteration (one H v each)")
ax2.set_ylabel("u^T H u")
ax2.set_title("Largest Hessian eigenvalue of the CNN's loss\nwith respect to conv1's weights")
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "backprop_of_backprop.png", dpi=100)
print("wrote", FIGURES / "backprop_of_backprop.png")

# %% [markdown]
# What this lesson showed: differentiating the recorded backward pass gives exact second
# derivatives (44 for the scalar, and a Hessian-vector product of a CNN's loss that agrees with
# central differences of its gradient), at the cost of about one more backward pass.

# %%
assert symmetry_error < 1e-10, f"u.Hv != v.Hu: relative difference {symmetry_error:.1e}"
assert hvp_error < 1e-6, f"H v disagrees with finite differences of the gradient ({hvp_error:.1e})"
