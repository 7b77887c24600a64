"""Solution to lesson 11's exercise 1: the large localisation rate with "border" padding
(run: python lessons/solutions/11_training_failures.py; MINISTN_QUICK=1: fewer digits).

Border padding repeats the edge pixels, which on MNIST are black, so a grid that has flown off
the image still reads a blank output; and the clamp x -> min(max(x, 0), W - 1) has derivative 0
outside, so the grid gradient is zero there too. The model collapses just the same.
"""
import os

import numpy as np

import ministn
import ministn.functional as F
from ministn import models, optim
from ministn.data import batch_indices, load_mnist, to_float
from ministn.distortions import affine_warp

QUICK = os.environ.get("MINISTN_QUICK") == "1"
mnist = load_mnist(train_size=1000 if QUICK else 2000, test_size=500)
train_x, train_y = to_float(mnist.train_images), mnist.train_labels
test_x = affine_warp(to_float(mnist.test_images), np.random.default_rng(7), 45, scale=(0.5, 0.8))

ministn.manual_seed(0)
rng = np.random.default_rng(0)
model = models.build("tutorial")
model.transformer.padding_mode = "border"
optimizers = [optim.Adam(model.classifier.parameters(), lr=2e-3),
              optim.Adam(model.transformer.parameters(), lr=5e-2)]
for _ in range(2 if QUICK else 3):
    for index in batch_indices(len(train_x), 64, rng):
        images = affine_warp(train_x[index], rng, 45, scale=(0.5, 0.8))
        loss = F.cross_entropy(model(ministn.tensor(images)), train_y[index])
        for optimizer in optimizers:
            optimizer.zero_grad()
        loss.backward()
        for optimizer in optimizers:
            optimizer.step()

with ministn.no_grad():
    V = model.transformer(ministn.tensor(test_x)).numpy()
blank = float((V.reshape(len(V), -1).std(axis=1) < 0.02).mean())
F.cross_entropy(model(ministn.tensor(test_x[:64])), mnist.test_labels[:64]).backward()
gradient = max(float(np.abs(p.grad).max()) for p in model.transformer.parameters())
print(f"border padding, localisation rate 5e-2: blank outputs {blank:.0%}, "
      f"largest transformer gradient {gradient:.1e}")
assert blank > 0.9 and gradient == 0
