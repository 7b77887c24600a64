"""Solutions to lesson 15's exercises (run: python lessons/solutions/15_several_transformers.py)."""
import numpy as np

import ministn
import ministn.functional as F
from ministn import nn
from ministn.data import load_mnist, to_float

mnist = load_mnist(train_size=0, test_size=2)
digits = to_float(mnist.test_images[:2]).astype(np.float64)


def warp(x, theta, size=None):
    grid = F.affine_grid(ministn.tensor(np.asarray(theta, dtype=np.float64)[None]), size or x.shape)
    return F.grid_sample(x, grid)


# Exercise 1: a shift by 2.5 px reads every output pixel halfway between two input pixels, so
# it is the convolution of the image with the kernel (0.5, 0.5) (and a whole-pixel shift): a
# convolution itself. Convolutions commute, so conv(shift U) = shift(conv U) away from the borders.
digit = ministn.tensor(digits[:1])
kernels = ministn.tensor(np.random.default_rng(1).standard_normal((8, 1, 5, 5)))
shift = [[1, 0, 2 * 2.5 / 28], [0, 1, 0]]
a = F.conv2d(warp(digit, shift), kernels, padding=2).numpy()[..., 7:-7, 7:-7]
b = warp(F.conv2d(digit, kernels, padding=2), shift).numpy()[..., 7:-7, 7:-7]
error = np.linalg.norm(a - b) / np.linalg.norm(b)
print(f"exercise 1: shift by 2.5 px, relative difference {error:.1e}")
assert error < 1e-12

# Exercise 2: four heads, one per quadrant (s = 0.5, t = (+-0.5, +-0.5)); with the digits in the
# top-left and bottom-right quadrants, channels 0 (top-left) and 3 (bottom-right) hold them and
# channels 1 (top-right) and 2 (bottom-left) are blank.
def place(digit, tx, ty):
    return warp(ministn.tensor(digit[None]), [[2, 0, tx], [0, 2, ty]], (1, 1, 56, 56)).numpy()[0]

canvas = ministn.tensor((place(digits[0], 1, 1) + place(digits[1], -1, -1))[None])
quadrants = [(-0.5, -0.5), (0.5, -0.5), (-0.5, 0.5), (0.5, 0.5)]        # TL, TR, BL, BR
heads = nn.ParallelTransformers([
    nn.SpatialTransformer(nn.Sequential(nn.Flatten(), nn.Linear(56 * 56, 4, dtype=np.float64)), 4,
                          "attention", output_size=(28, 28), dtype=np.float64) for _ in quadrants])
for head, (tx, ty) in zip(heads, quadrants):
    head.regression.bias.data[...] = (0.5, tx, ty)
V = heads(canvas).numpy()[0]
ink = V.reshape(4, -1).sum(axis=1)
print("exercise 2: ink per channel of V", np.round(ink, 1))
assert np.abs(V[0] - digits[0, 0]).max() < 1e-12 and np.abs(V[3] - digits[1, 0]).max() < 1e-12
assert ink[1] == 0 and ink[2] == 0
