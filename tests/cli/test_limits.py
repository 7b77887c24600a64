"""--max-mb, shared by the commands that read .npz files: megabytes to bytes, checked."""
import argparse

import pytest

from ministn.cli.limits import add_max_mb, max_bytes
from ministn.errors import MinistnError
from ministn.files import MAX_BYTES_DEFAULT


def parse(*argv):
    parser = argparse.ArgumentParser()
    add_max_mb(parser)
    return parser.parse_args(argv)


def test_the_default_is_the_file_layers_limit():
    assert max_bytes(parse()) == MAX_BYTES_DEFAULT


def test_megabytes_become_bytes():
    assert max_bytes(parse("--max-mb", "1.5")) == 3 * 2**19
    assert max_bytes(parse("--max-mb", "1e300")) == 2**70             # capped, still an int


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_a_limit_that_is_not_a_positive_number_is_one_line(value):
    with pytest.raises(MinistnError, match=r"--max-mb must be a positive number, got"):
        max_bytes(parse("--max-mb", value))
