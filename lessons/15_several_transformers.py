"""Lesson 15: several transformers, and a transformer inside the network.

What you will learn: how the paper's 2xST and 4xST put k spatial transformers side by side on
one input (`ministn.nn.ParallelTransformers`), each with its own localisation net, their
outputs concatenated along channels; why the backward pass hands each transformer only the
gradient of its own channels; the constrained transforms that such attention heads use
(attention: scale and translation, 3 numbers); and what a transformer can and cannot do when
it sits inside the network, on feature maps: a shift of the image commutes with convolution,
so a transformer on the feature maps can undo it, but a rotation does not.

Assumes: lessons 04 (convolution), 06-07 (affine_grid, grid_sample) and 10 (the ST-CNN).
Run:     python lessons/15_several_transformers.py      (seconds)
Writes:  figures/15_several_transformers.png (a two-digit canvas and what two attention heads
         read from it; the features of a turned digit against the turned features)
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
from ministn import nn
from ministn.data import load_mnist, to_float

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))
ministn.manual_seed(0)

# %% [markdown]
# A canvas with two digits. We place two test digits on a 56 x 56 canvas, one in the top-left
# quadrant and one in the bottom-right, with lesson 06's tools: the grid with theta =
# [[2, 0, tx], [0, 2, ty]] reads the 28 x 28 digit at twice the canvas's step, so the digit
# covers a quarter of the canvas, moved by -(tx, ty) in the digit's own normalised units
# (tx = +1: to the left by half the digit's width; ty = +1: up by half its height; the grid
# reads further right and further down, so the digit appears further left and further up).

# %%
mnist = load_mnist(train_size=0, test_size=8)
digits = to_float(mnist.test_images[:2]).astype(np.float64)               # (2, 1, 28, 28)

def place(digit, tx, ty, size=56):
    theta = np.array([[[size / 28, 0, tx], [0, size / 28, ty]]])
    grid = F.affine_grid(ministn.tensor(theta), (1, 1, size, size))
    return F.grid_sample(ministn.tensor(digit[None]), grid).numpy()[0]

canvas = place(digits[0], 1, 1) + place(digits[1], -1, -1)                # (1, 56, 56)
U = ministn.tensor(canvas[None])                                          # (N, C, H, W) = (1, 1, 56, 56)
print("canvas", U.shape, "digits", mnist.test_labels[:2])

# %% [markdown]
# Two attention heads. An attention transform has three numbers a = (s, tx, ty) and theta =
# [[s, 0, tx], [0, s, ty]]: the output reads the input at s times its own coordinates, shifted,
# so s = 0.5 reads a window half the input's width, a zoom by 2. `SpatialTransformer` starts
# its regression layer (the last Linear, from the localisation net's 16 outputs to a) with zero
# weights and the identity bias (1, 0, 0); in training the gradient moves them. Here we set the
# biases by hand to the two quadrants (s = 0.5, t = (-0.5, -0.5) and (+0.5, +0.5)) and keep the
# weights at zero, so each head reads its quadrant whatever the localisation net says.
#
# `ParallelTransformers` runs both on the same U and concatenates their outputs along the
# channels: V = [V_1 | V_2], (N, 2 C, 28, 28) from (N, C, 56, 56) with output_size (28, 28).

# %%
def localisation():                      # 56 x 56 pixels -> 16 features (the 16 below)
    return nn.Sequential(nn.Flatten(), nn.Linear(56 * 56, 16, dtype=np.float64), nn.Tanh())

heads = nn.ParallelTransformers([
    nn.SpatialTransformer(localisation(), 16, "attention", output_size=(28, 28), dtype=np.float64)
    for _ in range(2)])
for head, (tx, ty) in zip(heads, [(-0.5, -0.5), (0.5, 0.5)]):
    head.regression.bias.data[...] = (0.5, tx, ty)
V, (theta_1, theta_2) = heads.forward_with_params(U)
print("V", V.shape, "theta of head 1:\n", theta_1.numpy()[0])
found = [np.abs(V.numpy()[0, k] - digits[k, 0]).max() for k in range(2)]
print(f"largest difference between what each head reads and its digit: {found[0]:.1e}, {found[1]:.1e}")

# %% [markdown]
# Each head reads its digit exactly. With align_corners=False the output's pixel step is 2/28
# of the normalised width; s = 0.5 makes it 1/28 = 2/56, one canvas pixel, and t = +-0.5 moves
# the window by 14 canvas pixels, a whole number; so every output pixel lands on a canvas pixel
# centre and no interpolation happens. The paper's bird classifiers (2xST and 4xST on CUB-200,
# with this attention transform) learn such heads from the labels alone: each settles on one
# part of the bird. Its MNIST addition is the two-channel cousin: each digit sits in its own
# channel of the input, and each of two affine transformers learns to follow one of them.
# Learning that takes far more training than a laptop gives it: in ministn's runs (40 epochs
# on 6,000 digits) the sum is not learnt, and in every 2xST-FCN seed one of the two
# transformers ran off the canvas in its first epoch and never came back, its output blank
# (docs/addition.md). Lesson 11 shows that failure, and the smaller localisation rate that
# prevents it (`--localisation-lr-factor` in the training commands).
#
# The backward pass. Concatenation only places V_1 in channel 0 and V_2 in channel 1, so its
# backward pass slices dL/dV: head 1 receives dL/dV[:, 0] and head 2 dL/dV[:, 1]. A loss that
# looks only at channel 0 leaves head 2 with a gradient of exactly zero, while head 1 gets one.
# (Both heads share the input, so dL/dU sums what the two heads send back.)

# %%
R = np.random.default_rng(0).standard_normal((1, 1, 28, 28))
loss = F.sum(V[:, 0:1] * ministn.tensor(R))
heads.zero_grad()
loss.backward()
grads = {name: np.abs(p.grad).max() for name, p in heads.named_parameters() if "regression" in name}
for name, value in grads.items():
    print(f"  max |dL/d {name}| = {value:.3g}")

# %% [markdown]
# A transformer inside the network. A transformer can warp any feature map (N, C, H, W): one
# grid moves every channel alike. Put it after a convolution, and it warps the features
# F = conv(U) instead of the image. Can it undo a shift or a turn of the image there? Only if
# warping the features of the warped image gives the features of the original image back,
# that is if the warp commutes with the convolution: conv(T U) = T conv(U).
#
# A shift by whole pixels does commute, away from the borders: convolution applies the same
# kernel at every position, so shifting the input shifts the output (convolution is
# translation-equivariant). A turn does not: conv(R U) reads the turned digit with an upright
# kernel, R conv(U) turns the output of the upright digit read with the upright kernel, which is
# the turned digit read with a turned kernel. The two agree only for kernels that look the same
# when turned (an isotropic blob, for instance). We measure both with random 5 x 5 kernels.

# %%
rng = np.random.default_rng(1)
kernels = ministn.tensor(rng.standard_normal((8, 1, 5, 5)))
# a round (isotropic) kernel for comparison: a Gaussian of the distance from the centre
r2 = (np.arange(5) - 2.0)[:, None] ** 2 + (np.arange(5) - 2.0)[None, :] ** 2
round_kernel = ministn.tensor(np.exp(-r2 / 2.0)[None, None])
digit = ministn.tensor(digits[:1])                                         # (1, 1, 28, 28)

def warp(x, theta):
    grid = F.affine_grid(ministn.tensor(theta[None]), x.shape)
    return F.grid_sample(x, grid)

def conv(x, weight):
    return F.conv2d(x, weight, padding=2)

def disagreement(theta, weight):
    """|conv(T U) - T conv(U)| / |T conv(U)|, inside a margin of 7 pixels."""
    a = conv(warp(digit, theta), weight).numpy()
    b = warp(conv(digit, weight), theta).numpy()
    inside = (Ellipsis, slice(7, -7), slice(7, -7))
    return np.linalg.norm(a[inside] - b[inside]) / np.linalg.norm(b[inside]), a, b

# the grid reads 3 px to the right and 2 px up, so the image moves 3 px left and 2 px down
shift = np.array([[1, 0, 2 * 3 / 28], [0, 1, 2 * -2 / 28]])
angle = np.deg2rad(40)
turn = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0]])
shift_error, *_ = disagreement(shift, kernels)
turn_error, turned_a, turned_b = disagreement(turn, kernels)
round_error, *_ = disagreement(turn, round_kernel)
print(f"shift 3 px left, 2 px down, random kernels: relative difference {shift_error:.1e}")
print(f"turn by 40 degrees, random kernels:  relative difference {turn_error:.2f}")
print(f"turn by 40 degrees, a round kernel:  relative difference {round_error:.3f}")

# %% [markdown]
# So a transformer on the feature maps can move them to undo a shift of the digit, but after a
# turn the features it is given are the features of the turned digit, and no warp of them is
# the features of the upright one: it can only turn them, which would be right for a round
# kernel (the small difference left there is interpolation, which the sampler does once in
# one order and once in the other). The convolution would have to learn kernels that are
# nearly round, or redundant turned copies of each pattern, for a feature-map transformer to
# undo turns. The paper's street-view model puts its transformers on feature maps and gets
# better results than without them; `python -m ministn midnet` measures, on turned, scaled and
# moved digits (RTS), how a transformer before the second convolution compares with one on the
# input (docs/table1.md, section "A transformer inside the network"; results/midnet.md).
#
# One more check makes the kernel's part plain. A quarter turn (np.rot90) moves pixels onto
# pixels, so no interpolation blurs the comparison: turning the image and reading it with the
# upright kernels differs from turning the features, but reading the turned image with the
# kernels turned the same way gives exactly the turned features, conv(R U, R K) = R conv(U, K).

# %%
def quarter_turn(x):
    return np.rot90(x, 1, axes=(-2, -1)).copy()

def relative(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)

turned_digit = ministn.tensor(quarter_turn(digits[:1]))                   # R U
features_turned = quarter_turn(conv(digit, kernels).numpy())               # R conv(U, K)
upright_error = relative(conv(turned_digit, kernels).numpy(), features_turned)
turned_kernels = ministn.tensor(quarter_turn(kernels.numpy()))            # R K
turned_error = relative(conv(turned_digit, turned_kernels).numpy(), features_turned)
print(f"quarter turn, upright kernels: relative difference {upright_error:.2f}")
print(f"quarter turn, kernels turned too: relative difference {turned_error:.1e}")

# %% [markdown]
# The figure: the canvas with the windows that the two heads read, and what they read; the
# features of the turned digit against the turned features, for one of the random kernels.

# %%
corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float) * 27 / 28
plt.rcParams.update({"font.size": 12})
fig = plt.figure(figsize=(19, 5))
layout = fig.add_gridspec(1, 6, width_ratios=[1.5, 1, 1, 1, 1, 1], wspace=0.3)
ax = fig.add_subplot(layout[0])
ax.imshow(canvas[0], cmap="gray", vmin=0, vmax=1)
for theta, color, label in [(theta_1, "tab:orange", "head 1"), (theta_2, "tab:cyan", "head 2")]:
    A = theta.numpy()[0]
    frame = (corners @ A[:, :2].T + A[:, 2] + 1) * 28 - 0.5                # normalised -> canvas pixels
    ax.plot(frame[:, 0], frame[:, 1], color=color, lw=2, label=label)
ax.legend(loc="upper right", fontsize=10)
ax.set_title("input U (56 x 56):\nwhere each head reads", fontsize=13)
ax.set_xticks([]), ax.set_yticks([])
for k in range(2):
    ax = fig.add_subplot(layout[1 + k])
    ax.imshow(V.numpy()[0, k], cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"V[:, {k}]: head {k + 1}\ns = 0.5 (zoom x 2)", fontsize=13)
    ax.set_xticks([]), ax.set_yticks([])
limit = np.abs(turned_b[0, 0]).max()
for k, (image, title) in enumerate([(turned_a[0, 0], "features of\nthe turned digit"),
                                    (turned_b[0, 0], "the features,\nturned"),
                                    (turned_a[0, 0] - turned_b[0, 0], "difference")]):
    ax = fig.add_subplot(layout[3 + k])
    ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(title, fontsize=13)
    if k == 1:
        ax.set_xlabel("one random 5 x 5 kernel, a turn by 40°")
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle(f"Two attention heads in parallel; a transformer on feature maps cannot undo a turn\n"
             f"(conv(T U) against T conv(U), relative difference: shift {shift_error:.0e}, turn {turn_error:.2f}, "
             f"turn with a round kernel {round_error:.3f})", y=1.06, fontsize=14)
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "15_several_transformers.png", dpi=90, bbox_inches="tight")
print("wrote", FIGURES / "15_several_transformers.png")

# %% [markdown]
# What this lesson showed: k transformers in parallel are k warps of one input, concatenated
# along channels; each receives only its own channels' gradient; and a feature-map transformer
# can undo a shift of the image (convolution is translation-equivariant) but not a turn (it is
# not rotation-equivariant, unless its kernels are round). The check fails if the two heads
# read the same window (each would no longer find its own digit), if `F.cat` handed every
# transformer the whole gradient (head 2 would get one from channel 0's loss), or if the
# convolution were applied with kernels turned along with the image (the turn would commute:
# the quarter-turn check with upright kernels would find no difference).

# %%
assert max(found) < 1e-12, "each head should read its own digit exactly"
assert grads["1.regression.bias"] == 0 and grads["1.regression.weight"] == 0
assert grads["0.regression.bias"] > 0
assert shift_error < 1e-12 and turn_error > 0.3 and round_error < turn_error / 5
assert upright_error > 0.3 and turned_error < 1e-12, "only kernels turned with the image commute"

# %% [markdown]
# Try this:
# 1. Shift by a fraction of a pixel, 2.5 px across, instead of 3. Does the shift still commute
#    with the convolution? (Yes, to rounding: a bilinear shift by a constant fraction is itself
#    a convolution with a 2 x 2 kernel, and convolutions commute; solution:
#    lessons/solutions/15_several_transformers.py.)
# 2. Make four heads (the paper's 4xST) that read the four quadrants of the canvas. Which
#    channels of V hold the two digits, and which are blank? (Same solution file.)
# 3. (Open-ended.) Give both heads the same bias (0.5, -0.5, -0.5) and train them on a loss
#    that needs both digits. Suppose the heads were exact copies (the same localisation weights)
#    and the classifier treated channels 0 and 1 alike (the same weights for each): why would
#    they then receive the same gradient forever and never split the work? What in a real
#    network breaks that symmetry?
