"""Lesson 06: the affine grid generator, and what align_corners means.

What you will learn: how a spatial transformer describes a warp. It does not move pixels; for
every *output* pixel it computes where in the *input* to read (inverse warping). For an affine
transform that is one 2 x 3 matrix theta applied to the output pixel's normalised coordinates.
You will draw the grids of a rotation, a scale, a shear and a translation, see why a positive
translation moves the content the other way, and see the two conventions for -1 and +1.

Assumes: lesson 01 (autograd), lesson 02 (gradcheck).
Run:     python lessons/06_affine_grid.py
Writes:  figures/06_affine_grid.png (five grids over the input, their outputs, align_corners)
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

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# Normalised coordinates. Along an axis of n pixels, pixel j covers [j - 1/2, j + 1/2] in pixel
# units, and a grid coordinate g in [-1, 1] names a position along it. With the default
# align_corners=False, -1 and +1 are the outer *edges* of the image, so pixel centres sit at
# b_j = (2j + 1)/n - 1. With align_corners=True they are the *centres* of the corner pixels, so
# b_j = 2j/(n - 1) - 1. The STN paper says only that coordinates are normalised to [-1, 1],
# not which of the two conventions it means. The corner-centred one (align_corners=True) is
# what the original Torch STN code and PyTorch before version 1.3 computed; PyTorch's default
# since 1.3, and ministn's, is the edge convention. The base grid of the output is these
# centres, x along the width.

# %%
n = 4
identity = ministn.tensor(np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]))
for align_corners in (False, True):
    xs = F.affine_grid(identity, (1, 1, 1, n), align_corners).numpy()[0, 0, :, 0]
    print(f"align_corners={align_corners!s:5}: pixel centres of a 4-pixel axis at g = {np.round(xs, 4)}")
assert np.allclose(F.affine_grid(identity, (1, 1, 1, 4)).numpy()[0, 0, :, 0], [-0.75, -0.25, 0.25, 0.75])
assert np.allclose(F.affine_grid(identity, (1, 1, 1, 4), True).numpy()[0, 0, :, 0], [-1, -1 / 3, 1 / 3, 1])

# %% [markdown]
# The affine grid. With B the (H*W, 3) matrix whose rows are the base points (x_t, y_t, 1),
#
# $$\begin{pmatrix} x_s \\ y_s \end{pmatrix} = \theta \begin{pmatrix} x_t \\ y_t \\ 1 \end{pmatrix},
#   \quad\text{i.e.}\quad \mathrm{grid} = B\,\theta^\top \qquad \text{(STN paper, eq. 1)}$$
#
# Here B is built by hand and the product compared with `F.affine_grid`.

# %%
H, W = 3, 5
bx, by = (2 * np.arange(W) + 1) / W - 1, (2 * np.arange(H) + 1) / H - 1
B = np.stack([np.tile(bx, H), np.repeat(by, W), np.ones(H * W)], axis=1)     # row h*W + w
theta = np.array([[[0.8, -0.3, 0.1], [0.2, 1.1, -0.4]]])
grid = F.affine_grid(ministn.tensor(theta), (1, 1, H, W)).numpy()
assert np.allclose(grid[0].reshape(-1, 2), B @ theta[0].T)

# %% [markdown]
# An image to warp: a 32 x 32 letter F on a faint checkerboard. Its asymmetry shows every flip
# and turn. Inverse warping in one line: the sampler reads U at the grid's positions, so if the
# grid is shifted right by t (theta[0, 2] = t > 0), the output at x shows the input at x + t:
# the content moves *left*. With align_corners=False, t = 2k/W is exactly k pixels.

# %%
S = 32
rows, cols = np.mgrid[0:S, 0:S]
U = 0.25 * (((rows // 4) + (cols // 4)) % 2)                                  # checkerboard
U[6:26, 9:13] = U[6:10, 9:23] = U[14:18, 9:20] = 1.0                         # the letter F
U = U[None, None]

def warp(theta, size=S, align_corners=False):
    theta = ministn.tensor(np.asarray(theta, dtype=float)[None])
    grid = F.affine_grid(theta, (1, 1, size, size), align_corners)
    return grid.numpy()[0], F.grid_sample(ministn.tensor(U), grid, align_corners=align_corners).numpy()[0, 0]

_, shifted = warp([[1, 0, 2 * 4 / S], [0, 1, 0]])                              # k = 4 pixels
assert np.array_equal(shifted[:, :-4], U[0, 0, :, 4:]) and not shifted[:, -4:].any()
print("theta[0, 2] = 2*4/32 moves the content exactly 4 pixels LEFT (and zeros come in)")

# %% [markdown]
# Four basic transforms. Each column below draws the output's sampling grid where it lands on
# the input (top) and the output it produces (bottom). A scale of 0.6 samples a smaller region,
# so the output zooms *in*; a rotation of the sampling positions turns the content the other
# way. Any affine theta is a product of such pieces.

# %%
a = np.deg2rad(30)
transforms = {
    "identity": [[1, 0, 0], [0, 1, 0]],
    "rotation 30 deg": [[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0]],
    "scale 0.6": [[0.6, 0, 0], [0, 0.6, 0]],
    "shear 0.5": [[1, 0.5, 0], [0, 1, 0]],
    "translation (0.4, 0.2)": [[1, 0, 0.4], [0, 1, 0.2]],
}

# %% [markdown]
# The backward pass. The grid is linear in theta, so dL/dtheta = G^T B with G = dL/dgrid as an
# (H*W, 2) matrix: each sampling position passes its gradient back weighted by its base point.

# %%
th = ministn.tensor(theta.copy(), requires_grad=True)
G = np.random.default_rng(0).standard_normal((1, H, W, 2))
F.affine_grid(th, (1, 1, H, W)).backward(G)
dtheta = th.grad.copy()                                  # gradcheck below overwrites th.grad
assert np.allclose(dtheta[0], G[0].reshape(-1, 2).T @ B)
assert ministn.gradcheck(lambda t: F.affine_grid(t, (1, 1, H, W)), [th])
print("dL/dtheta = G^T B, and it matches central differences")

# %%
def to_pixels(g, n, align_corners):
    return ((g + 1) / 2) * (n - 1) if align_corners else ((g + 1) * n - 1) / 2

fig = plt.figure(figsize=(16, 6.4))
outer = fig.add_gridspec(1, 2, width_ratios=[5, 1.45], wspace=0.12)
cells = outer[0].subgridspec(2, 5, hspace=0.25, wspace=0.08)
for k, (name, th_k) in enumerate(transforms.items()):
    g, V = warp(th_k)
    px, py = to_pixels(g[..., 0], S, False), to_pixels(g[..., 1], S, False)
    ax = fig.add_subplot(cells[0, k])
    ax.imshow(U[0, 0], cmap="gray", extent=(-0.5, S - 0.5, S - 0.5, -0.5))
    step = slice(None, None, 3)
    ax.plot(px[step, step], py[step, step], color="tab:orange", lw=0.8)
    ax.plot(px[step, step].T, py[step, step].T, color="tab:orange", lw=0.8)
    ax.plot(px[0, 0], py[0, 0], "o", color="tab:red", ms=6)                 # output pixel (0, 0)
    ax.set_xlim(-8, S + 7), ax.set_ylim(S + 7, -8)
    ax.set_title(name, fontsize=11)
    ax.set_xticks([0, 15, 31]), ax.set_yticks([0, 15, 31] if k == 0 else [])
    ax = fig.add_subplot(cells[1, k])
    ax.imshow(V, cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([0, 15, 31]), ax.set_yticks([0, 15, 31] if k == 0 else [])
    if k == 0:
        fig.axes[-2].set_ylabel("grid over input U\n(input row)")
        ax.set_ylabel("output V = U at grid\n(output row)")
    ax.set_xlabel("column")

ax = fig.add_subplot(outer[1])
for level, align_corners in ((1.0, False), (0.0, True)):
    for j in range(n):
        ax.add_patch(plt.Rectangle((j - 0.5, level - 0.18), 1, 0.36, fc="0.9", ec="0.3"))
        ax.plot(j, level, "k.", ms=6)
    for g, colour in ((-1, "tab:blue"), (1, "tab:red")):
        ax.plot(to_pixels(g, n, align_corners), level, "v", color=colour, ms=12, label=f"g = {g:+d}" if level else None)
    ax.text(1.5, level + 0.3, f"align_corners={align_corners}", ha="center", fontsize=11)
ax.set_xlim(-0.9, n - 0.1), ax.set_ylim(-0.5, 1.7)
ax.set_yticks([])
ax.set_xlabel("pixel index (4 pixels, centres dotted)")
ax.set_title("where g = -1 and g = +1 fall")
ax.legend(loc="lower center", fontsize=9, ncol=2)
fig.suptitle("affine_grid: for each output pixel, where to read the input (every 3rd grid line drawn; "
             "red dot: output pixel (0, 0))", fontsize=12)
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "06_affine_grid.png", dpi=90, bbox_inches="tight")
print("wrote", FIGURES / "06_affine_grid.png")

# %% [markdown]
# What this lesson showed: the grid is B theta^T, so its gradient is G^T B, and the sampler reads
# the input *at* the grid (inverse warping): a translation of 2k/W in theta moves the content k
# pixels against its direction. The check fails if the warp is done forwards (pixels pushed to
# the grid positions, or theta's sign flipped: the F would move right) or if the backward
# forgets the transpose (G B^T has the wrong shape and values).

# %%
_, moved = warp([[1, 0, 2 * 4 / S], [0, 1, 0]])
assert np.array_equal(moved[:, :-4], U[0, 0, :, 4:])                 # content moved 4 pixels left
assert np.allclose(dtheta[0], G[0].reshape(-1, 2).T @ B)

# %% [markdown]
# Try this:
# 1. Which theta turns the content by +30 degrees (clockwise as displayed) about the centre?
#    Check your answer by warping, then warping back with its inverse.
#    (Solution: lessons/solutions/06_affine_grid.py.)
# 2. With align_corners=False, how many pixels does theta[0, 2] = 0.5 move the content of a
#    32-pixel-wide image, and with align_corners=True? (8 and 7.75; same solution file.)
# 3. Compose two transforms: is warp(theta1) followed by warp(theta2) the warp of
#    theta1 @ theta2 or of theta2 @ theta1 (as 3 x 3 matrices)? Try it, ignoring the border.
