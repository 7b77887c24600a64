"""Solutions to lesson 05's exercises (run: python lessons/solutions/05_pool_cnn.py)."""

import numpy as np

import ministn
import ministn.functional as F
from ministn import nn, optim

# Exercise 1: average pooling's backward gives each entry of window (i, j) dy[i, j] / 4.
x = ministn.tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
F.avg_pool2d(x, 2).backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
expected = np.kron([[10.0, 20.0], [30.0, 40.0]], np.ones((2, 2))) / 4
print("exercise 1: avg_pool2d gradient\n", x.grad[0, 0])
assert np.array_equal(x.grad[0, 0], expected)

# Exercise 2: train only on strokes whose corner column is < 4, test on columns >= 4.
STROKES = np.array([[(0, t) for t in range(5)], [(t, 0) for t in range(5)],
                    [(t, t) for t in range(5)], [(t, 4 - t) for t in range(5)]])

def make_strokes(n, rng, columns):
    labels = rng.integers(0, 4, n)
    corner = np.stack([rng.integers(0, 8, n), rng.integers(*columns, n)], axis=1)[:, None, :]
    rows, cols = (corner + STROKES[labels]).transpose(2, 0, 1)
    images = 0.2 * rng.standard_normal((n, 1, 12, 12))
    images[np.arange(n)[:, None], 0, rows, cols] += 1.0
    return images.astype(np.float32), labels

ministn.manual_seed(0)
rng = np.random.default_rng(0)
train_x, train_y = make_strokes(3000, rng, (0, 4))          # left columns only
test_x, test_y = make_strokes(500, rng, (4, 8))             # right columns only
model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(16 * 3 * 3, 4))
optimizer = optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(4):
    order = rng.permutation(len(train_x))
    for start in range(0, len(order), 50):
        idx = order[start:start + 50]
        loss = F.cross_entropy(model(ministn.tensor(train_x[idx])), train_y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
model.eval()
with ministn.no_grad():
    held_out = float((model(ministn.tensor(test_x)).numpy().argmax(axis=1) == test_y).mean())
print(f"exercise 2: accuracy on strokes at held-out positions {held_out:.3f} (chance 0.25)")
assert held_out > 0.5
