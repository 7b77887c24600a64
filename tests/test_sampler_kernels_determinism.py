"""The input gradient of grid_sample is deterministic on the CPU (docs §11.4, §13.3): the
scatter sums each destination's contributions sequentially in the order (n, t, p)."""
import functools

import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import grid_sample

from spatial_strategies import COMBINATIONS


def _input_gradient(U, grid, upstream, *args):
    u = Tensor(U, requires_grad=True)
    grid_sample(u, Tensor(grid), *args).backward(upstream)
    return u.grad


@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS)
def test_input_gradient_is_bitwise_repeatable_and_per_sample(mode, padding_mode, align_corners):
    """Repeated runs agree bitwise, and so does each sample computed alone: samples never share
    a destination, so splitting the batch cannot change a sum."""
    rng = np.random.default_rng(2)
    U = rng.standard_normal((4, 3, 5, 6)).astype(np.float32)
    grid = rng.uniform(-1.3, 1.3, (4, 9, 11, 2)).astype(np.float32)   # upsampling: collisions
    upstream = rng.standard_normal((4, 3, 9, 11)).astype(np.float32)
    args = (mode, padding_mode, align_corners)
    first = _input_gradient(U, grid, upstream, *args)
    for _ in range(3):
        assert np.array_equal(_input_gradient(U, grid, upstream, *args), first)
    for n in range(4):
        alone = _input_gradient(U[n:n + 1], grid[n:n + 1], upstream[n:n + 1], *args)
        assert np.array_equal(alone[0], first[n])


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_colliding_contributions_are_summed_in_point_order(mode):
    """Every output point reads the centre of pixel (1, 2): its gradient is the float32 sum of
    the contributions in point order (bilinear: tap nw, weight 1, comes before the zero-weight
    taps). Summed in another order, these float32 values give a different result."""
    rng = np.random.default_rng(3)
    U = np.zeros((1, 1, 3, 4), np.float32)
    x, y = np.float32((2 + 0.5) / 4 * 2 - 1), np.float32((1 + 0.5) / 3 * 2 - 1)  # centre of (1, 2)
    grid = np.broadcast_to(np.array([x, y], np.float32), (1, 50, 40, 2)).copy()
    upstream = (rng.standard_normal((1, 1, 50, 40)) * 10 ** rng.uniform(-4, 4, (1, 1, 50, 40)))
    upstream = upstream.astype(np.float32)
    grad = _input_gradient(U, grid, upstream, mode, "zeros", False)
    in_order = functools.reduce(lambda a, b: np.float32(a + b), upstream.reshape(-1))
    assert grad[0, 0, 1, 2] == in_order
    backwards = functools.reduce(lambda a, b: np.float32(a + b), upstream.reshape(-1)[::-1])
    assert backwards != in_order
    others = np.delete(grad.reshape(-1), 1 * 4 + 2)
    assert (others == 0).all()
