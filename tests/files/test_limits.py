"""check_array_bytes: exact sizes in Python ints, and a refusal that says how to raise it."""
import numpy as np
import pytest

from ministn.errors import MinistnError
from ministn.files import MAX_BYTES_DEFAULT, SizeError, check_array_bytes, format_bytes


def test_size_of_a_huge_grid_is_refused_before_allocating():
    with pytest.raises(SizeError) as caught:
        check_array_bytes((100000, 100000, 100000, 2), np.float64,
                          "size (100000, 1, 100000, 100000)", purpose="the grid")
    assert str(caught.value) == ("size (100000, 1, 100000, 100000) needs 14.2 PB for the grid "
                                 "(limit 2048 MB; raise it with --max-mb)")
    assert isinstance(caught.value, MinistnError)


def test_bytes_are_exact_and_do_not_overflow():
    assert check_array_bytes((64, 1, 28, 28), "float32", "input") == 64 * 28 * 28 * 4
    huge = (2**30, 2**30, 2**10)    # its int64 product, 2**70, would wrap around to 0
    with pytest.raises(SizeError, match=r"^theta needs 8192.0 EB \(limit 1 MB;"):
        check_array_bytes(huge, "float64", "theta", max_bytes=2**20)


def test_the_limit_itself_is_allowed():
    assert check_array_bytes((MAX_BYTES_DEFAULT // 8,), "float64", "U") == MAX_BYTES_DEFAULT
    with pytest.raises(SizeError):
        check_array_bytes((MAX_BYTES_DEFAULT // 8 + 1,), "float64", "U")


def test_empty_and_scalar_shapes():
    assert check_array_bytes((0, 10**30), "float64", "x") == 0
    assert check_array_bytes((), "complex128", "x") == 16


def test_negative_dimension_is_refused():
    with pytest.raises(SizeError, match=r"^size: negative dimension in \(2, -1\)$"):
        check_array_bytes((2, -1), "float64", "size")


@pytest.mark.parametrize("n, text", [(0, "0 bytes"), (1023, "1023 bytes"), (1024, "1.0 KB"),
                                     (1536 * 2**10, "1.5 MB"), (2 * 2**30, "2.0 GB"),
                                     (29 * 2**40, "29.0 TB")])
def test_format_bytes(n, text):
    assert format_bytes(n) == text
