"""Solutions to lesson 09's exercises (run: python lessons/solutions/09_projective_tps.py)."""
import numpy as np

import ministn
import ministn.functional as F

# Exercise 1: zero offsets, D = S. W = 0 and A = [[0, 0], [1, 0], [0, 1]] (rows: constant, x, y
# coefficients; columns: output x, y) satisfy [Phi Q; Q^T 0][W; A] = [S; 0], and L is invertible.
t = np.linspace(-1, 1, 4)
S = np.stack([np.tile(t, 4), np.repeat(t, 4)], axis=1)
r2 = ((S[:, None] - S[None]) ** 2).sum(axis=2)
Phi = r2 * np.log(np.where(r2 == 0, 1.0, r2))
Q = np.concatenate([np.ones((16, 1)), S], axis=1)
L = np.block([[Phi, Q], [Q.T, np.zeros((3, 3))]])
coefficients = np.linalg.solve(L, np.concatenate([S, np.zeros((3, 2))]))
W, A = coefficients[:16], coefficients[16:]
print("exercise 1: max |W| =", np.abs(W).max(), " A =", A.round(12).tolist())
assert np.abs(W).max() < 1e-12 and np.allclose(A, [[0, 0], [1, 0], [0, 1]])

# Exercise 2: the homography that maps the output square's corners p to the trapezoid's q:
# (h11 x + h12 y + h13) - qx (h31 x + h32 y + 1) = 0 and likewise for y, two rows per corner.
p = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
q = np.array([[-1, -1], [1, -1], [0.6, 1], [-0.6, 1]])
rows, rhs = [], []
for (x, y), (u, v) in zip(p, q):
    rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y]), rhs.append(u)
    rows.append([0, 0, 0, x, y, 1, -v * x, -v * y]), rhs.append(v)
h = np.linalg.solve(np.array(rows), np.array(rhs))
grid = F.perspective_grid(ministn.tensor(h[None]), (1, 1, 2, 2), align_corners=True).numpy()[0]
corners = grid.reshape(4, 2)[[0, 1, 3, 2]]                  # grid order: (-1,-1), (1,-1), (-1,1), (1,1)
print("exercise 2: h =", h.round(4).tolist(), "\n            corners land at", corners.round(12).tolist())
assert np.allclose(corners, q)
