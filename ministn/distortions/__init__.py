"""ministn.distortions: the paper's distorted MNIST (paper section 4.1, appendix A.4), made on the fly.

    R    rotation, +-90 degrees                                  28x28   rotate
    RTS  rotation +-45 deg, scale 0.7-1.2, random place          42x42   rotate_translate_scale
    P    scale 0.75-1.0, corners moved by N(0, 5 px)             28x28   projective
    E    scale 0.75-1.0, 4x4 TPS lattice moved by N(0, 1.5 px)   28x28   elastic
    T    digit at a random place                                 60x60   translate
    TC   T plus six 6x6 pieces of other digits                   60x60   clutter

Each function takes float images (N, 1, 28, 28) in [0, 1] and a NumPy Generator and returns the
distorted batch (N, 1, S, S), vectorised over the batch (one grid, one grid_sample). Training
draws fresh distortions every epoch; the test set is distorted once with a fixed seed
(``distort_fixed``). 'none' is plain MNIST; 'augment' the light random affine of the default
recipe (+-10 degrees, scale 0.9-1.1, shift +-2 px). ``rotate_by(images, degrees)`` turns each
digit by a given angle (for figures and lessons). pairs.py makes MNIST addition's two-digit
inputs from the RTS distortion.
"""
import numpy as np

from ..backend import get_array_module
from .pairs import SUMS, distort_pairs, fixed_pairs, random_pairs
from .placement import clutter, translate
from .warps import (affine_warp, elastic, projective, rotate, rotate_by, rotate_translate_scale,
                    warp)


def augment(images, rng):
    """Light augmentation: rotation +-10 degrees, scale 0.9-1.1, shift +-2 px; 28x28."""
    return affine_warp(images, rng, 10.0, (0.9, 1.1), 2.0)


def _none(images, rng):
    return images


# name -> (function(images, rng) -> images, output canvas size)
DISTORTIONS = {
    "none": (_none, 28),
    "augment": (augment, 28),
    "R": (rotate, 28),
    "RTS": (rotate_translate_scale, 42),
    "P": (projective, 28),
    "E": (elastic, 28),
    "T": (translate, 60),
    "TC": (clutter, 60),
}
TEST_SEED = 2015  # the test set of every distortion is drawn once, from this seed


def check_name(name):
    if name not in DISTORTIONS:
        raise ValueError(f"unknown distortion {name!r}; choose one of {', '.join(DISTORTIONS)}")
    return name


def canvas_size(name):
    return DISTORTIONS[check_name(name)][1]


def distort(name, images, rng, pool=None):
    """Apply distortion ``name`` to images (N, 1, 28, 28) with Generator ``rng``.

    pool: the digits TC cuts its clutter from (default: the batch itself).
    """
    function = DISTORTIONS[check_name(name)][0]
    if name == "TC":
        return function(images, rng, pool=pool)
    return function(images, rng)


def distort_fixed(name, images, seed=TEST_SEED, chunk=1000):
    """The whole set distorted once, reproducibly: chunk i uses Generator([seed, i])."""
    if name in ("none", "augment"):
        return images
    parts = [distort(name, images[i:i + chunk], np.random.default_rng([seed, i // chunk]), images)
             for i in range(0, len(images), chunk)]
    return get_array_module(images).concatenate(parts)
