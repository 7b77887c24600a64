"""The sampler's index and weight arrays do not grow with the number of channels (docs §13.1):
the taps grid_sample builds are an (N, P) corner, a per-tap table and (N, T, P) weights
whatever C, and every channel reads through them."""
import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import grid_sample
from ministn.functional.sampler_taps import make_taps, tap_index

from spatial_strategies import COMBINATIONS


def _taps_built_by_grid_sample(C, mode, padding_mode, align_corners):
    """The Taps object grid_sample saved for its backward pass, for an input of C channels."""
    rng = np.random.default_rng(0)
    grid = Tensor(rng.uniform(-1.5, 1.5, (3, 4, 5, 2)), requires_grad=True)
    U = Tensor(rng.standard_normal((3, C, 6, 7)), requires_grad=True)
    out = grid_sample(U, grid, mode, padding_mode, align_corners)
    _, ctx, _ = out._creator
    return ctx.taps


@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS)
def test_taps_do_not_grow_with_the_channels(mode, padding_mode, align_corners):
    T = {"bilinear": 4, "nearest": 1}[mode]
    one, many = (_taps_built_by_grid_sample(C, mode, padding_mode, align_corners) for C in (1, 16))
    for taps in (one, many):
        assert taps.corner.shape == (3, 20)
        assert taps.weight.shape == (3, T, 20)
        assert isinstance(taps.table, tuple) and len(taps.table) == T
        for axis in taps.axes:
            for array in axis:
                assert np.ndim(array) <= 3 and 16 not in np.shape(array)
    # the same positions: only the sample stride n C S differs
    S = one.image_size
    n = np.arange(3).reshape(3, 1, 1)
    assert np.array_equal(tap_index(one) - n * S, tap_index(many) - n * 16 * S)
    assert np.array_equal(one.weight, many.weight)


def test_channel_c_reads_the_same_index_c_images_further_on():
    """Channel c of the gather equals sampling that channel alone (the view c S further on)."""
    rng = np.random.default_rng(1)
    U, grid = rng.standard_normal((2, 5, 6, 7)), rng.uniform(-1.2, 1.2, (2, 3, 4, 2))
    together = grid_sample(U, grid).data
    for c in range(5):
        alone = grid_sample(U[:, c:c + 1], grid).data
        assert np.array_equal(together[:, c:c + 1], alone)


def test_bilinear_taps_share_one_corner():
    """Bilinear's per-axis offsets are the constants (0, 1): one (N, P) corner and the table
    (0, 1, W_p, W_p + 1), nw, ne, sw, se (docs §13.2)."""
    grid = np.zeros((2, 3, 3, 2))
    taps = make_taps(grid, "bilinear", "zeros", False, (5, 6), 4)
    W = 6 + 4
    assert [a.offset for a in taps.axes] == [(0, 1), (0, 1)]
    assert taps.table == (0, 1, W, W + 1)
    steps = tap_index(taps) - tap_index(taps)[:, :1, :]
    assert (steps == np.array([0, 1, W, W + 1]).reshape(1, 4, 1)).all()
