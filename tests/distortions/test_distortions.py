"""ministn.distortions: the paper's distorted MNIST by name, each seeded, and the fixed test sets
(the warps: test_warps.py; translation and clutter: test_placement.py)."""
import numpy as np
import pytest

from ministn.distortions import DISTORTIONS, canvas_size, distort, distort_fixed


@pytest.mark.parametrize("name", list(DISTORTIONS))
def test_each_distortion_gives_its_canvas_in_range_and_is_seeded(digits, name):
    out = distort(name, digits, np.random.default_rng(1))
    S = canvas_size(name)
    assert out.shape == (16, 1, S, S) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1 + 1e-6
    np.testing.assert_array_equal(out, distort(name, digits, np.random.default_rng(1)))
    if name != "none":
        assert not np.array_equal(out, distort(name, digits, np.random.default_rng(2)))
        twins = distort(name, np.repeat(digits[:1], 2, axis=0), np.random.default_rng(1))
        assert not np.array_equal(twins[0], twins[1])      # each sample draws its own warp


def test_unknown_distortion_is_named():
    with pytest.raises(ValueError, match="unknown distortion 'X'; choose one of none, augment, R"):
        canvas_size("X")


def test_fixed_test_set_is_reproducible_and_chunk_seeded(digits):
    a = distort_fixed("RTS", digits, chunk=8)
    np.testing.assert_array_equal(a, distort_fixed("RTS", digits, chunk=8))
    np.testing.assert_array_equal(a[8:], distort("RTS", digits[8:], np.random.default_rng([2015, 1]),
                                                 pool=digits))
    assert distort_fixed("augment", digits) is digits            # no augmentation at test time
