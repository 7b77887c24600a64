"""The general tap path: a mode that places every tap itself (offsets as an (N, T_axis, P) array,
as bicubic under border padding will) gives what the shared-corner path gives (docs §13.2)."""
import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import grid_sample
from ministn.functional import sampler_taps
from ministn.functional.sampler_taps import AxisTaps, Mode, bilinear_axis, nearest_axis

from spatial_strategies import COMBINATIONS


def _placing_every_tap(axis_taps):
    """The same mode, but with base 0 and every tap's pixel as an (N, T_axis, P) offset."""
    def placed(g, n, padding_mode, align_corners, pad):
        taps = axis_taps(g, n, padding_mode, align_corners, pad)
        offsets = np.array(taps.offset, np.int64).reshape(1, -1, 1)
        return AxisTaps(0, taps.base[:, None, :] + offsets, taps.weight, taps.slope, taps.m)
    return placed


def _run(U, grid, upstream, *args):
    u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
    out = grid_sample(u, g, *args)
    _, ctx, _ = out._creator                  # the graph is freed by backward
    out.backward(upstream)
    return ctx.taps, [out.data, u.grad, g.grad]


@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS)
def test_per_tap_offsets_give_the_shared_corner_results(mode, padding_mode, align_corners,
                                                        monkeypatch):
    rng = np.random.default_rng(4)
    U, grid = rng.standard_normal((3, 2, 5, 6)), rng.uniform(-1.4, 1.4, (3, 7, 4, 2))
    upstream = rng.standard_normal((3, 2, 7, 4))
    args = (mode, padding_mode, align_corners)
    shared_taps, shared = _run(U, grid, upstream, *args)
    axis_taps = {"bilinear": bilinear_axis, "nearest": nearest_axis}[mode]
    monkeypatch.setitem(sampler_taps.MODES, mode, Mode(_placing_every_tap(axis_taps), 2))
    placed_taps, placed = _run(U, grid, upstream, *args)
    assert isinstance(shared_taps.table, tuple) and not isinstance(placed_taps.table, tuple)
    assert placed_taps.table.shape == shared_taps.weight.shape
    np.testing.assert_array_equal(sampler_taps.tap_index(placed_taps),
                                  sampler_taps.tap_index(shared_taps))
    for a, b in zip(placed, shared):
        np.testing.assert_array_equal(a, b)
