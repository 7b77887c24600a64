"""Solutions to lesson 13's exercises (run: python lessons/solutions/13_bicubic_3d.py)."""
import numpy as np

import ministn
import ministn.functional as F


def cubic(t, A=-0.75):
    t = np.abs(t)
    return np.where(t <= 1, (A + 2) * t ** 3 - (A + 3) * t ** 2 + 1,
                    np.where(t < 2, A * t ** 3 - 5 * A * t ** 2 + 8 * A * t - 4 * A, 0.0))


# Exercise 1: halfway between two pixels the four taps lie at t = -1.5, -0.5, 0.5, 1.5.
# k(0.5) = 1.25/8 - 2.25/4 + 1 = 0.59375, k(1.5) = -0.75 (3.375 - 11.25 + 12 - 4) = -0.09375.
weights = cubic(np.array([-1.5, -0.5, 0.5, 1.5]))
print("exercise 1: weights", weights, "sum", weights.sum())
assert np.allclose(weights, [-0.09375, 0.59375, 0.59375, -0.09375]) and weights.sum() == 1.0
row = ministn.tensor(np.array([[[[0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]]]))            # W = 6, one pixel at x = 2
g = (2 * 2.5 + 1) / 6 - 1                                                       # x = 2.5: halfway to 3
V = F.grid_sample(row, ministn.tensor(np.array([[[[g, 0.0]]]])), mode="bicubic").item()
assert abs(V - 0.59375) < 1e-12

# Exercise 2: for a fractional position f in [0, 1) the taps lie at t = f + 1, f, f - 1, f - 2;
# the weights sum to 1 for every f (the cubic terms cancel), so a constant image stays constant
# (with "border" padding: under zeros padding the taps that fall outside read 0).
f = np.linspace(0, 1, 101, endpoint=False)
sums = cubic(f + 1) + cubic(f) + cubic(f - 1) + cubic(f - 2)
print("exercise 2: largest |sum - 1| over 101 positions", np.abs(sums - 1).max())
assert np.abs(sums - 1).max() < 1e-14
constant = ministn.tensor(np.full((1, 1, 6, 7), 0.3))
grid = ministn.tensor(np.random.default_rng(0).uniform(-0.6, 0.6, (1, 5, 5, 2)))
assert np.allclose(F.grid_sample(constant, grid, mode="bicubic", padding_mode="border").numpy(), 0.3, atol=1e-14)

# Exercise 3: a quarter turn about the y axis mixes x and z: (x, z) <- (z, -x), i.e. theta rows
# (x_s, y_s, z_s) = (z_t, y_t, -x_t). It equals np.rot90 on the (D, W) axes (axes 2 and 4).
S = 8
volume = np.random.default_rng(1).random((1, 1, S, S, S))
theta = np.array([[[0.0, 0, 1, 0], [0, 1, 0, 0], [-1, 0, 0, 0]]])
turned = F.grid_sample(ministn.tensor(volume), F.affine_grid(ministn.tensor(theta), (1, 1, S, S, S))).numpy()
matches = [k for k in (1, -1) if np.allclose(turned, np.rot90(volume, k, axes=(2, 4)), atol=1e-12)]
print("exercise 3: the quarter turn about y equals np.rot90(volume, k, axes=(2, 4)) for k =", matches)
assert len(matches) == 1
