"""Lesson: backprop of backprop (second-order gradients).

What you will learn: that a backward pass is itself a computation, so that when it is recorded
as a graph it can be differentiated again. You will take second and third derivatives of a
scalar function, see the graph the first derivative leaves behind, use the second derivative in
Newton's method, and then compute Hessian-vector products of the spatial transformer network's
loss with respect to theta, without ever forming the Hessian, checked against finite
differences and by `ministn.gradgradcheck`.

Assumes: lessons 01 (autograd), 02 (gradcheck), 06-07 (affine_grid, grid_sample) and 09 (the
         ST-CNN).
Run:     python lessons/14_backprop_of_backprop.py     (seconds)
Writes:  figures/<this file's name>.png (the graph of dy/dx; Newton's method; the Hessian of
         the ST-CNN's loss with respect to theta)
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
# Now the spatial transformer. In the tutorial's ST-CNN (lesson 09) the localisation network
# predicts theta (a 2x3 matrix per image), and the loss depends on theta through
#
#     L(theta) = cross_entropy(classifier(grid_sample(U, affine_grid(theta))), labels)
#
# The Hessian of L with respect to theta says how the loss curves as the transform changes:
# which of the six numbers (rotation, scale, shear, shift) the classifier is most sensitive
# to. A Hessian-vector product never forms the Hessian:
#
# $$H v = \frac{\partial}{\partial \theta} \left\langle \frac{\partial L}{\partial \theta},\, v \right\rangle$$
#
# one backward with create_graph=True, an inner product, and one more backward, about the cost
# of two gradients. The double backward passes here are the hand-derived ones of conv2d,
# max-pool, ReLU (second derivative 0 away from its kink), linear and cross_entropy, and the
# sampler's: bilinear sampling is linear in each of its tap fractions tx, ty, so d2V/dx2 = 0
# but the cross term d2V/dxdy = U_se - U_sw - U_ne + U_nw (times the scales) is not
# (docs/second-order.md).
#
# One caution: an untrained transformer outputs exactly the identity, and the identity grid
# puts every sample on a pixel centre, a kink of bilinear sampling (the derivative jumps
# there). So theta here is a small rotation and zoom, away from kinks, as a trained network's
# would be.

# %%
model = build("tutorial").double()
model.eval()
mnist = load_mnist(train_size=4, test_size=1)
images = to_float(mnist.train_images).astype(np.float64)
labels = mnist.train_labels
N = len(labels)
angle = np.deg2rad(10.0)
theta0 = 0.9 * np.array([[np.cos(angle), -np.sin(angle), 0.05], [np.sin(angle), np.cos(angle), -0.03]])
theta0 = np.repeat(theta0[None], N, axis=0) + 0.01 * np.random.default_rng(1).standard_normal((N, 2, 3))


def loss_of(theta, batch=slice(None)):
    """The ST-CNN's loss as a function of theta alone (the localisation net left out)."""
    U = images[batch]
    V = F.grid_sample(U, F.affine_grid(theta, U.shape))
    return F.cross_entropy(model.classifier(model.normalization(V)), labels[batch])


def gradient(theta, create_graph=False):
    theta = theta if isinstance(theta, ministn.Tensor) else ministn.tensor(theta, requires_grad=True)
    return ministn.grad(loss_of(theta), theta, create_graph=create_graph)[0]


def hessian_vector_product(theta, v):
    theta = ministn.tensor(theta, requires_grad=True)
    g = gradient(theta, create_graph=True)
    return ministn.grad((g * v).sum(), theta)[0].numpy()


rng = np.random.default_rng(0)
v, u = rng.standard_normal(theta0.shape), rng.standard_normal(theta0.shape)
Hv, Hu = hessian_vector_product(theta0, v), hessian_vector_product(theta0, u)
symmetry_error = abs((u * Hv).sum() - (v * Hu).sum()) / abs((u * Hv).sum())
print(f"u.Hv = {(u * Hv).sum():.12f}, v.Hu = {(v * Hu).sum():.12f} (H is symmetric)")

