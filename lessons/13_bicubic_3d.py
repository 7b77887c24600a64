"""Lesson 13: beyond bilinear: bicubic sampling, and sampling a 3-D volume.

What you will learn: the two other samplers ministn shares with PyTorch. Bicubic sampling reads
4 x 4 pixels around each point through the cubic convolution kernel, which is smoother than the
bilinear hat but has negative lobes, so it overshoots at sharp edges. And grid_sample works on
volumes too: a 5-D input (N, C, D, H, W) read at a grid (N, D', H', W', 3) of (x, y, z)
positions, trilinearly, with `affine_grid` building that grid from a 3 x 4 theta.

Assumes: lessons 06 (affine_grid) and 07 (the bilinear sampler).
Run:     python lessons/13_bicubic_3d.py   (a few seconds; quick mode changes nothing)
Writes:  figures/13_bicubic_3d.png (the three kernels; a digit upsampled three ways; a volume
         turned by a 3-D affine grid, one slice shown)
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
from ministn.data import load_mnist, to_float
from ministn.gradcheck import check_adjoint

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# Three kernels. A sampler computes V = sum_{n,m} U_nm k(x - m) k(y - n) for a kernel k of the
# distance to each pixel (the paper's eq. 3). Nearest uses a box (1 within half a pixel), bilinear
# the hat max(0, 1 - |t|) of lessons 07 and 08, and bicubic the cubic convolution kernel of
# Keys (1981), with A = -0.75 as in PyTorch:
#
# $$k(t) = \begin{cases} (A + 2)|t|^3 - (A + 3)|t|^2 + 1 & |t| \le 1 \\
#   A|t|^3 - 5A|t|^2 + 8A|t| - 4A & 1 < |t| < 2 \\ 0 & \text{beyond} \end{cases}$$
#
# It is 1 at t = 0, 0 at every other integer, smooth (its slope is continuous), and negative
# between 1 and 2: a pixel two steps away is *subtracted* a little. We measure the kernel from
# grid_sample itself, by sampling an image that is 0 everywhere but one pixel.

# %%
def cubic(t, A=-0.75):
    t = np.abs(t)
    return np.where(t <= 1, (A + 2) * t ** 3 - (A + 3) * t ** 2 + 1,
                    np.where(t < 2, A * t ** 3 - 5 * A * t ** 2 + 8 * A * t - 4 * A, 0.0))

W = 9
spike = np.zeros((1, 1, 1, W))
spike[0, 0, 0, 4] = 1.0                                          # one bright pixel at x = 4
t = np.linspace(-3, 3, 601)
g = (2 * (4 + t) + 1) / W - 1                                    # pixel x = 4 + t -> grid value
line = ministn.tensor(np.stack([g, np.zeros_like(g)], -1).reshape(1, 1, -1, 2))
kernels = {mode: F.grid_sample(ministn.tensor(spike), line, mode=mode, align_corners=False).numpy().ravel()
           for mode in ("nearest", "bilinear", "bicubic")}
assert np.allclose(kernels["bicubic"], cubic(t), atol=1e-12)
assert np.allclose(kernels["bilinear"], np.maximum(0, 1 - np.abs(t)), atol=1e-12)
print(f"bicubic kernel from grid_sample matches Keys' formula; its lowest value {kernels['bicubic'].min():.4f} "
      f"at |t| = {abs(t[np.argmin(kernels['bicubic'])]):.2f}")

# %% [markdown]
# Upsampling a digit. Shrink a test digit to 14 x 14 (2 x 2 averages), then sample it back up to
# 28 x 28 with the identity theta (the grid of a larger output over the same square) in each
# mode, and compare with the original digit. Nearest repeats pixels in blocks, bilinear blurs,
# bicubic is sharper and closer to the original, but where a stroke meets the black background
# its negative lobes push the values below 0 and above the stroke's brightness: the overshoot.
# (It is not clipped: a network that wants [0, 1] must clip it itself.)

# %%
digit = to_float(load_mnist(train_size=100, test_size=100).test_images[:8], np.float64)
small = F.avg_pool2d(ministn.tensor(digit), 2)                    # (8, 1, 14, 14)
identity = ministn.tensor(np.tile(np.array([[[1.0, 0, 0], [0, 1.0, 0]]]), (8, 1, 1)))
up_grid = F.affine_grid(identity, (8, 1, 28, 28))
upsampled = {mode: F.grid_sample(small, up_grid, mode=mode, padding_mode="border").numpy()
             for mode in ("nearest", "bilinear", "bicubic")}
errors = {mode: float(np.sqrt(np.mean((v - digit) ** 2))) for mode, v in upsampled.items()}
for mode, v in upsampled.items():
    print(f"{mode:>8}: root-mean-square error against the original {errors[mode]:.4f}; "
          f"values from {v.min():+.3f} to {v.max():.3f}")

# %% [markdown]
# Gradients work as for bilinear: V is linear in U, so the image gradient is the exact adjoint
# (checked with no eps at all); the grid gradient uses the kernel's slope k'(t).

# %%
U = ministn.tensor(np.random.default_rng(0).standard_normal((1, 2, 5, 6)))
grid = ministn.tensor(np.random.default_rng(1).uniform(-1.2, 1.2, (1, 3, 4, 2)))
assert check_adjoint(lambda image: F.grid_sample(image, grid, mode="bicubic"), U)
print("bicubic: <grid_sample(U), c> = <U, backward(c)>")

# %% [markdown]
# Volumes. A 5-D input (N, C, D, H, W) is read at a grid (N, D', H', W', 3) whose last axis is
# (x, y, z): x along W, y along H, z along D, each normalised to [-1, 1] as before. Trilinear
# sampling (mode "bilinear" on 5-D input, as PyTorch names it) weights the 8 corners of the
# voxel cell around each point by products of three hats. `affine_grid` takes a 3 x 4 theta,
#
# $$\begin{pmatrix} x_s \\ y_s \\ z_s \end{pmatrix} = \theta \begin{pmatrix} x_t \\ y_t \\ z_t \\ 1 \end{pmatrix},$$
#
# over a size (N, C, D, H, W). Our volume: a 16 x 16 x 16 block holding an "L" that runs along
# the depth axis, lit more brightly the deeper it goes, so that every turn is visible in a
# slice. A turn by 90 degrees about the depth axis maps voxel centres onto voxel centres, so it
# must equal NumPy's rot90 on the (H, W) axes exactly; a turn of 90 degrees about the x axis
# swaps depth and height.

# %%
S = 16
L_shape = np.zeros((S, S))
L_shape[2:14, 4:8] = 1.0                                         # the upright bar (y, x)
L_shape[10:14, 4:12] = 1.0                                       # the foot
depth = 0.3 + 0.7 * np.arange(S) / (S - 1)                       # brighter with z
volume = (depth[:, None, None] * L_shape)[None, None]            # (1, 1, D, H, W)

def turn(theta):
    grid = F.affine_grid(ministn.tensor(np.asarray(theta, dtype=float)[None]), (1, 1, S, S, S))
    return F.grid_sample(ministn.tensor(volume), grid).numpy()

about_depth = turn([[0, 1, 0, 0], [-1, 0, 0, 0], [0, 0, 1, 0]])   # (x, y) <- (y, -x): a quarter turn
about_x = turn([[1, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0]])       # (y, z) <- (z, -y)
rot90_error = np.abs(about_depth - np.rot90(volume, -1, axes=(3, 4))).max()   # k = -1: clockwise as displayed
print(f"a quarter turn about the depth axis equals np.rot90 on (H, W): largest difference {rot90_error:.1e}")

angle = np.deg2rad(30)
tilted = turn([[1, 0, 0, 0], [0, np.cos(angle), np.sin(angle), 0], [0, -np.sin(angle), np.cos(angle), 0]])
V5 = ministn.tensor(np.random.default_rng(2).standard_normal((1, 1, 3, 4, 5)))
grid5 = ministn.tensor(np.random.default_rng(3).uniform(-1.1, 1.1, (1, 2, 3, 2, 3)))
assert check_adjoint(lambda v: F.grid_sample(v, grid5), V5)
print("trilinear: <grid_sample(V), c> = <V, backward(c)>")

# %%
plt.rcParams.update({"font.size": 13})
fig = plt.figure(figsize=(17, 8.4))
rows = fig.add_gridspec(2, 1, hspace=0.35)
top = rows[0].subgridspec(1, 5, width_ratios=[2.2, 1, 1, 1, 1], wspace=0.25)
bottom = rows[1].subgridspec(1, 5, wspace=0.55)
ax = fig.add_subplot(top[0])
for (mode, values), style in zip(kernels.items(), (":", "--", "-")):
    ax.plot(t, values, style, lw=2.5, label=mode)
ax.axhline(0, color="0.6", lw=0.8)
ax.set_xlabel("distance to the pixel, t (pixels)")
ax.set_ylabel("weight k(t)")
ax.set_title("the three kernels, measured")
ax.legend()
panels = [("original 28 x 28", digit[0, 0])] + [
    (f"{mode} from 14 x 14\nRMS error {errors[mode]:.3f}", upsampled[mode][0, 0])
    for mode in ("nearest", "bilinear", "bicubic")]
for k, (title, image) in enumerate(panels):
    ax = fig.add_subplot(top[1 + k])
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize=12)
    ax.set_xticks([]), ax.set_yticks([])
ax = fig.add_subplot(bottom[0])
over = upsampled["bicubic"][0, 0]
outside_range = np.where(over < 0, over, np.where(over > 1, over - 1, 0))
limit = max(np.abs(outside_range).max(), 1e-3)
im = ax.imshow(outside_range, cmap="RdBu_r", vmin=-limit, vmax=limit)
fig.colorbar(im, ax=ax, fraction=0.046)
ax.set_title("bicubic overshoot:\nbelow 0 blue, above 1 red", fontsize=12)
ax.set_xticks([]), ax.set_yticks([])
slices = [("volume: slice z = 12", volume), ("turned 90° about z", about_depth),
          ("turned 90° about x", about_x), ("tilted 30° about x", tilted)]
for k, (title, vol) in enumerate(slices):
    ax = fig.add_subplot(bottom[1 + k])
    ax.imshow(vol[0, 0, 12], cmap="magma", vmin=0, vmax=1)
    ax.set_title(title, fontsize=12)
    ax.set_xlabel("x (W); rows: y (H)" if k == 0 else "x (W)")
    ax.set_xticks([0, 15]), ax.set_yticks([0, 15])
fig.suptitle("Bicubic sampling (kernel, an upsampled digit, its overshoot) and 3-D sampling (one slice of a volume)", y=0.98)
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "13_bicubic_3d.png", dpi=90, bbox_inches="tight")
print("wrote", FIGURES / "13_bicubic_3d.png")

# %% [markdown]
# What this lesson showed: grid_sample's bicubic weights are Keys' cubic kernel, which
# reconstructs the shrunk digit more closely than bilinear but overshoots below 0 and above the
# brightest pixel, while bilinear (a convex combination of four pixels) never leaves their
# range; and a 3-D affine grid turns a volume exactly as rot90 does when the turn maps voxel
# centres onto voxel centres. The check fails if "bicubic" is replaced by "bilinear" (no
# overshoot, and a larger error), or if theta's rows are written in (z, y, x) order instead of
# (x, y, z) (the quarter turn would then act on the wrong axes).

# %%
assert upsampled["bicubic"].min() < -0.01 and upsampled["bilinear"].min() >= 0
assert errors["bicubic"] < errors["bilinear"] < errors["nearest"]
assert rot90_error < 1e-12

# %% [markdown]
# Try this:
# 1. Compute the four bicubic weights of a point halfway between two pixels (t = -1.5, -0.5,
#    0.5, 1.5) by hand, and check that they sum to 1. (-0.09375, 0.59375, 0.59375, -0.09375;
#    solution: lessons/solutions/13_bicubic_3d.py.)
# 2. Show that the weights sum to 1 for *every* fractional position, so that a constant image
#    stays constant (with "border" padding; same solution file).
# 3. Which theta turns the volume by a quarter turn about the y axis, and which np.rot90 axes
#    does it match? (Same solution file.)
