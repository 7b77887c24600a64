"""MNIST addition (paper appendix A.1): two digits, each RTS-distorted on its own, one per channel.

    x[n] = (RTS(a_n), RTS(b_n))      (N, 2, 42, 42): channel 0 the first digit, 1 the second
    y[n] = label(a_n) + label(b_n)   the sum, 0..18 (19 classes)

Both channels are distorted in one call (the 2N digits as one batch, then split), so every digit
gets its own independent rotation, scale and position. Training draws a fresh partner b for
every digit a every epoch (``random_pairs``); the test set pairs the 10,000 test digits once,
reproducibly (``fixed_pairs``): b = a permutation of the test set drawn from Generator([seed, 0]),
and chunk i of the pairs is distorted with Generator([seed, 1, i]).
"""
import numpy as np

from ..backend import get_array_module
from .warps import rotate_translate_scale

SUMS = 19


def distort_pairs(first, second, rng):
    """(N, 2, 42, 42): first and second digits (N, 1, 28, 28), each RTS-distorted independently."""
    xp = get_array_module(first)
    both = rotate_translate_scale(xp.concatenate([first, second]), rng)     # (2N, 1, 42, 42)
    N = len(first)
    return xp.concatenate([both[:N], both[N:]], axis=1)


def random_pairs(images, labels, index, rng):
    """A training batch: digits ``index`` each paired with a partner drawn uniformly by rng."""
    xp = get_array_module(images)
    partner = xp.asarray(rng.integers(0, len(labels), len(index)))
    index = xp.asarray(index)
    x = distort_pairs(images[index], images[partner], rng)
    return x, labels[index] + labels[partner]


def fixed_pairs(images, labels, seed, chunk=1000):
    """The test set: each digit with a partner from one fixed permutation, distorted once."""
    xp = get_array_module(images)
    partner = xp.asarray(np.random.default_rng([seed, 0]).permutation(len(labels)))
    second = images[partner]
    parts = [distort_pairs(images[i:i + chunk], second[i:i + chunk],
                           np.random.default_rng([seed, 1, i // chunk]))
             for i in range(0, len(labels), chunk)]
    return xp.concatenate(parts), labels + labels[partner]
