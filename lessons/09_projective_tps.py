"""Lesson 09: projective and thin plate spline transforms.

What you will learn: two grid generators beyond the affine one, both from the STN paper. A
projective transform (a homography, 8 parameters) can make a plane look tilted away from the
viewer; a thin plate spline (TPS) moves 16 control points and bends the whole image smoothly
after them. Both plug into the same `grid_sample`, and both have simple backward passes.

Assumes: lessons 06 (affine_grid), 07 (grid_sample) and 08 (the sampler by hand).
Run:     python lessons/09_projective_tps.py
Writes:  figures/09_projective_tps.png (grids over the input and the warped outputs)
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
S = 48
rows, cols = np.mgrid[0:S, 0:S]
U = ((((rows // 6) + (cols // 6)) % 2) * (0.35 + 0.65 * cols / (S - 1)))[None, None]  # a shaded checkerboard
size = (1, 1, S, S)

# %% [markdown]
# The projective transform. A 3 x 3 matrix H with h33 = 1 maps each homogeneous base point
# p = (x, y, 1) to (u, v, w) = H p, and the sampling position is (u / w, v / w). The division is
# what makes parallel lines converge. With h31 = h32 = 0 it is exactly affine_grid of the first
# two rows. For the backward, stack the base points as the rows of B (H*W x 3, as in lesson 06)
# and the homogeneous results as the rows of Z = B H^T (H*W x 3, rows (u, v, w)). The grid is
# (X, Y) = (u/w, v/w), so with G = dL/dgrid (rows (G_x, G_y)) the quotient rule gives each row
# of dZ = dL/dZ,
#
# $$\frac{\partial L}{\partial u} = \frac{G_x}{w}, \qquad \frac{\partial L}{\partial v} = \frac{G_y}{w},
#   \qquad \frac{\partial L}{\partial w} = -\frac{G_x X + G_y Y}{w},$$
#
# and, Z being linear in H, lesson 06's rule once more: dL/dH = dZ^T B.

# %%
affine_part = np.array([[0.9, 0.1, 0.05, -0.1, 1.1, 0.0]])
flat = ministn.tensor(np.concatenate([affine_part, [[0.0, 0.0]]], axis=1))
assert np.allclose(F.perspective_grid(flat, size).numpy(),
                   F.affine_grid(ministn.tensor(affine_part.reshape(1, 2, 3)), size).numpy())

homographies = {"tilt: h31 = 0.5": [1, 0, 0, 0, 1, 0, 0.5, 0],
                "tilt: h32 = -0.5": [1, 0, 0, 0, 1, 0, 0, -0.5],
                "both, and a turn": [0.9, -0.2, 0, 0.2, 0.9, 0, 0.3, 0.3]}
theta = ministn.tensor(np.array([[1, 0.1, 0, 0.05, 1, 0, 0.3, -0.2]]), requires_grad=True)
assert ministn.gradcheck(lambda t: F.perspective_grid(t, (1, 1, 5, 6)), [theta])
print("perspective_grid reduces to affine_grid when h31 = h32 = 0, and its backward is exact")

# %% [markdown]
# The denominator w = h31 x + h32 y + 1 must stay positive. At w = 0 a point is sent to
# infinity, and where w < 0 the plane is seen from behind. On the output square |x|, |y| <= 1,
# w >= 1 - |h31| - |h32|, so |h31| + |h32| < 1 is always safe; ministn refuses anything else at
# the offending pixel instead of returning infinities.

# %%
try:
    F.perspective_grid(ministn.tensor(np.array([[1, 0, 0, 0, 1, 0, 0.7, 0.6]])), size)
    raise RuntimeError("expected a ValueError for a vanishing denominator")
except ValueError as error:
    print("refused:", error)

# %% [markdown]
# The thin plate spline. K = 16 control points S_k sit on a 4 x 4 lattice over [-1, 1]^2
# (x varying fastest) and move to targets D_k = S_k + offsets_k. The spline through them is
#
# $$f(p) = \sum_k W_k\, U(|p - S_k|) + A_0 + A_1 p_x + A_2 p_y, \qquad U(r) = r^2 \log r^2,$$
#
# the interpolant of least bending energy (Bookstein 1989). Its K + 3 coefficients (per output
# coordinate) come from K interpolation conditions f(S_k) = D_k and 3 side conditions,
#
# $$\sum_k W_k = 0, \qquad \sum_k W_k S_{kx} = 0, \qquad \sum_k W_k S_{ky} = 0,$$
#
# which say that the kernel part carries no affine component (and keep the bending energy
# finite). With Phi_jk = U(|S_j - S_k|) (K x K) and Q = [1, S] (K x 3, rows (1, S_kx, S_ky))
# they are one linear system:
#
# $$\underbrace{\begin{pmatrix} \Phi & Q \\ Q^\top & 0 \end{pmatrix}}_{L,\ (K+3) \times (K+3)}
#   \begin{pmatrix} W \\ A \end{pmatrix} = \begin{pmatrix} D \\ 0 \end{pmatrix}
#   \qquad \text{(the same matrix } L \text{ for every sample)}$$
#
# Why the spline reproduces any affine map exactly: if D = S M^T + t, then W = 0 and A = (t, M)
# satisfy both block rows (Q A = D, and Q^T 0 = 0), and the solution is unique. We assemble L by
# hand, solve it, evaluate f on the output's base points and compare with `F.tps_grid`.

# %%
t = np.linspace(-1, 1, 4)
S_points = np.stack([np.tile(t, 4), np.repeat(t, 4)], axis=1)         # (16, 2), x varying fastest
K = len(S_points)

def kernel(a, b):
    """U(|a_i - b_j|) = r^2 log r^2 for every pair, with U(0) = 0."""
    r2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    return r2 * np.log(np.where(r2 == 0, 1.0, r2))

Q = np.concatenate([np.ones((K, 1)), S_points], axis=1)                # (K, 3)
L = np.block([[kernel(S_points, S_points), Q], [Q.T, np.zeros((3, 3))]])

def tps_by_hand(targets, H, W):
    """The grid (H, W, 2) of the spline through (S_points -> targets), align_corners=False."""
    coefficients = np.linalg.solve(L, np.concatenate([targets, np.zeros((3, 2))]))   # [W; A], (K + 3, 2)
    px, py = np.meshgrid((2 * np.arange(W) + 1) / W - 1, (2 * np.arange(H) + 1) / H - 1)
    P = np.stack([px.ravel(), py.ravel()], axis=1)                       # base points, x fastest
    R = np.concatenate([kernel(P, S_points), np.ones((len(P), 1)), P], axis=1)
    return (R @ coefficients).reshape(H, W, 2)

rng = np.random.default_rng(3)
offsets = 0.15 * rng.standard_normal((1, 16, 2))
by_hand = tps_by_hand(S_points + offsets[0], 5, 6)
print("TPS by hand vs tps_grid: max difference",
      np.abs(by_hand - F.tps_grid(ministn.tensor(offsets), (1, 1, 5, 6)).numpy()[0]).max())
on_lattice = F.tps_grid(ministn.tensor(offsets), (1, 1, 4, 4), align_corners=True).numpy()
assert np.allclose(on_lattice.reshape(16, 2), S_points + offsets[0])      # f(S_k) = D_k

# %% [markdown]
# The weights depend on S only, so for a fixed output size the grid is a fixed matrix times the
# targets, grid = M D, and the backward is dL/doffsets = M^T G. Below: the spline reproduces an
# affine map exactly, and the backward matches central differences.

# %%
A, shift = np.array([[0.8, 0.3], [-0.2, 1.1]]), np.array([0.1, -0.05])
affine_offsets = (S_points @ A.T + shift - S_points)[None]
theta_affine = np.concatenate([A, shift[:, None]], axis=1)[None]
assert np.allclose(F.tps_grid(ministn.tensor(affine_offsets), size).numpy(),
                   F.affine_grid(ministn.tensor(theta_affine), size).numpy())
off = ministn.tensor(offsets.copy(), requires_grad=True)
assert ministn.gradcheck(lambda o: F.tps_grid(o, (1, 1, 5, 6)), [off])
print("TPS: passes through its targets, reproduces affine maps, and its backward is exact")

# %%
to_pixels = lambda g: ((g + 1) * S - 1) / 2
panels = {name: F.perspective_grid(ministn.tensor(np.array([h], dtype=float)), size) for name, h in homographies.items()}
panels["TPS, 16 random targets"] = F.tps_grid(ministn.tensor(offsets), size)
fig, axes = plt.subplots(2, 4, figsize=(14, 7.2))
for k, (name, grid) in enumerate(panels.items()):
    g = grid.numpy()[0]
    px, py = to_pixels(g[..., 0]), to_pixels(g[..., 1])
    ax = axes[0, k]
    ax.imshow(U[0, 0], cmap="gray", extent=(-0.5, S - 0.5, S - 0.5, -0.5))
    step = slice(None, None, 4)
    ax.plot(px[step, step], py[step, step], color="tab:orange", lw=0.8)
    ax.plot(px[step, step].T, py[step, step].T, color="tab:orange", lw=0.8)
    if name.startswith("TPS"):
        source, target = to_pixels(S_points), to_pixels(S_points + offsets[0])
        ax.plot(*source.T, "o", color="tab:blue", ms=5, label="control points S")
        ax.quiver(*source.T, *(target - source).T, color="tab:red", angles="xy", scale_units="xy",
                  scale=1, width=0.012, label="moved to targets D")
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    ax.set_xlim(-16, S + 15), ax.set_ylim(S + 15, -16)
    ax.set_title(name, fontsize=11)
    if not name.startswith("TPS"):
        ax.set_xlabel("input column")
    axes[1, k].imshow(F.grid_sample(ministn.tensor(U), grid).numpy()[0, 0], cmap="gray", vmin=0, vmax=1)
    axes[1, k].set_xlabel("output column")
axes[0, 0].set_ylabel("grid over the input\n(input row)")
axes[1, 0].set_ylabel("output = input read at the grid\n(output row)")
fig.suptitle("Projective (perspective_grid) and thin plate spline (tps_grid) warps; every 4th grid line drawn",
             fontsize=12)
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "09_projective_tps.png", dpi=90)
print("wrote", FIGURES / "09_projective_tps.png")

# %% [markdown]
# What this lesson showed: the homography's grid divides by w, and its backward is the quotient
# rule; the TPS is the solution of one block linear system, which the code above assembles to the
# same grid as `F.tps_grid`, and whose side conditions make it reproduce affine maps exactly.
# The check fails if the side conditions are dropped: solving only [Phi Q][W; A] = D (by least
# squares, K equations for K + 3 unknowns) gives a different spline, which neither equals
# tps_grid nor reproduces an affine map.

# %%
assert np.allclose(by_hand, F.tps_grid(ministn.tensor(offsets), (1, 1, 5, 6)).numpy()[0], atol=1e-12)
assert np.allclose(tps_by_hand(S_points @ A.T + shift, 5, 6),
                   F.affine_grid(ministn.tensor(theta_affine), (1, 1, 5, 6)).numpy()[0], atol=1e-12)

# %% [markdown]
# Try this:
# 1. Solve the TPS system for zero offsets: what are W and A? (W = 0 and A = [[0, 0], [1, 0],
#    [0, 1]], the identity; solution: lessons/solutions/09_projective_tps.py.)
# 2. Which homography maps the output square onto the trapezoid with corners (-1, -1), (1, -1),
#    (0.6, 1), (-0.6, 1)? Solve the 8 x 8 linear system of the four corner correspondences
#    (same solution file), then draw its grid.
# 3. Move a single control point of the TPS and plot how far every grid point moves: how far
#    does the influence of one point reach, and why is it not local?
