"""Solutions to lesson 06's exercises (run: python lessons/solutions/06_affine_grid.py)."""
import numpy as np

import ministn
import ministn.functional as F

S = 32
U = np.zeros((1, 1, S, S))
U[0, 0, 6:26, 9:13] = U[0, 0, 6:10, 9:23] = U[0, 0, 14:18, 9:20] = 1.0      # the letter F


def warp(image, theta, align_corners=False):
    theta = ministn.tensor(np.asarray(theta, dtype=float)[None])
    grid = F.affine_grid(theta, (1, 1, S, S), align_corners)
    return F.grid_sample(ministn.tensor(image), grid, align_corners=align_corners).numpy()


# Exercise 1: the content turns by +a (clockwise as displayed, rows pointing down) when the grid
# turns the *other* way: theta = R(-a) = [[cos a, sin a], [-sin a, cos a]]. Warping back with the
# inverse R(+a) restores the F wherever nothing fell outside the square.
a = np.deg2rad(30)
turned = warp(U, [[np.cos(a), np.sin(a), 0], [-np.sin(a), np.cos(a), 0]])
back = warp(turned, [[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0]])
# Check with a small blob at (x, y) = (22, 8) pixels: about the centre c = 15.5 a clockwise turn
# (rows point down) sends the offset (6.5, -7.5) to (6.5 cos a + 7.5 sin a, 6.5 sin a - 7.5 cos a).
rows, cols = np.mgrid[0:S, 0:S]
blob = np.exp(-((cols - 22) ** 2 + (rows - 8) ** 2) / 2.0)[None, None]
moved = warp(blob, [[np.cos(a), np.sin(a), 0], [-np.sin(a), np.cos(a), 0]])[0, 0]
centroid = np.array([(moved * cols).sum(), (moved * rows).sum()]) / moved.sum()
expected = 15.5 + np.array([6.5 * np.cos(a) + 7.5 * np.sin(a), 6.5 * np.sin(a) - 7.5 * np.cos(a)])
print(f"exercise 1: the blob at (22, 8) moved to ({centroid[0]:.2f}, {centroid[1]:.2f}), "
      f"expected ({expected[0]:.2f}, {expected[1]:.2f})")
assert np.allclose(centroid, expected, atol=0.05)
middle = (slice(8, 24), slice(8, 24))
print(f"           turned and back: largest error in the middle {np.abs(back[0, 0][middle] - U[0, 0][middle]).max():.2f}")
assert np.abs(back[0, 0][middle] - U[0, 0][middle]).mean() < 0.1

# Exercise 2: theta[0, 2] = 0.5 moves the content 0.5 * W / 2 = 8 pixels (align_corners=False)
# or 0.5 * (W - 1) / 2 = 7.75 pixels (align_corners=True): the pixel coordinate of g is
# ((g + 1) W - 1) / 2, respectively (g + 1)(W - 1) / 2.
column = np.zeros((1, 1, S, S))
column[0, 0, :, 20] = 1.0
for align_corners, expected in ((False, 8.0), (True, 7.75)):
    moved = warp(column, [[1, 0, 0.5], [0, 1, 0]], align_corners)[0, 0, 0]
    centre = (moved * np.arange(S)).sum() / moved.sum()
    print(f"exercise 2: align_corners={align_corners}: the line moved {20 - centre:.2f} pixels left")
    assert abs((20 - centre) - expected) < 1e-9
