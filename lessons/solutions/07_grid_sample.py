"""Solutions to lesson 07's exercises (run: python lessons/solutions/07_grid_sample.py)."""
import numpy as np

import ministn
import ministn.functional as F

# Exercise 1: U = [[0, 1], [2, 4]] at (x, y) = (0.25, 0.5): tx = 0.25, ty = 0.5.
#   V     = 0.75*0.5*0 + 0.25*0.5*1 + 0.75*0.5*2 + 0.25*0.5*4 = 0.125 + 0.75 + 0.5 = 1.375
#   dV/dx = (1-ty)(U01 - U00) + ty(U11 - U10) = 0.5*1 + 0.5*2 = 1.5
#   dV/dy = (1-tx)(U10 - U00) + tx(U11 - U01) = 0.75*2 + 0.25*3 = 2.25
U = ministn.tensor(np.array([[[[0.0, 1.0], [2.0, 4.0]]]]))
x, y = 0.25, 0.5
grid = ministn.tensor(np.array([[[[(2 * x + 1) / 2 - 1, (2 * y + 1) / 2 - 1]]]]), requires_grad=True)
V = F.grid_sample(U, grid)
V.backward(np.ones((1, 1, 1, 1)))
dV_dx, dV_dy = grid.grad[0, 0, 0] * 2 / 2             # dV/dg * dg/dx, dg/dx = 2 / W = 1 here
print(f"exercise 1: V = {V.item()}, dV/dx = {dV_dx}, dV/dy = {dV_dy}")
assert (V.item(), dV_dx, dV_dy) == (1.375, 1.5, 2.25)

# Exercise 2: a 1-pixel row of value 1 (W = 1), zeros padding: V(x) = max(0, 1 - |x|), the hat,
# which reads 0.25 at x = +-0.75; g = (2x + 1)/1 - 1 = 2x.
row = ministn.tensor(np.ones((1, 1, 1, 1)))
g = np.array([-1.5, 1.5])                             # x = -0.75 and x = +0.75
V = F.grid_sample(row, ministn.tensor(np.stack([g, np.zeros(2)], -1).reshape(1, 1, 2, 2))).numpy()
print("exercise 2: at x = -0.75 and 0.75 the row reads", V.ravel())
assert np.allclose(V.ravel(), 0.25)
