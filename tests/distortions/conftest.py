"""The digits the distortion tests warp: 16 bundled MNIST training images as floats."""
import pytest

from ministn.data import BUNDLED_DIR, load_mnist, to_float


@pytest.fixture(scope="module")
def digits():
    return to_float(load_mnist(BUNDLED_DIR, train_size=16, test_size=1).train_images)
