"""Pixels to floats, normalisation, and shuffled batches."""
import numpy as np
import pytest

from ministn.data import batch_indices, normalize_pixels, to_float


# ---- floats and batches --------------------------------------------------------------------
def test_to_float_and_normalize():
    x = to_float(np.array([[[0, 255]]], np.uint8))
    assert x.shape == (1, 1, 1, 2) and x.dtype == np.float32
    np.testing.assert_array_equal(x.ravel(), [0.0, 1.0])
    np.testing.assert_allclose(normalize_pixels(x).ravel(), [-0.1307 / 0.3081, 0.8693 / 0.3081], rtol=1e-6)
    assert normalize_pixels(x).dtype == np.float32


def test_batches_cover_every_index_once_and_are_reproducible():
    batches = batch_indices(10, 4, np.random.default_rng(3))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))
    again = batch_indices(10, 4, np.random.default_rng(3))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    assert [list(b) for b in batch_indices(5, 2)] == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        batch_indices(5, 0)
