"""ministn.data: the IDX reader, the bundled MNIST, loading checks, batching."""
import gzip
import hashlib

import numpy as np
import pytest

from ministn.data import (BUNDLED_DIR, DataError, batch_indices, load_mnist, normalize_pixels, read_idx,
                          to_float, write_idx)
from ministn.data.idx import idx_bytes, parse_idx

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


# ---- the IDX format ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip_for_every_element_type(tmp_path, dtype, suffix):
    array = (np.arange(2 * 3 * 5) - 7).astype(dtype).reshape(2, 3, 5)
    write_idx(tmp_path / f"a{suffix}", array)
    back = read_idx(tmp_path / f"a{suffix}")
    assert back.dtype == np.dtype(dtype) and back.shape == (2, 3, 5)
    np.testing.assert_array_equal(back, array)


def test_idx_header_is_big_endian_as_in_the_mnist_spec():
    raw = idx_bytes(np.zeros((60000, 28, 28), np.uint8)[:2])
    assert raw[:16] == bytes.fromhex("00000803" "00000002" "0000001c" "0000001c")


@pytest.mark.parametrize("cut, message", [(2, "too short"), (9, "truncated inside its header"),
                                          (100, "is truncated")])
def test_truncated_idx_is_an_error_naming_the_file(tmp_path, cut, message):
    raw = idx_bytes(np.ones((4, 28, 28), np.uint8))
    (tmp_path / "x.idx").write_bytes(raw[:cut])
    with pytest.raises(DataError, match=f"x.idx.*{message}"):
        read_idx(tmp_path / "x.idx")


def test_idx_with_extra_bytes_or_a_bad_magic_number_is_rejected():
    raw = idx_bytes(np.ones((4, 5), np.uint8))
    with pytest.raises(DataError, match="longer than its header says"):
        parse_idx(raw + b"\x00", "f")
    with pytest.raises(DataError, match="bad magic number 0x00000f02"):
        parse_idx(b"\x00\x00\x0f" + raw[3:], "f")
    with pytest.raises(DataError, match="bad magic number"):
        parse_idx(b"<htm" + raw[4:], "f")


def test_corrupt_gzip_is_an_error_naming_the_file(tmp_path):
    good = gzip.compress(idx_bytes(np.ones((100, 28, 28), np.uint8)))
    (tmp_path / "cut.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError, match="cut.gz is not a valid gzip file"):
        read_idx(tmp_path / "cut.gz")


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read .*nothing"):
        read_idx(tmp_path / "nothing")


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
