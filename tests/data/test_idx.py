"""The IDX format (MNIST's files): round trips for every element type, the big-endian header,
and every damaged file an error that names it."""
import gzip

import numpy as np
import pytest

from ministn.data import DataError, read_idx, write_idx
from ministn.data.idx import idx_bytes, parse_idx


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
