"""Lesson 07: the bilinear sampler and its gradients.

What you will learn: how `grid_sample` reads an image at fractional positions, why its
gradient with respect to the grid is piecewise constant (the output is piecewise linear, with
kinks at the integer pixel positions), which of the two one-sided slopes it returns exactly at
a kink, where the gradient with respect to the image goes, and what the three padding modes do
outside the image.

Assumes: lesson 06 (affine_grid, normalised coordinates, align_corners).
Run:     python lessons/07_grid_sample.py
Writes:  figures/07_grid_sample.png (a 1-D interpolant and its slope; padding modes, 1-D and 2-D)
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
#     V = (1-tx)(1-ty) U[y0, x0] + tx (1-ty) U[y0, x1] + (1-tx) ty U[y1, x0] + tx ty U[y1, x1].
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
# The gradient with respect to the grid. Between two pixel centres V is linear in x with slope
# U[x1] - U[x0], and dx/dg = W/2, so dV/dg = (U[x1] - U[x0]) W / 2: constant on each interval,
# jumping at every integer x, where V has a kink. Away from the kinks the gradient is exact and
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
# Padding: what the sampler reads outside [-1, 1]. "zeros" surrounds the image with 0 (half a
# pixel outside the edge gives half the edge value); "border" clamps x to [0, W-1], repeating
# the edge pixel, with zero gradient out there; "reflection" mirrors the image about its edges
# (about the outer edges with align_corners=False). Below, a 1-D row and a 2-D image zoomed out
# by 1.8, so that most of the output lies outside the input.

# %%
g_wide = np.linspace(-2.2, 2.2, 881)
padded = {mode: sample_row(g_wide, mode) for mode in ("zeros", "border", "reflection")}
outside = to_pixels(g_wide) > W - 1
assert np.all(padded["border"][0][outside] == U_row[-1]) and np.all(padded["border"][1][outside] == 0)

rows, cols = np.mgrid[0:16, 0:16]
image = (cols / 15.0)[None, None] * 0.6
image[0, 0, 2:7, 2:7] = 1.0                                               # a bright top-left block
zoom_out = F.affine_grid(ministn.tensor(np.array([[[1.8, 0, 0], [0, 1.8, 0]]])), (1, 1, 16, 16))
sampled = {mode: F.grid_sample(ministn.tensor(image), zoom_out, padding_mode=mode).numpy()[0, 0]
           for mode in padded}

# %%
fig = plt.figure(figsize=(15, 7))
layout = fig.add_gridspec(2, 2, width_ratios=[1, 1.15], hspace=0.35, wspace=0.18)
ax = fig.add_subplot(layout[0, 0])
ax.plot(to_pixels(g), V, lw=2, label="V(x) = grid_sample")
ax.plot(np.arange(W), U_row, "ko", label="pixel values U[j]")
for j in range(W):
    ax.axvline(j, color="0.85", lw=0.8, zorder=0)
ax.set_xlabel("sampling position x (pixels)")
ax.set_ylabel("sampled value V")
ax.set_title("bilinear sampling of one row: piecewise linear, kinks at pixels")
ax.legend(fontsize=9)
ax = fig.add_subplot(layout[1, 0])
eps = 1e-6
numeric = (sample_row(g + eps)[0] - sample_row(g - eps)[0]) / (2 * eps)
ax.plot(to_pixels(g), numeric, color="0.7", lw=4, label="central differences")
ax.plot(to_pixels(g), dV_dg, ".", ms=2.5, label="backward: dV/dg (grid gradient)")
ax.plot(2, slope_at_kink[0], "r*", ms=14, label="at x = 2: the right-hand slope")
for j in range(W):
    ax.axvline(j, color="0.85", lw=0.8, zorder=0)
ax.set_xlabel("sampling position x (pixels)")
ax.set_ylabel("dV / dg")
ax.set_title("its gradient w.r.t. the grid: piecewise constant, jumps at pixels")
ax.legend(fontsize=9, loc="lower left")
ax = fig.add_subplot(layout[0, 1])
for (mode, (values, _)), style in zip(padded.items(), ("-", "--", ":")):
    ax.plot(to_pixels(g_wide), values, style, lw=2, label=mode)
ax.axvspan(-0.5, W - 0.5, color="0.93", zorder=0, label="the image, g in [-1, 1]")
ax.set_xlabel("sampling position x (pixels)")
ax.set_ylabel("sampled value V")
ax.set_title("padding_mode outside the image (1-D)")
ax.legend(fontsize=9, ncol=2, loc="upper left")
ax.set_ylim(-0.2, 4.2)
panels = layout[1, 1].subgridspec(1, 4, wspace=0.08)
for k, (title, picture) in enumerate([("input\n(16 x 16)", image[0, 0])] + [(f"{m}\n(zoomed out 1.8x)", v) for m, v in sampled.items()]):
    ax = fig.add_subplot(panels[k])
    ax.imshow(picture, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([0, 15]), ax.set_yticks([0, 15] if k == 0 else [])
    ax.set_xlabel("column")
    if k == 0:
        ax.set_ylabel("row")
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "07_grid_sample.png", dpi=90, bbox_inches="tight")
print("wrote", FIGURES / "07_grid_sample.png")

# %% [markdown]
# What this lesson showed: between pixels the grid gradient is the slope (U[x1] - U[x0]) W/2 and
# matches finite differences; at a pixel it is the right-hand slope; beyond the border, "border"
# padding has zero gradient, so a transformer cannot learn its way back from there.

# %%
assert np.allclose(numeric[inside & (np.abs(to_pixels(g) - np.round(to_pixels(g))) > 0.01)],
                   dV_dg[inside & (np.abs(to_pixels(g) - np.round(to_pixels(g))) > 0.01)], atol=1e-6)
