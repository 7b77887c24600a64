"""MNIST-format data sets: finding the four files and loading them as checked arrays.

Any directory holding the four standard files works (``.gz`` or not), so Fashion-MNIST,
KMNIST or the full 60k MNIST drop in. With no directory given, ``load_mnist`` uses

  1. the download cache, once ``python -m ministn download mnist`` has filled it, else
  2. the copy bundled inside the package: the first 6,000 training images and the official
     10,000 test images (see ministn/data/mnist/README.md for the licence and attribution).
"""
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .idx import DataError, read_idx

# role -> accepted file names, first the standard one (each also with ".gz")
FILE_NAMES = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte",
                     "train-6000-images-idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte",
                     "train-6000-labels-idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}
BUNDLED_DIR = Path(__file__).resolve().parent / "mnist"
NUM_CLASSES = 10


class MNIST(NamedTuple):
    """Images uint8 (N, H, W) and labels int64 (N,) of both splits, and where they came from."""
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str

    def describe(self):
        H, W = self.train_images.shape[1:]
        return (f"{self.source}: {len(self.train_labels):,} training and "
                f"{len(self.test_labels):,} test images of {H}x{W}")


def cache_dir():
    """Where ``download`` puts the full MNIST: $MINISTN_DATA, else $XDG_CACHE_HOME/ministn/mnist."""
    if os.environ.get("MINISTN_DATA"):
        return Path(os.environ["MINISTN_DATA"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ministn" / "mnist"


def find_files(directory):
    """{role: path} of the four files in ``directory``; DataError naming any that is missing."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"data directory {directory} does not exist")
    found, missing = {}, []
    for role, names in FILE_NAMES.items():
        candidates = [directory / (n + ext) for n in names for ext in (".gz", "")]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            missing.append(names[0] + "[.gz]")
        found[role] = path
    if missing:
        raise DataError(f"{directory} lacks the MNIST-format file(s) {', '.join(missing)}")
    return found


def default_data_dir():
    """The download cache when it holds all four files, else the bundled copy."""
    try:
        find_files(cache_dir())
        return cache_dir()
    except DataError:
        return BUNDLED_DIR


def _check_pair(images, labels, split, paths):
    where = f"({paths[split + '_images']}, {paths[split + '_labels']})"
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(f"{paths[split + '_images']} must hold uint8 images (N, H, W), got "
                        f"{images.dtype} of shape {images.shape}")
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DataError(f"{paths[split + '_labels']} must hold integer labels (N,), got "
                        f"{labels.dtype} of shape {labels.shape}")
    if len(images) != len(labels):
        raise DataError(f"{split} labels do not match the images: {len(images)} images but "
                        f"{len(labels)} labels {where}")
    if len(labels) and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise DataError(f"{paths[split + '_labels']} holds labels outside 0..{NUM_CLASSES - 1} "
                        f"(min {labels.min()}, max {labels.max()})")


def load_mnist(data_dir=None, train_size=None, test_size=None):
    """Load an MNIST-format data set as an ``MNIST`` tuple of checked NumPy arrays.

    data_dir:   a directory with the four files (``.gz`` or raw); None for the default
                (the download cache if complete, else the bundled 6,000 / 10,000 images).
    train_size, test_size: keep only the first so many images of each split (quick runs).
    Raises DataError (a ValueError) naming the file for anything missing, truncated, corrupt
    or inconsistent.
    """
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = find_files(directory)
    arrays = {role: read_idx(path) for role, path in paths.items()}
    for split in ("train", "test"):
        _check_pair(arrays[split + "_images"], arrays[split + "_labels"], split, paths)
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise DataError(f"training images are {arrays['train_images'].shape[1:]} but test images "
                        f"are {arrays['test_images'].shape[1:]}")
    source = "bundled MNIST" if directory == BUNDLED_DIR else str(directory)
    return MNIST(arrays["train_images"][:train_size],
                 arrays["train_labels"][:train_size].astype(np.int64),
                 arrays["test_images"][:test_size],
                 arrays["test_labels"][:test_size].astype(np.int64), source)