# %% [markdown]
# Two checks. The Hessian is symmetric, so u . (H v) must equal v . (H u): two different double
# backward computations that agree only if both are right. And H v is the derivative of the
# gradient in the direction v, so central differences of the *first-order* gradient,
# (g(theta + eps v) - g(theta - eps v)) / (2 eps), must match it (eps is small enough that no
# sample point crosses a pixel boundary and no ReLU or max-pool changes its choice).

# %%
eps = 1e-6
numeric = (gradient(theta0 + eps * v).numpy() - gradient(theta0 - eps * v).numpy()) / (2 * eps)
hvp_error = np.abs(Hv - numeric).max() / np.abs(numeric).max()
print(f"H v against central differences of the gradient: relative error {hvp_error:.1e}")

# %% [markdown]
# With only six numbers per image the whole Hessian is six products away: H e_j for each unit
# vector e_j gives its column j. The images are independent, so H is block diagonal; here is
# the block of the first digit, and its eigenvalues: the loss curves upwards along some
# combinations of the six numbers and downwards along others (a saddle, not a minimum, as
# expected at an arbitrary theta).

# %%
columns = []
for j in range(6):
    e = np.zeros(theta0.shape)
    e[0].flat[j] = 1.0
    columns.append(hessian_vector_product(theta0, e)[0].reshape(6))
hessian = np.stack(columns, axis=1)
print("eigenvalues of d2L/dtheta2 for the first digit:", np.round(np.linalg.eigvalsh(hessian), 5))
assert np.abs(hessian - hessian.T).max() < 1e-10 * np.abs(hessian).max()

# %% [markdown]
# Finally `ministn.gradgradcheck`, the second-order analogue of gradcheck: with a random upstream
# gradient and random tangents of the first-order gradient, it compares the double backward with
# central differences of the first-order gradient, in float64. Here on the loss of one digit as
# a function of its theta: every layer of the classifier, the sampler and affine_grid lie
# between them.

# %%
theta_one = ministn.tensor(theta0[:1].copy(), requires_grad=True)
assert ministn.gradgradcheck(lambda t: loss_of(t, slice(0, 1)), [theta_one])
print("gradgradcheck: the double backward of the ST-CNN's loss in theta matches central differences")

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
limit = np.abs(hessian).max()
image = ax2.imshow(hessian, cmap="RdBu_r", vmin=-limit, vmax=limit)
names = ["a11", "a12", "tx", "a21", "a22", "ty"]
ax2.set_xticks(range(6), names)
ax2.set_yticks(range(6), names)
fig.colorbar(image, ax=ax2, fraction=0.046)
ax2.set_title("d2L/dtheta2 of the ST-CNN's loss, one digit\n(six Hessian-vector products)")
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
figure = FIGURES / f"{pathlib.Path(__file__).stem}.png"   # follows the lesson's file name
fig.savefig(figure, dpi=100)
print("wrote", figure)

# %% [markdown]
# What this lesson showed: differentiating the recorded backward pass gives exact second
# derivatives (44 for the scalar, and a Hessian-vector product of the ST-CNN's loss with respect
# to theta that agrees with central differences of its gradient), at the cost of about one more
# backward pass. The checks fail if a double backward drops a term: for example if the sampler's
# differentiable backward treated the y weights (1 - ty, ty) as constants, the Hessian block
# above would no longer be symmetric and H v would disagree with the finite differences.

# %%
assert symmetry_error < 1e-10, f"u.Hv != v.Hu: relative difference {symmetry_error:.1e}"
assert hvp_error < 1e-6, f"H v disagrees with finite differences of the gradient ({hvp_error:.1e})"

# %% [markdown]
# Try this:
# 1. Differentiate y = x^4 - 2x^2 a fourth time at x = 2 (by hand: 24), and a fifth time: what
#    does `ministn.grad` return when the fourth derivative is a constant? Solution:
#    lessons/solutions/14_backprop_of_backprop.py.
# 2. Compute H v with theta exactly the identity and compare it with the finite differences:
#    why do they disagree now? (Every sample sits on a pixel centre, a kink of bilinear
#    sampling: the double backward takes the one-sided derivative, the central difference
#    averages both sides. Same solution file.)
# 3. Run Newton's method on y = x^4 - 2x^2 from x = 0.5 instead of 2: where does it go, and why
#    is that point not a minimum? (Open-ended.)
