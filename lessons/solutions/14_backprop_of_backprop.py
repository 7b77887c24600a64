"""Solutions to lesson 14's exercises (run: python lessons/solutions/14_backprop_of_backprop.py)."""
import numpy as np

import ministn
import ministn.functional as F
from ministn.data import load_mnist, to_float
from ministn.models import build

# Exercise 1: the fourth derivative of y = x^4 - 2x^2 is 24 at any x. It is a constant, but it
# was still computed from x by recorded ops, so a fifth grad runs through that graph and gives
# 0, as it would in PyTorch.
x = ministn.tensor(2.0, requires_grad=True)
d = x ** 4 - 2 * x ** 2
for _ in range(4):
    (d,) = ministn.grad(d, x, create_graph=True)
(fifth,) = ministn.grad(d, x)
print("exercise 1: fourth derivative", d.item(), "fifth", fifth.item())
assert d.item() == 24.0 and fifth.item() == 0.0

# Exercise 2: at the identity every sample point sits on a pixel centre. The double backward
# takes bilinear's one-sided (right-hand) derivative there, central differences average the two
# sides, so H v and the finite differences disagree, by far more than rounding.
model = build("tutorial").double()
model.eval()
mnist = load_mnist(train_size=2, test_size=1)
images = to_float(mnist.train_images).astype(np.float64)
labels = mnist.train_labels


def loss_of(theta):
    V = F.grid_sample(images, F.affine_grid(theta, images.shape))
    return F.cross_entropy(model.classifier(model.normalization(V)), labels)


def gradient(theta_array):
    theta = ministn.tensor(theta_array, requires_grad=True)
    return ministn.grad(loss_of(theta), theta)[0].numpy()


identity = np.repeat(np.eye(2, 3)[None], len(labels), axis=0)
v = np.random.default_rng(0).standard_normal(identity.shape)
theta = ministn.tensor(identity, requires_grad=True)
(g,) = ministn.grad(loss_of(theta), theta, create_graph=True)
Hv = ministn.grad((g * v).sum(), theta)[0].numpy()
eps = 1e-6
numeric = (gradient(identity + eps * v) - gradient(identity - eps * v)) / (2 * eps)
error = np.abs(Hv - numeric).max() / np.abs(numeric).max()
print(f"exercise 2: at the identity, H v against central differences: relative error {error:.2f}")
assert error > 1e-3
