"""Solutions to lesson 08's exercises: the hand-written sampler with "border" padding and with
align_corners=True (run: python lessons/solutions/08_sampler_by_hand.py)."""
import numpy as np

import ministn
import ministn.functional as F


def bilinear(U, grid, padding_mode="zeros", align_corners=False):
    """Forward V (N, C, Ho, Wo) and a backward(dV) -> (dU, dgrid), for zeros or border padding."""
    N, C, H, W = U.shape
    if align_corners:                                  # exercise 2: the two lines that change
        x, y = (grid[..., 0] + 1) * (W - 1) / 2, (grid[..., 1] + 1) * (H - 1) / 2
        dx_dg, dy_dg = (W - 1) / 2, (H - 1) / 2
    else:
        x, y = ((grid[..., 0] + 1) * W - 1) / 2, ((grid[..., 1] + 1) * H - 1) / 2
        dx_dg, dy_dg = W / 2, H / 2
    if padding_mode == "border":                       # exercise 1: clamp, with derivative 0 outside
        inside_x, inside_y = (x > 0) & (x < W - 1), (y > 0) & (y < H - 1)
        x, y = np.clip(x, 0, W - 1), np.clip(y, 0, H - 1)
        dx_dg, dy_dg = dx_dg * inside_x, dy_dg * inside_y
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    tx, ty = x - x0, y - y0
    n = np.arange(N)[:, None, None]
    taps = []
    for oy, ox in ((0, 0), (0, 1), (1, 0), (1, 1)):
        r, c = y0 + oy, x0 + ox
        valid = (r >= 0) & (r < H) & (c >= 0) & (c < W)
        r, c = np.clip(r, 0, H - 1), np.clip(c, 0, W - 1)
        weight = (tx if ox else 1 - tx) * (ty if oy else 1 - ty)
        taps.append((ox, oy, r, c, valid, weight, U[n, :, r, c] * valid[..., None]))
    V = sum(w[..., None] * v for *_, w, v in taps).transpose(0, 3, 1, 2)

    def backward(dV):
        dV = dV.transpose(0, 2, 3, 1)
        dU, gx, gy = np.zeros_like(U), 0.0, 0.0
        for ox, oy, r, c, valid, weight, value in taps:
            np.add.at(dU.transpose(0, 2, 3, 1), (n, r, c), weight[..., None] * dV * valid[..., None])
            seen = (value * dV).sum(axis=-1)
            gx = gx + seen * (1 if ox else -1) * (ty if oy else 1 - ty)
            gy = gy + seen * (1 if oy else -1) * (tx if ox else 1 - tx)
        return dU, np.stack([gx * dx_dg, gy * dy_dg], axis=-1)

    return V, backward


rng = np.random.default_rng(0)
U = rng.standard_normal((2, 3, 5, 6))
for padding_mode, align_corners in (("zeros", False), ("border", False), ("zeros", True), ("border", True)):
    pixel = np.stack([rng.integers(-3, 7, (2, 4, 7)) + rng.uniform(0.2, 0.8, (2, 4, 7)),
                      rng.integers(-3, 6, (2, 4, 7)) + rng.uniform(0.2, 0.8, (2, 4, 7))], axis=-1)
    if align_corners:
        grid = 2 * pixel / np.array([5, 4]) - 1
    else:
        grid = (2 * pixel + 1) / np.array([6, 5]) - 1
    V, backward = bilinear(U, grid, padding_mode, align_corners)
    dV = rng.standard_normal(V.shape)
    dU, dgrid = backward(dV)
    U_t, grid_t = ministn.tensor(U.copy(), requires_grad=True), ministn.tensor(grid, requires_grad=True)
    reference = F.grid_sample(U_t, grid_t, padding_mode=padding_mode, align_corners=align_corners)
    reference.backward(dV)
    gap = max(np.abs(V - reference.numpy()).max(), np.abs(dU - U_t.grad).max(), np.abs(dgrid - grid_t.grad).max())
    print(f"padding {padding_mode}, align_corners={align_corners}: largest difference from grid_sample {gap:.1e}")
    assert gap < 1e-12
