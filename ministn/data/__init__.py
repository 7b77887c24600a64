"""ministn.data: MNIST-format files (bundled, downloaded or any directory) and mini-batches.

    mnist = load_mnist()                      # bundled: 6,000 training / 10,000 test images
    x = to_float(mnist.train_images[:64])     # (64, 1, 28, 28) float32 in [0, 1]
"""
from .batching import MNIST_MEAN, MNIST_STD, batch_indices, normalize_pixels, to_float
from .download import download
from .idx import DataError, read_idx, write_idx
from .mnist import BUNDLED_DIR, MNIST, cache_dir, find_files, load_mnist
