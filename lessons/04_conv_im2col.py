"""Lesson 04: convolution as im2col plus one matrix product, and its backward pass.

What you will learn: how a 2-D convolution is computed without looping over pixels. `im2col`
copies every kernel-sized window of the image into a column of a matrix; the convolution is
then the kernel (as a row) times that matrix. The backward pass is two more matrix products,
and the input gradient uses `col2im`, the adjoint (transpose) of `im2col`.

Assumes: lesson 01 (autograd) and lesson 02 (gradcheck).
Run:     python lessons/04_conv_im2col.py
Writes:  figures/04_conv_im2col.png (a window, the im2col matrix, the output, the backward)
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
from ministn.functional.im2col import col2im, im2col

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# A convolution layer (strictly a cross-correlation, as in PyTorch) with input x (N, C, H, W),
# weight w (F, C, kh, kw) and bias b computes
#
#     y[n, f, i, j] = b[f] + sum_{c, p, q} w[f, c, p, q] * x[n, c, i*stride + p, j*stride + q].
#
# The obvious code loops over n, f, i and j. We write that loop once, on an 8 x 8 image of a
# bright square, as the definition to check against.

# %%
image = np.zeros((1, 1, 8, 8))
image[0, 0, 2:6, 2:6] = 1.0                         # a bright square
sobel_x = np.array([[[[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]]])  # vertical edges

def conv_by_loops(x, w):
    N, C, H, W = x.shape
    F_, _, kh, kw = w.shape
    y = np.zeros((N, F_, H - kh + 1, W - kw + 1))
    for n in range(N):
        for f in range(F_):
            for i in range(H - kh + 1):
                for j in range(W - kw + 1):
                    y[n, f, i, j] = np.sum(w[f] * x[n, :, i:i + kh, j:j + kw])
    return y

# %% [markdown]
# im2col: cols[n, c, p, q, i, j] = x[n, c, i*stride + p, j*stride + q]. Reshaped to
# (C*kh*kw, H_out*W_out), column number i*W_out + j holds the window under output pixel (i, j).
# It loops over the kh*kw kernel taps only (9 here), each tap one strided slice of the image.
# The convolution is then a single matrix product, y = w.reshape(F, C*kh*kw) @ cols.

# %%
cols = im2col(image, 3, 3)                           # (1, 1, 3, 3, 6, 6)
cols_matrix = cols.reshape(9, 36)
y_matmul = (sobel_x.reshape(1, 9) @ cols_matrix).reshape(1, 1, 6, 6)
y_ministn = F.conv2d(ministn.tensor(image), ministn.tensor(sobel_x)).numpy()
assert np.allclose(y_matmul, conv_by_loops(image, sobel_x))
assert np.allclose(y_ministn, y_matmul)
print("loops, im2col @ matmul and ministn.functional.conv2d agree")

# %% [markdown]
# The backward pass. Write dy for dL/dy, reshaped to (F, H_out*W_out). Because y = Wm @ cols,
#
#     dL/dWm   = dy @ cols^T                      (every window, weighted by its output's gradient)
#     dL/dcols = Wm^T @ dy                        (each window's share of the gradient)
#     dL/dx    = col2im(dL/dcols)                 (each window entry added back to its pixel)
#
# col2im is the adjoint of im2col: for any x and c, <im2col(x), c> = <x, col2im(c)>. Where
# windows overlap, a pixel receives the sum of the gradients of every window containing it.

# %%
rng = np.random.default_rng(0)
x = rng.standard_normal((2, 3, 7, 6))
c = rng.standard_normal(im2col(x, 3, 2, stride=2, padding=1).shape)
lhs = np.sum(im2col(x, 3, 2, stride=2, padding=1) * c)
rhs = np.sum(x * col2im(c, x.shape, stride=2, padding=1))
print(f"<im2col(x), c> = {lhs:.12f},  <x, col2im(c)> = {rhs:.12f}")
assert abs(lhs - rhs) < 1e-10

# %% [markdown]
# The gradient of one output pixel with respect to the input is the kernel itself, placed over
# that pixel's window (its receptive field). Every other input pixel gets zero.

# %%
xt = ministn.tensor(image.copy(), requires_grad=True)
one_pixel = np.zeros((1, 1, 6, 6))
one_pixel[0, 0, 1, 3] = 1.0                          # pick output pixel (1, 3)
F.conv2d(xt, ministn.tensor(sobel_x)).backward(one_pixel)
assert np.allclose(xt.grad[0, 0, 1:4, 3:6], sobel_x[0, 0])
assert np.count_nonzero(xt.grad) == np.count_nonzero(sobel_x)
coverage = col2im(np.ones_like(cols), image.shape)  # how many windows contain each pixel

# %% [markdown]
# Finally, the whole conv2d backward (input, weight and bias, with stride and padding) against
# central differences, in float64, with a random upstream gradient.

# %%
x = ministn.tensor(rng.standard_normal((2, 2, 6, 5)), requires_grad=True)
w = ministn.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
b = ministn.tensor(rng.standard_normal(3), requires_grad=True)
assert ministn.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), [x, w, b])
print("conv2d backward (input, weight, bias) matches central differences")

# %%
fig, axes = plt.subplots(1, 5, figsize=(15, 3.6), gridspec_kw=dict(width_ratios=[1, 1.9, 1, 1, 1]))
ax = axes[0]
ax.imshow(image[0, 0], cmap="gray")
ax.add_patch(plt.Rectangle((3 - 0.5, 1 - 0.5), 3, 3, fill=False, ec="tab:red", lw=2.5))
ax.set_title("input x (8x8), window\nof output pixel (1, 3)")
ax = axes[1]
ax.imshow(cols_matrix, cmap="gray", aspect="auto")
ax.add_patch(plt.Rectangle((1 * 6 + 3 - 0.5, -0.5), 1, 9, fill=False, ec="tab:red", lw=2.5))
ax.set_title("im2col: one window per column\n(9 taps x 36 output pixels)")
ax.set_xlabel("output pixel i*6 + j")
ax.set_ylabel("kernel tap p*3 + q")
ax = axes[2]
im = ax.imshow(y_ministn[0, 0], cmap="RdBu_r", vmin=-4, vmax=4)
ax.set_title("y = w @ cols\n(Sobel-x: vertical edges)")
fig.colorbar(im, ax=ax, fraction=0.046)
ax = axes[3]
im = ax.imshow(xt.grad[0, 0], cmap="RdBu_r", vmin=-2, vmax=2)
ax.add_patch(plt.Rectangle((3 - 0.5, 1 - 0.5), 3, 3, fill=False, ec="tab:red", lw=1.5))
ax.set_title("dy[1, 3] / dx:\nthe kernel in its window")
fig.colorbar(im, ax=ax, fraction=0.046)
ax = axes[4]
im = ax.imshow(coverage[0, 0], cmap="viridis")
ax.set_title("col2im(ones): windows\ncovering each pixel")
fig.colorbar(im, ax=ax, fraction=0.046)
for ax in axes[[0, 2, 3, 4]]:
    ax.set_xlabel("column j")
    ax.set_ylabel("row i")
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "04_conv_im2col.png", dpi=100)
print("wrote", FIGURES / "04_conv_im2col.png")

# %% [markdown]
# What this lesson showed: im2col turns convolution into one matrix product that equals the
# loop definition, and col2im, its adjoint, routes the gradient back. Interior pixels of the
# 8 x 8 image lie in 9 windows, corner pixels in 1.

# %%
assert coverage[0, 0, 4, 4] == 9 and coverage[0, 0, 0, 0] == 1
