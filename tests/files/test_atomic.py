"""write_atomically: the new file appears whole or not at all, and never leaves temporaries."""
import os
import stat

import numpy as np
import pytest

from ministn.errors import MinistnError
from ministn.files import FileError, read_npz, write_atomically


def listing(folder):
    return sorted(os.listdir(folder))


def test_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "result.npz"
    target.write_bytes(b"old")
    with write_atomically(target) as f:
        np.savez(f, a=np.arange(3.0))
        assert target.read_bytes() == b"old"    # not yet renamed into place
    assert np.array_equal(read_npz(target)["a"], np.arange(3.0))
    assert listing(tmp_path) == ["result.npz"]


def test_text_mode_writes_utf8(tmp_path):
    with write_atomically(tmp_path / "log.txt", "w") as f:
        f.write("θ = 0.5\n")
    assert (tmp_path / "log.txt").read_bytes() == "θ = 0.5\n".encode("utf-8")


@pytest.mark.parametrize("failure", [ValueError, KeyboardInterrupt])
def test_failure_inside_the_block_keeps_the_old_file_and_no_temporary(tmp_path, failure):
    target = tmp_path / "checkpoint.npz"
    target.write_bytes(b"old content")
    with pytest.raises(failure):
        with write_atomically(target) as f:
            f.write(b"half of the new")
            raise failure("stopped halfway")
    assert target.read_bytes() == b"old content"
    assert listing(tmp_path) == ["checkpoint.npz"]


def test_failure_before_the_first_write_leaves_no_file(tmp_path):
    with pytest.raises(RuntimeError):
        with write_atomically(tmp_path / "new.npz"):
            raise RuntimeError("nothing written")
    assert listing(tmp_path) == []


def test_writing_into_a_missing_folder_is_one_line(tmp_path):
    target = tmp_path / "missing" / "result.npz"
    with pytest.raises(FileError, match=r"^cannot write result \S+result.npz: no such file "
                                        r"or directory$") as caught:
        with write_atomically(target, what="result"):
            pytest.fail("the block must not run")
    assert isinstance(caught.value, MinistnError) and "\n" not in str(caught.value)
    assert not target.parent.exists()


def test_writing_over_a_directory_is_a_file_error(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(FileError, match=r"^cannot write output \S+out: is a directory$"):
        with write_atomically(tmp_path / "out") as f:
            f.write(b"data")
    assert listing(tmp_path) == ["out"]


def test_new_file_gets_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        with write_atomically(tmp_path / "a.bin") as f:
            f.write(b"x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "a.bin").stat().st_mode) == 0o644    # not mkstemp's 0600
