"""Lesson 07: the bilinear sampler and its gradients.

What you will learn: how `grid_sample` reads an image at fractional positions; its gradient
with respect to the grid (along one row a slope that is constant between pixels and jumps at
each one; in 2-D the x-slope also changes linearly with y, as the paper's eq. 7 says); which of
the two one-sided slopes it returns exactly at a kink; where the gradient with respect to the
image goes; and what the three padding modes do outside the image, gradients included.

Assumes: lesson 06 (affine_grid, normalised coordinates, align_corners).
Run:     python lessons/07_grid_sample.py
Writes:  figures/07_grid_sample.png (a 1-D interpolant and its slope; the 2-D x-slope;
         padding modes, 1-D and 2-D)
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
from ministn.gradcheck import check_adjoint

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# Bilinear interpolation. A grid value g becomes a pixel coordinate (align_corners=False)
# x = ((g + 1) W - 1) / 2. With x0 = floor(x), x1 = x0 + 1 and t = x - x0 (likewise y),
#
# $$V = (1-t_x)(1-t_y)\,U[y_0, x_0] + t_x (1-t_y)\,U[y_0, x_1] + (1-t_x)\,t_y\,U[y_1, x_0]
#   + t_x t_y\,U[y_1, x_1].$$
#
# On a one-row image (H = 1, y = 0 exactly) this is the straight line between neighbouring
# pixels. We sample it at 481 positions in one call: the grid has shape (1, 1, 481, 2).

# %%
U_row = np.array([0.0, 2.0, 1.0, 3.0, 3.0, 0.5, 2.0, 1.0])                    # W = 8 pixels
W = len(U_row)
U = ministn.tensor(U_row.reshape(1, 1, 1, W))

def sample_row(g, padding_mode="zeros"):
    """V(g) and dV/dg along the row, for a vector of grid x-coordinates g."""
    grid = ministn.tensor(np.stack([g, np.zeros_like(g)], axis=-1).reshape(1, 1, -1, 2), requires_grad=True)
    V = F.grid_sample(U, grid, padding_mode=padding_mode)
    V.backward(np.ones(V.shape))                                   # each output depends on one g only
    return V.numpy().ravel(), grid.grad[0, 0, :, 0]

to_pixels = lambda g: ((g + 1) * W - 1) / 2
g = np.linspace(-1, 1, 481)
V, dV_dg = sample_row(g)

# %% [markdown]
# The gradient with respect to the grid, on one row. Between two pixel centres V is linear in x
# with slope U[x1] - U[x0], and dx/dg = W/2, so dV/dg = (U[x1] - U[x0]) W / 2: on a single row
# it is constant on each interval and jumps at every integer x, where V has a kink. Away from the kinks the gradient is exact and
# agrees with central differences; *at* a kink the derivative does not exist, and the sampler
# returns the right-hand slope, because it always takes x0 = floor(x) and x1 = floor(x) + 1.

# %%
inside = (to_pixels(g) > 0) & (to_pixels(g) < W - 1)
x0 = np.floor(to_pixels(g[inside])).astype(int)
assert np.allclose(dV_dg[inside], (U_row[x0 + 1] - U_row[x0]) * W / 2)

g_kink = np.array([(2 * 2 + 1) / W - 1])                      # exactly pixel x = 2 (W is a power of 2)
_, slope_at_kink = sample_row(g_kink)
right, left = (U_row[3] - U_row[2]) * W / 2, (U_row[2] - U_row[1]) * W / 2
print(f"at the kink x = 2: left slope {left:+.1f}, right slope {right:+.1f}, sampler returns {slope_at_kink[0]:+.1f}")
assert slope_at_kink[0] == right

# %% [markdown]
# In 2-D the x-slope is not constant between pixels. Differentiating the bilinear formula in x
# (dtx/dx = 1) gives
#
# $$\frac{\partial V}{\partial x} = (1-t_y)\,(U[y_0, x_1] - U[y_0, x_0]) + t_y\,(U[y_1, x_1] - U[y_1, x_0])$$
# $$\frac{\partial V}{\partial y} = (1-t_x)\,(U[y_1, x_0] - U[y_0, x_0]) + t_x\,(U[y_1, x_1] - U[y_0, x_1])$$
#
# the slopes of the two neighbouring rows (columns), blended by how far the point sits between
# them: it varies *linearly* with ty inside a cell and is piecewise constant only along a row.
# This is the paper's eq. 7, dV/dx_s = sum_{n,m} U_nm max(0, 1 - |y_s - n|) d_m with d_m = +1
# if m >= x_s, -1 if m < x_s and 0 if |m - x_s| >= 1: of the whole double sum only the four taps
# around the point survive, the row weights are 1-ty and ty, and the signs give the
# differences. (Its companion eq. 6, dV/dU_nm, is printed with sums over n and m that do not
# belong there: the derivative by one U_nm is a single product of two hat functions.) Below,
# one column x = 1.3 of a 2 x 3 image, for 7 values of y between the two rows.

# %%
U_cell = np.array([[0.0, 1.0, 3.0], [2.0, 2.0, 0.0]])                # 2 rows, 3 columns
x_fixed, y_pixels = 1.3, np.linspace(0.05, 0.95, 7)                  # inside one cell: x0 = 1, y0 = 0
cell_grid = np.stack([np.full(7, (2 * x_fixed + 1) / 3 - 1), (2 * y_pixels + 1) / 2 - 1], axis=-1)
cell_grid = ministn.tensor(cell_grid.reshape(1, 1, 7, 2), requires_grad=True)
F.grid_sample(ministn.tensor(U_cell.reshape(1, 1, 2, 3)), cell_grid).backward(np.ones((1, 1, 1, 7)))
dV_dx_sampler = cell_grid.grad[0, 0, :, 0] * 2 / 3                  # dV/dg -> dV/dx: times dg/dx = 2/W
ty = y_pixels
dV_dx_eq7 = (1 - ty) * (U_cell[0, 2] - U_cell[0, 1]) + ty * (U_cell[1, 2] - U_cell[1, 1])
print("ty        ", np.round(ty, 2))
print("dV/dx     ", np.round(dV_dx_sampler, 4), " (sampler)")
print("eq. 7     ", np.round(dV_dx_eq7, 4), " (from 2 at ty = 0 to -2 at ty = 1)")
assert np.allclose(dV_dx_sampler, dV_dx_eq7) and np.ptp(dV_dx_sampler) > 3

# %% [markdown]
# A gradient check must therefore keep its grid points away from the kinks: here every x is an
# integer plus a fraction in [0.2, 0.8], so no +-eps step crosses one. (Sampled across a kink,
# central differences average the two slopes and disagree with either.)

# %%
rng = np.random.default_rng(0)
U2 = ministn.tensor(rng.standard_normal((2, 3, 5, 6)), requires_grad=True)
pixel = np.stack([rng.integers(0, 5, (2, 4, 4)) + rng.uniform(0.2, 0.8, (2, 4, 4)),
                  rng.integers(0, 4, (2, 4, 4)) + rng.uniform(0.2, 0.8, (2, 4, 4))], axis=-1)
grid = ministn.tensor((2 * pixel + 1) / np.array([6, 5]) - 1, requires_grad=True)  # pixel -> g
assert ministn.gradcheck(lambda U, G: F.grid_sample(U, G), [U2, grid])
print("grid_sample's gradients (image and grid) match central differences away from kinks")

# %% [markdown]
# The gradient with respect to the image. V is linear in U, so the backward is the adjoint
# (transpose) of the forward: every output's gradient is scattered back onto its four taps with
# the same weights, dU[y0, x0] += (1-tx)(1-ty) dV, and so on. A linear map and its backward
# satisfy <f(U), c> = <U, f^T(c)> to rounding, with no eps at all.

# %%
assert check_adjoint(lambda U: F.grid_sample(U, grid.detach()), U2.detach())
print("<grid_sample(U), c> == <U, backward(c)>: the input gradient is the exact adjoint")

# %% [markdown]
# Padding: what the sampler reads outside [-1, 1]. "zeros" surrounds the image with 0: at the
# image's outer edge, x = -0.5 (g = -1), a point is halfway between the edge pixel's centre and
# the zero beyond it, so it reads half the edge pixel's value; from x = -1 on it reads 0 alone.
# "border" clamps x to [0, W-1], repeating the edge pixel; "reflection" mirrors the image about
# its edges (about the outer edges with align_corners=False). Below, a 1-D row and a 2-D image
# zoomed out by 1.8, so that most of the output lies outside the input.
#
# And the gradients out there. A point more than one pixel outside reads only padding: with
# "zeros" that is the constant 0, with "border" the clamp makes V constant in x; either way
# dV/dx = 0, and a transformer whose grid has drifted there gets no signal to come back.
# "reflection" reads real pixels, so it keeps a gradient (with its sign flipped by the mirror).

# %%
g_wide = np.linspace(-2.2, 2.2, 881)
padded = {mode: sample_row(g_wide, mode) for mode in ("zeros", "border", "reflection")}
outside = to_pixels(g_wide) > W - 1
assert np.all(padded["border"][0][outside] == U_row[-1]) and np.all(padded["border"][1][outside] == 0)
far_outside = (to_pixels(g_wide) < -1) | (to_pixels(g_wide) > W)
for mode, (_, slope) in padded.items():
    print(f"{mode:>10}: points more than a pixel outside with a non-zero grid gradient: "
          f"{np.mean(slope[far_outside] != 0):.0%}")
assert not padded["zeros"][1][far_outside].any() and not padded["border"][1][far_outside].any()
assert np.mean(padded["reflection"][1][far_outside] != 0) > 0.6   # zero only where the mirrored row is flat

rows, cols = np.mgrid[0:16, 0:16]
image = (cols / 15.0)[None, None] * 0.6
image[0, 0, 2:7, 2:7] = 1.0                                               # a bright top-left block
zoom_out = F.affine_grid(ministn.tensor(np.array([[[1.8, 0, 0], [0, 1.8, 0]]])), (1, 1, 16, 16))
sampled = {mode: F.grid_sample(ministn.tensor(image), zoom_out, padding_mode=mode).numpy()[0, 0]
           for mode in padded}

# %% [markdown]
# For the figure, the 2-D x-slope of the 2 x 3 image everywhere between its pixel centres: one
# grid of 121 x 61 points, one backward.

# %%
xs_dense, ys_dense = np.linspace(0, 2, 121), np.linspace(0, 1, 61)
dense = np.stack(np.meshgrid((2 * xs_dense + 1) / 3 - 1, (2 * ys_dense + 1) / 2 - 1), axis=-1)
dense = ministn.tensor(dense[None], requires_grad=True)                 # (1, 61, 121, 2)
F.grid_sample(ministn.tensor(U_cell.reshape(1, 1, 2, 3)), dense).backward(np.ones((1, 1, 61, 121)))
slope_2d = dense.grad[0, :, :, 0] * 2 / 3                               # dV/dx, per pixel

# %%
plt.rcParams.update({"font.size": 13})                                  # readable as a thumbnail
fig = plt.figure(figsize=(17, 9.5))
layout = fig.add_gridspec(2, 3, width_ratios=[1, 1, 0.8], hspace=0.42, wspace=0.28)
ax = fig.add_subplot(layout[0, 0])
ax.plot(to_pixels(g), V, lw=2, label="V(x) = grid_sample")
ax.plot(np.arange(W), U_row, "ko", label="pixel values U[j]")
for j in range(W):
    ax.axvline(j, color="0.85", lw=0.8, zorder=0)
ax.set_xlabel("sampling position x (pixels)")
ax.set_ylabel("sampled value V")
ax.set_title("one row: piecewise linear, kinks at pixels")
ax.legend(fontsize=11)
ax = fig.add_subplot(layout[0, 1])
eps = 1e-6
numeric = (sample_row(g + eps)[0] - sample_row(g - eps)[0]) / (2 * eps)
ax.plot(to_pixels(g), numeric, color="0.7", lw=4, label="central differences")
ax.plot(to_pixels(g), dV_dg, ".", ms=2.5, label="backward: dV/dg")
ax.plot(2, slope_at_kink[0], "r*", ms=14, label="at x = 2: right-hand slope")
for j in range(W):
    ax.axvline(j, color="0.85", lw=0.8, zorder=0)
ax.set_xlabel("sampling position x (pixels)")
ax.set_ylabel("dV / dg")
ax.set_title("its grid gradient: constant between pixels")
ax.set_ylim(-17, 10)
ax.legend(fontsize=11, loc="lower left")
ax = fig.add_subplot(layout[0, 2])
limit = np.abs(slope_2d).max()
im = ax.imshow(slope_2d, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", origin="upper",
               extent=(0, 2, 1, 0))
ax.plot(*np.meshgrid([0, 1, 2], [0, 1]), "ko", ms=7, clip_on=False)
ax.axvline(x_fixed, color="k", ls="--", lw=1)
fig.colorbar(im, ax=ax, fraction=0.05, label="dV/dx")
ax.set_xlabel("x (pixels)")
ax.set_ylabel("y (pixels)")
ax.set_title("in 2-D: dV/dx changes\nlinearly with y (eq. 7)")
ax = fig.add_subplot(layout[1, 0])
for (mode, (values, _)), style in zip(padded.items(), ("-", "--", ":")):
    ax.plot(to_pixels(g_wide), values, style, lw=2, label=mode)
ax.axvspan(-0.5, W - 0.5, color="0.93", zorder=0, label="the image")
ax.set_xlabel("sampling position x (pixels)")
ax.set_ylabel("sampled value V")
ax.set_title("padding_mode outside the image (1-D)")
ax.legend(fontsize=11, ncol=2, loc="upper left")
ax.set_ylim(-0.2, 4.6)
panels = layout[1, 1:].subgridspec(1, 4, wspace=0.08)
for k, (title, picture) in enumerate([("input\n(16 x 16)", image[0, 0])] + [(f"{m}\n(zoom out 1.8x)", v) for m, v in sampled.items()]):
    ax = fig.add_subplot(panels[k])
    ax.imshow(picture, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title)
    ax.set_xticks([0, 15]), ax.set_yticks([0, 15] if k == 0 else [])
    ax.set_xlabel("column")
    if k == 0:
        ax.set_ylabel("row")
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "07_grid_sample.png", dpi=90, bbox_inches="tight")
print("wrote", FIGURES / "07_grid_sample.png")

# %% [markdown]
# What this lesson showed: along a row the grid gradient is the slope (U[x1] - U[x0]) W/2 between
# pixels, and at a pixel the right-hand slope; in 2-D the x-slope is eq. 7's blend of the two
# rows' slopes, linear in ty; beyond one pixel outside the image only reflection padding leaves
# a gradient. The check fails for a backward that uses the top row's slope alone (dV/dx would
# not change with ty), or one that lets zeros padding leak a gradient from outside.

# %%
inside_far_from_kinks = inside & (np.abs(to_pixels(g) - np.round(to_pixels(g))) > 0.01)
assert np.allclose(numeric[inside_far_from_kinks], dV_dg[inside_far_from_kinks], atol=1e-6)
assert np.allclose(dV_dx_sampler, dV_dx_eq7) and np.ptp(dV_dx_sampler) > 3
assert not padded["zeros"][1][far_outside].any() and padded["reflection"][1][far_outside].any()

# %% [markdown]
# Try this:
# 1. Compute by hand V, dV/dx and dV/dy at pixel position (x, y) = (0.25, 0.5) of
#    U = [[0, 1], [2, 4]] and check them with grid_sample. (Solution:
#    lessons/solutions/07_grid_sample.py.)
# 2. With zeros padding and align_corners=False, at which x does a 1-pixel-wide row of value 1
#    read 0.25? (x = -0.75 and x = 0.75 on a 1-pixel row: the hat function; same solution file.)
# 3. Sample exactly at a pixel in y as well as in x: which of the four one-sided slopes does the
#    sampler return, and does PyTorch agree?
