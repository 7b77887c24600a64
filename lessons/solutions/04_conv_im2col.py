"""Solutions to lesson 04's exercises (run: python lessons/solutions/04_conv_im2col.py)."""
import numpy as np

import ministn
import ministn.functional as F

# Exercise 1: how many 3 x 3 windows contain each pixel of an 8 x 8 image? Feed ones through
# conv2d's backward: dL/dx for dy = ones is col2im(ones), the count (kernel of ones).
def coverage(stride):
    x = ministn.tensor(np.zeros((1, 1, 8, 8)), requires_grad=True)
    y = F.conv2d(x, ministn.tensor(np.ones((1, 1, 3, 3))), stride=stride)
    y.backward(np.ones(y.shape))
    return x.grad[0, 0]

stride1, stride2 = coverage(1), coverage(2)
print("stride 1: pixels (0, 0), (0, 3), (4, 4) lie in", stride1[0, 0], stride1[0, 3], stride1[4, 4], "windows")
print("stride 2:", stride2[0, 0], stride2[0, 3], stride2[4, 4], "(windows start at 0, 2, 4 only; column 7 in none)")
assert (stride1[0, 0], stride1[0, 3], stride1[4, 4]) == (1, 3, 9)
assert (stride2[0, 0], stride2[0, 3], stride2[4, 4]) == (1, 1, 4) and stride2[0, 7] == 0

# Exercise 2: a 1 x 1 convolution mixes channels at each pixel: y[n, f] = sum_c w[f, c] x[n, c].
rng = np.random.default_rng(0)
x, w = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((6, 3, 1, 1))
y = F.conv2d(ministn.tensor(x), ministn.tensor(w)).numpy()
assert np.allclose(y, np.einsum("fc,nchw->nfhw", w[:, :, 0, 0], x))
print("exercise 2: conv2d with a 1 x 1 kernel equals einsum('fc,nchw->nfhw')")
