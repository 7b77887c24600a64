"""MNIST: the bundled copy, the cache, any MNIST-format directory, and the checks on loading
(the IDX reader: test_idx.py; floats and batches: test_batching.py)."""
import hashlib

import numpy as np
import pytest

from ministn.data import BUNDLED_DIR, DataError, load_mnist, write_idx

BUNDLED_MD5 = {
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    "train-6000-images-idx3-ubyte.gz": "d57c2673de8bb66000ebc782935a1fe0",
    "train-6000-labels-idx1-ubyte.gz": "f9e52296efdb2bbeeae4fd5771f64e0d",
}


def write_set(directory, train=(20, 28), test=(10, 28), labels=None, gz=True):
    """A small MNIST-format data set of random digits in ``directory``."""
    rng = np.random.default_rng(0)
    ext = ".gz" if gz else ""
    for split, (n, size) in (("train", train), ("t10k", test)):
        write_idx(directory / f"{split}-images-idx3-ubyte{ext}",
                  rng.integers(0, 256, (n, size, size), dtype=np.uint8))
        write_idx(directory / f"{split}-labels-idx1-ubyte{ext}",
                  rng.integers(0, 10, n).astype(np.uint8) if labels is None else labels[split])
    return directory


# ---- the bundled MNIST ---------------------------------------------------------------------
def test_bundled_files_are_the_documented_ones():
    for name, md5 in BUNDLED_MD5.items():
        assert hashlib.md5((BUNDLED_DIR / name).read_bytes()).hexdigest() == md5
    readme = (BUNDLED_DIR / "README.md").read_text()
    assert "CC BY-SA 3.0" in readme and "LeCun" in readme


def test_bundled_mnist_loads_with_the_documented_content():
    mnist = load_mnist(BUNDLED_DIR)
    assert mnist.train_images.shape == (6000, 28, 28) and mnist.test_images.shape == (10000, 28, 28)
    assert mnist.train_images.dtype == np.uint8 and mnist.train_labels.dtype == np.int64
    assert list(mnist.train_labels[:5]) == [5, 0, 4, 1, 9]
    assert list(np.bincount(mnist.train_labels)) == [592, 671, 581, 608, 623, 514, 608, 651, 551, 601]
    assert mnist.source == "bundled MNIST"
    assert load_mnist(BUNDLED_DIR, train_size=100, test_size=50).test_labels.shape == (50,)


def test_default_is_the_bundled_copy_when_the_cache_is_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("MINISTN_DATA", str(tmp_path / "empty"))
    assert load_mnist(train_size=10).source == "bundled MNIST"
    monkeypatch.setenv("MINISTN_DATA", str(write_set(tmp_path)))
    assert load_mnist().source == str(tmp_path)                 # a complete cache wins


# ---- any MNIST-format directory ------------------------------------------------------------
def test_a_directory_of_raw_idx_files_drops_in(tmp_path):
    mnist = load_mnist(write_set(tmp_path, train=(20, 28), test=(10, 28), gz=False))
    assert mnist.train_images.shape == (20, 28, 28) and len(mnist.test_labels) == 10


def test_a_missing_file_is_named(tmp_path):
    write_set(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="lacks the MNIST-format file.*t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        load_mnist(tmp_path / "nope")


def test_labels_that_do_not_match_the_images_are_an_error(tmp_path):
    labels = {"train": np.zeros(19, np.uint8), "t10k": np.zeros(10, np.uint8)}
    with pytest.raises(DataError, match="train labels do not match the images: 20 images but 19"):
        load_mnist(write_set(tmp_path, labels=labels))


def test_labels_outside_the_ten_digits_are_an_error(tmp_path):
    labels = {"train": np.full(20, 10, np.uint8), "t10k": np.zeros(10, np.uint8)}
    with pytest.raises(DataError, match="labels outside 0..9"):
        load_mnist(write_set(tmp_path, labels=labels))


def test_images_of_different_sizes_in_the_two_splits_are_an_error(tmp_path):
    with pytest.raises(DataError, match="training images are"):
        load_mnist(write_set(tmp_path, train=(20, 28), test=(10, 32)))
