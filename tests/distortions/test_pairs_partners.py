"""MNIST addition's training pairs: channel 1 holds the partner whose label enters the sum.

test_pairs.py checks distort_pairs on given digits and the labels of random_pairs; this checks
that the pixels and the label of a training pair come from the same two digits (a pipeline
that paired the images with one partner and the labels with another would train at chance).
"""
import numpy as np

from ministn.data import load_mnist, to_float
from ministn.distortions import distort_pairs, random_pairs


def test_training_pair_pixels_and_sum_come_from_the_same_two_digits():
    data = load_mnist()
    images, labels = to_float(data.test_images[:64]), data.test_labels[:64]
    index = np.arange(5, 25)
    x, y = random_pairs(images, labels, index, np.random.default_rng([3, 1, 4]))
    rng = np.random.default_rng([3, 1, 4])
    partner = rng.integers(0, len(labels), len(index))       # random_pairs' first draw
    np.testing.assert_array_equal(x, distort_pairs(images[index], images[partner], rng))
    np.testing.assert_array_equal(y, labels[index] + labels[partner])
    # and the partners are not simply the digits themselves
    assert (partner != index).any()


def test_each_channel_keeps_its_digits_ink_up_to_the_scale_squared():
    data = load_mnist()
    images, labels = to_float(data.test_images[:200]), data.test_labels[:200]
    index = np.arange(100)
    rng = np.random.default_rng(0)
    partner = np.random.default_rng(0).integers(0, len(labels), len(index))
    x, _ = random_pairs(images, labels, index, rng)
    # RTS scales by s in [0.7, 1.2]: a digit's ink (sum of pixels) changes by about s^2
    for channel, source in ((0, images[index]), (1, images[partner])):
        ratio = x[:, channel].sum(axis=(1, 2)) / source.sum(axis=(1, 2, 3))
        assert ((ratio > 0.7 ** 2 * 0.9) & (ratio < 1.2 ** 2 * 1.1)).all(), (channel, ratio)
