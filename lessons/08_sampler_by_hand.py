"""Lesson 08: a bilinear sampler by hand, forward and backward.

What you will learn: to write the heart of a spatial transformer yourself. In about 30 lines of
NumPy you implement the paper's bilinear sampler (eq. 5) and both of its gradients (eqs. 6 and
7), for a whole batch at once, wrap them in a `ministn.Function`, and prove them right three
ways: against `ministn.functional.grid_sample`, against central differences with
`ministn.gradcheck`, and with the dot-product test `check_adjoint`.

Assumes: lessons 02 (gradcheck) and 07 (the bilinear sampler and its gradients).
Run:     python lessons/08_sampler_by_hand.py   (a second or two; quick mode changes nothing)
Writes:  figures/08_sampler_by_hand.png (an image warped by your sampler, its grid gradient beside
         ministn's, and the two gradients of one output pixel)
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
# The equations, in pixel coordinates (x_s, y_s) of one sampling point and one channel:
#
# $$V = \sum_{n,m} U_{nm} \max(0, 1 - |x_s - m|) \max(0, 1 - |y_s - n|) \qquad \text{(eq. 5)}$$
# $$\frac{\partial V}{\partial U_{nm}} = \max(0, 1 - |x_s - m|) \max(0, 1 - |y_s - n|) \qquad \text{(eq. 6)}$$
# $$\frac{\partial V}{\partial x_s} = \sum_{n,m} U_{nm} \max(0, 1 - |y_s - n|)
#   \begin{cases} 0 & |m - x_s| \ge 1 \\ +1 & m \ge x_s \\ -1 & m < x_s \end{cases} \qquad \text{(eq. 7)}$$
#
# Only the four pixels around the point have non-zero weight: with x0 = floor(x_s), tx = x_s - x0
# (likewise y), the weights are (1-tx)(1-ty), tx(1-ty), (1-tx)ty and tx ty. Pixels outside the
# image count as 0 (zeros padding). The grid holds normalised coordinates g in [-1, 1]; with
# align_corners=False the pixel coordinate is x = ((g + 1) W - 1) / 2, so dx/dg = W / 2.
#
# The code gathers the four taps for every output point at once (integer-array indexing), and
# the backward scatters with `np.add.at`, which adds correctly when several points share a tap.

# %%
def taps(U, grid):
    """The four neighbours of every grid point: (weight, value, row, col, inside) per tap."""
    N, C, H, W = U.shape
    x = ((grid[..., 0] + 1) * W - 1) / 2                               # (N, Ho, Wo) pixel coords
    y = ((grid[..., 1] + 1) * H - 1) / 2
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    tx, ty = x - x0, y - y0
    n = np.arange(N)[:, None, None]
    for dy, dx, weight in ((0, 0, (1 - tx) * (1 - ty)), (0, 1, tx * (1 - ty)),
                           (1, 0, (1 - tx) * ty), (1, 1, tx * ty)):
        row, col = y0 + dy, x0 + dx
        inside = (row >= 0) & (row < H) & (col >= 0) & (col < W)
        r, c = np.clip(row, 0, H - 1), np.clip(col, 0, W - 1)
        value = U[n, :, r, c] * inside[..., None]                        # (N, Ho, Wo, C), 0 outside
        yield weight, value, (n, r, c, inside), (dx, dy), (tx, ty)


class BilinearByHand(ministn.Function):
    @staticmethod
    def forward(ctx, U, grid):
        ctx.save(U=U, grid=grid)
        V = sum(weight[..., None] * value for weight, value, *_ in taps(U, grid))   # eq. 5
        return V.transpose(0, 3, 1, 2)                                   # (N, C, Ho, Wo)

    @staticmethod
    def backward(ctx, dV):
        U, grid = ctx.U, ctx.grid
        N, C, H, W = U.shape
        dV = dV.transpose(0, 2, 3, 1)                                    # (N, Ho, Wo, C)
        dU, dx, dy = np.zeros_like(U), 0.0, 0.0
        for weight, value, (n, r, c, inside), (ox, oy), (tx, ty) in taps(U, grid):
            share = weight[..., None] * dV * inside[..., None]           # eq. 6, scattered
            np.add.at(dU.transpose(0, 2, 3, 1), (n, r, c), share)
            seen = (value * dV).sum(axis=-1)                             # sum over channels
            dx = dx + seen * (1 if ox else -1) * (ty if oy else 1 - ty)  # eq. 7, four taps
            dy = dy + seen * (1 if oy else -1) * (tx if ox else 1 - tx)
        return dU, np.stack([dx * W / 2, dy * H / 2], axis=-1)           # chain rule: dx/dg = W/2


def sample(U, grid):
    return BilinearByHand.apply(U, grid)

# %% [markdown]
# Two remarks on the backward. The x-derivative of tap (dx, dy)'s weight is +-1 times its y
# factor: d[(1-tx)(1-ty)]/dx = -(1-ty), d[tx(1-ty)]/dx = +(1-ty), and so on, which is eq. 7's sign
# rule. And `dU.transpose(0, 2, 3, 1)` is a *view*: adding into it adds into dU.
#
# First test: the forward pass against ministn's, on a batch of two 3-channel images and a grid
# that reaches outside the image, so that the zeros padding is exercised too.

# %%
rng = np.random.default_rng(0)
U = rng.standard_normal((2, 3, 5, 6))
grid = rng.uniform(-1.3, 1.3, (2, 4, 7, 2))
ours = sample(ministn.tensor(U), ministn.tensor(grid)).numpy()
theirs = F.grid_sample(ministn.tensor(U), ministn.tensor(grid)).numpy()
print(f"forward: largest difference from F.grid_sample {np.abs(ours - theirs).max():.1e}")
assert np.allclose(ours, theirs, rtol=0, atol=1e-12)

# %% [markdown]
# Second test: both gradients against central differences. As lesson 07 explained, the grid
# points must stay away from the kinks at integer pixel positions, or a +-eps step crosses one:
# every pixel coordinate here is an integer plus a fraction in [0.2, 0.8] (some of them outside
# the image, where the gradient must be 0 or come from the one tap still inside).

# %%
pixel = np.stack([rng.integers(-2, 6, (2, 4, 7)) + rng.uniform(0.2, 0.8, (2, 4, 7)),
                  rng.integers(-2, 5, (2, 4, 7)) + rng.uniform(0.2, 0.8, (2, 4, 7))], axis=-1)
safe_grid = (2 * pixel + 1) / np.array([6, 5]) - 1
U_t = ministn.tensor(U.copy(), requires_grad=True)
grid_t = ministn.tensor(safe_grid, requires_grad=True)
assert ministn.gradcheck(sample, [U_t, grid_t])
print("gradcheck: the hand-written backward matches central differences (image and grid)")

# %% [markdown]
# Third test: V is linear in U, so the image gradient must be the exact adjoint of the forward,
# <sample(U), c> = <U, backward(c)>, with no eps and no kink to avoid.

# %%
assert check_adjoint(lambda image: sample(image, ministn.tensor(grid)), ministn.tensor(U))
print("check_adjoint: <sample(U), c> = <U, dU(c)> to rounding")

# %% [markdown]
# And the gradients equal ministn's own, for one random upstream gradient and the raw grid
# (kinks included: both take the right-hand slope there, since both use x0 = floor(x)).

# %%
dV = rng.standard_normal(ours.shape)
ours_U, ours_grid = (ministn.tensor(U.copy(), requires_grad=True), ministn.tensor(grid.copy(), requires_grad=True))
sample(ours_U, ours_grid).backward(dV)
theirs_U, theirs_grid = (ministn.tensor(U.copy(), requires_grad=True), ministn.tensor(grid.copy(), requires_grad=True))
F.grid_sample(theirs_U, theirs_grid).backward(dV)
gradient_gap = max(np.abs(ours_U.grad - theirs_U.grad).max(), np.abs(ours_grid.grad - theirs_grid.grad).max())
print(f"backward: largest difference from grid_sample's gradients {gradient_gap:.1e}")

# %% [markdown]
# The figure: a smooth 28 x 28 pattern warped by a rotation and zoom through *your* sampler;
# the grid gradient of L = sum(V) that your backward computes, beside its largest difference
# from ministn's; and where the gradient of one output pixel goes: into four input pixels
# (eq. 6) and into the two grid coordinates of that one point (eq. 7).

# %%
S = 28
rows, cols = np.mgrid[0:S, 0:S]
picture = 0.5 + 0.4 * np.sin(cols / 2.5) * np.cos(rows / 3.5)
picture[6:22, 12:16] = 1.0                                              # a bright bar
picture = picture[None, None]                                           # (1, 1, 28, 28)
angle = np.deg2rad(25)
theta = np.array([[[0.8 * np.cos(angle), -0.8 * np.sin(angle), 0.1], [0.8 * np.sin(angle), 0.8 * np.cos(angle), 0.0]]])
warp_grid = F.affine_grid(ministn.tensor(theta), (1, 1, S, S)).numpy()
mine = sample(ministn.tensor(picture), ministn.tensor(warp_grid)).numpy()[0, 0]

all_mine = ministn.tensor(warp_grid.copy(), requires_grad=True)
sample(ministn.tensor(picture), all_mine).sum().backward()
all_theirs = ministn.tensor(warp_grid.copy(), requires_grad=True)
F.grid_sample(ministn.tensor(picture), all_theirs).sum().backward()
grid_gap = np.abs(all_mine.grad - all_theirs.grad).max()

image_t = ministn.tensor(picture.copy(), requires_grad=True)
grid_one = ministn.tensor(warp_grid.copy(), requires_grad=True)
one_pixel = np.zeros((1, 1, S, S))
one_pixel[0, 0, 6, 20] = 1.0
sample(image_t, grid_one).backward(one_pixel)

plt.rcParams.update({"font.size": 13})
fig, axes = plt.subplots(1, 4, figsize=(17, 4.6))
axes[0].imshow(picture[0, 0], cmap="gray", vmin=0, vmax=1)
gx, gy = ((warp_grid[0, 6, 20] + 1) * S - 1) / 2
axes[0].plot(gx, gy, "r+", ms=16, mew=2.5)
axes[0].set_title("input U (red +: where output\npixel (6, 20) reads)")
axes[1].imshow(mine, cmap="gray", vmin=0, vmax=1)
axes[1].set_title("V by hand: rotated 25°,\nzoomed in 1.25x")
limit = np.abs(all_mine.grad[0, ..., 0]).max()
im = axes[2].imshow(all_mine.grad[0, ..., 0], cmap="RdBu_r", vmin=-limit, vmax=limit)
fig.colorbar(im, ax=axes[2], fraction=0.046)
axes[2].set_title(f"dL/dg_x by hand, L = sum V\n(ministn's differs by {grid_gap:.0e})")
zoom = image_t.grad[0, 0, int(gy) - 2:int(gy) + 4, int(gx) - 2:int(gx) + 4]
im = axes[3].imshow(zoom, cmap="Blues", vmin=0, vmax=1, extent=(int(gx) - 2.5, int(gx) + 3.5, int(gy) + 3.5, int(gy) - 2.5))
for (i, j), w in np.ndenumerate(zoom):
    if w:
        axes[3].text(int(gx) - 2 + j, int(gy) - 2 + i, f"{w:.2f}", ha="center", va="center")
axes[3].plot(gx, gy, "r+", ms=16, mew=2.5)
dgx, dgy = grid_one.grad[0, 6, 20]
axes[3].set_title(f"dV[6, 20]/dU (eq. 6); its\ndV/dg = ({dgx:+.2f}, {dgy:+.2f}) (eq. 7)")
for ax in axes:
    ax.set_xlabel("column")
axes[0].set_ylabel("row")
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "08_sampler_by_hand.png", dpi=90)
print("wrote", FIGURES / "08_sampler_by_hand.png")

# %% [markdown]
# What this lesson showed: 30 lines of NumPy reproduce grid_sample's output and both its
# gradients to rounding, and gradcheck and check_adjoint confirm them independently. The check
# fails for the classic mistakes: weight the x-slope by the wrong row factor (`tx` where eq. 7
# has `ty`), forget the chain-rule factor W/2, or write `dU[...] = share` instead of
# `np.add.at` (points that share a tap would overwrite each other).

# %%
assert np.allclose(ours, theirs, rtol=0, atol=1e-12) and gradient_gap < 1e-12 and grid_gap < 1e-12
assert abs(image_t.grad.sum() - 1.0) < 1e-12 and np.count_nonzero(image_t.grad) <= 4

# %% [markdown]
# Try this:
# 1. Add "border" padding: clamp x and y to [0, W-1] and [0, H-1] before taking the taps, and
#    remember that the clamp's derivative is 0 outside. Check against
#    `F.grid_sample(..., padding_mode="border")`. (Solution: lessons/solutions/08_sampler_by_hand.py.)
# 2. Support align_corners=True: which two lines change? (x = (g + 1)(W - 1)/2, and dx/dg =
#    (W - 1)/2; same solution file.)
# 3. Nearest-neighbour sampling (eq. 4) rounds x instead of interpolating. What is its gradient
#    with respect to the grid, and why can a transformer not learn through it?
