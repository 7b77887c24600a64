"""From uint8 images to float batches: scaling, normalisation, and (shuffled) mini-batches.

Pixels become floats in [0, 1] (``to_float``). The PyTorch tutorial then normalises them,
x' = (x - 0.1307) / 0.3081, the mean and standard deviation of MNIST's training pixels, which
moves the black background from 0 to -0.4242. ministn's models do that normalisation *inside*
the network, after the spatial transformer, so the sampler's zero padding is the background
(see ministn/models/normalization.py and pytorch/tutorials issue #1117).
"""
import numpy as np

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def to_float(images, dtype=np.float32):
    """uint8 images (N, H, W) -> floats (N, 1, H, W) in [0, 1]."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be 3-D (N, H, W), got shape {images.shape}")
    return (images[:, None] / 255.0).astype(dtype)


def normalize_pixels(x, mean=MNIST_MEAN, std=MNIST_STD):
    """(x - mean) / std, in x's dtype (the tutorial's ``transforms.Normalize``)."""
    return ((x - mean) / std).astype(x.dtype, copy=False)


def batch_indices(n, batch_size, rng=None):
    """Index arrays of consecutive mini-batches over range(n), permuted first if ``rng`` is given.

    The last batch is smaller when batch_size does not divide n (PyTorch's drop_last=False).
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    order = rng.permutation(n) if rng is not None else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
