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
from numpy.lib.stride_tricks import sliding_window_view

import ministn
import ministn.functional as F

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# A convolution layer (strictly a cross-correlation, as in PyTorch) with input x (N, C, H, W),
# weight w (F, C, kh, kw) and bias b computes
#
# $$y_{n,f,i,j} = b_f + \sum_{c,p,q} w_{f,c,p,q}\; x_{n,\,c,\,i s + p,\,j s + q}
#   \qquad (s\text{: the stride}).$$
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
# No loop is needed to build it. NumPy's `sliding_window_view` returns every window as a *view*:
# the same memory read with extra strides (one step right in the image is one step right in
# the window, and so is one step of the output column), so it costs nothing; one copy then lays
# the windows out as the matrix. The convolution is a single product,
# y = w.reshape(F, C*kh*kw) @ cols. (ministn's own im2col is the same strided view and copy.)

# %%
def im2col(x, kh, kw, stride=1, padding=0):
    """(N, C, H, W) -> (N, C, kh, kw, H_out, W_out), a copy of every window."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.ascontiguousarray(windows.transpose(0, 1, 4, 5, 2, 3))   # (N, C, H_out, W_out, kh, kw) -> ...

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
# windows overlap, a pixel receives the sum of the gradients of every window containing it, so
# col2im cannot be a view: it loops over the kh*kw taps (9 here, never over pixels), adding
# each tap's slice of the columns into a strided slice of the image.

# %%
def col2im(cols, x_shape, stride=1, padding=0):
    """Adjoint of im2col: (N, C, kh, kw, H_out, W_out) -> (N, C, H, W), overlaps summed."""
    N, C, H, W = x_shape
    _, _, kh, kw, H_out, W_out = cols.shape
    x = np.zeros((N, C, H + 2 * padding, W + 2 * padding))
    for p in range(kh):
        for q in range(kw):
            x[:, :, p:p + stride * H_out:stride, q:q + stride * W_out:stride] += cols[:, :, p, q]
    return x[:, :, padding:padding + H, padding:padding + W]

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

# %% [markdown]
# And the three formulas above are what that backward computes: with our own im2col and
# col2im, dL/dWm = dy @ cols^T and dL/dx = col2im(Wm^T @ dy) give ministn's gradients.

# %%
dy = rng.standard_normal((2, 3, 3, 3))                       # dL/dy for the output (2, 3, 3, 3)
x.grad = w.grad = None
F.conv2d(x, w, b, stride=2, padding=1).backward(dy)
cols_x = im2col(x.numpy(), 3, 3, stride=2, padding=1)        # (n, c, p, q, i, j) = (2, 2, 3, 3, 3, 3)
# The two matrix products, written with einsum so that the indices show: sums over f for the
# columns, over the output pixels (n, i, j) for the weights.
by_hand_dW = np.einsum("nfij,ncpqij->fcpq", dy, cols_x)      # dL/dWm = dy @ cols^T
dcols = np.einsum("fcpq,nfij->ncpqij", w.numpy(), dy)       # dL/dcols = Wm^T @ dy
by_hand_dx = col2im(dcols, x.shape, stride=2, padding=1)

# %%
plt.rcParams.update({"font.size": 14})                      # readable as a thumbnail
fig = plt.figure(figsize=(11, 7.6))
layout = fig.add_gridspec(2, 3, height_ratios=[1, 1.1])
ax = fig.add_subplot(layout[0, 0])
ax.imshow(image[0, 0], cmap="gray")
ax.add_patch(plt.Rectangle((3 - 0.5, 1 - 0.5), 3, 3, fill=False, ec="tab:red", lw=3))
ax.set_title("input x (8 x 8): window\nof output pixel (1, 3)")
ax = fig.add_subplot(layout[0, 1:])
ax.imshow(cols_matrix, cmap="gray", aspect="auto")
ax.add_patch(plt.Rectangle((1 * 6 + 3 - 0.5, -0.5), 1, 9, fill=False, ec="tab:red", lw=3))
ax.set_title("im2col: one window per column")
ax.set_xlabel("output pixel i*6 + j (36)")
ax.set_ylabel("kernel tap p*3 + q")
panels = [(y_ministn[0, 0], "RdBu_r", 4, "y = w @ cols\n(Sobel-x: vertical edges)"),
          (xt.grad[0, 0], "RdBu_r", 2, "dy[1, 3] / dx:\nthe kernel in its window"),
          (coverage[0, 0], "viridis", None, "col2im(ones): windows\ncontaining each pixel")]
for k, (array, cmap, limit, title) in enumerate(panels):
    ax = fig.add_subplot(layout[1, k])
    im = ax.imshow(array, cmap=cmap, vmin=-limit if limit else None, vmax=limit)
    if k == 1:
        ax.add_patch(plt.Rectangle((3 - 0.5, 1 - 0.5), 3, 3, fill=False, ec="tab:red", lw=2))
    ax.set_title(title)
    ax.set_xlabel("column j")
    fig.colorbar(im, ax=ax, fraction=0.046)
fig.axes[0].set_ylabel("row i")
fig.axes[2].set_ylabel("row i")
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "04_conv_im2col.png", dpi=100)
print("wrote", FIGURES / "04_conv_im2col.png")

# %% [markdown]
# What this lesson showed: im2col turns convolution into one matrix product that equals the
# loop definition, and col2im, its adjoint, routes the gradient back: the by-hand weight and
# input gradients equal ministn's conv2d backward. The check fails if col2im *writes* each tap
# (`=`) instead of adding it (`+=`): with stride 2 and a 3 x 3 kernel the windows overlap, and
# the overlapped pixels would keep only the last window's share.

# %%
print("by hand vs ministn: dW", np.abs(by_hand_dW - w.grad).max(), " dx", np.abs(by_hand_dx - x.grad).max())
assert np.allclose(y_matmul, conv_by_loops(image, sobel_x))
assert np.allclose(by_hand_dW, w.grad) and np.allclose(by_hand_dx, x.grad)

# %% [markdown]
# Try this:
# 1. How many windows contain pixel (0, 0), (0, 3) and (4, 4) of the 8 x 8 image with a 3 x 3
#    kernel, stride 1, no padding? Read it off `coverage`, then predict it for stride 2.
#    (Solution: lessons/solutions/04_conv_im2col.py.)
# 2. A 1 x 1 convolution needs no im2col at all: show that conv2d with a (F, C, 1, 1) kernel is
#    `np.einsum("fc,nchw->nfhw", ...)`. (Same solution file.)
# 3. Write max-pooling with `sliding_window_view` in one line, and ask which part of its
#    backward cannot be a view (lesson 05 answers it).
