"""MNIST addition's inputs: two independently RTS-distorted digits, one per channel; their sum."""
import numpy as np

from ministn.data import load_mnist, to_float
from ministn.distortions import distort_pairs, fixed_pairs, random_pairs, rotate_translate_scale


def digits(n=64):
    data = load_mnist()
    return to_float(data.test_images[:n]), data.test_labels[:n]


def test_each_channel_is_its_own_rts_draw_of_its_digit():
    images, _ = digits(6)
    first, second = images[:3], images[3:]
    x = distort_pairs(first, second, np.random.default_rng(0))
    expected = rotate_translate_scale(np.concatenate([first, second]), np.random.default_rng(0))
    assert x.shape == (3, 2, 42, 42)
    np.testing.assert_array_equal(x[:, 0:1], expected[:3])
    np.testing.assert_array_equal(x[:, 1:2], expected[3:])


def test_fixed_pairs_are_reproducible_and_labelled_with_the_sum():
    images, labels = digits()
    x, y = fixed_pairs(images, labels, 2015, chunk=16)
    x2, y2 = fixed_pairs(images, labels, 2015, chunk=16)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    partner = np.random.default_rng([2015, 0]).permutation(len(labels))
    np.testing.assert_array_equal(y, labels + labels[partner])
    assert x.shape == (64, 2, 42, 42) and 0 <= y.min() and y.max() <= 18
    ink = x.sum(axis=(2, 3))
    assert (ink > 10).all()                       # every channel holds a whole digit


def test_training_pairs_differ_per_batch_seed_and_keep_their_first_digits():
    images, labels = digits()
    index = np.arange(10)
    x1, y1 = random_pairs(images, labels, index, np.random.default_rng([0, 1, 0]))
    x2, y2 = random_pairs(images, labels, index, np.random.default_rng([0, 2, 0]))
    assert not np.array_equal(x1, x2)
    partner = np.random.default_rng([0, 1, 0]).integers(0, len(labels), len(index))
    np.testing.assert_array_equal(y1, labels[index] + labels[partner])
