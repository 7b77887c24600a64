"""check_output refuses bad outputs before any work; read_bytes/read_text fail as one line."""
import os

import pytest

import ministn.files.paths as paths_module
from ministn.errors import MinistnError
from ministn.files import FileError, check_output, read_bytes, read_text

not_root = pytest.mark.skipif(getattr(os, "geteuid", lambda: 1)() == 0,
                              reason="root may write and read anything")


def refused(call, pattern):
    """The one-line FileError that ``call()`` raises, checked against ``pattern``."""
    with pytest.raises(FileError, match=pattern) as caught:
        call()
    assert isinstance(caught.value, MinistnError) and "\n" not in str(caught.value)
    return str(caught.value)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder holding one input file, 'case.npz'."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "case.npz").write_bytes(b"input")
    return tmp_path


# ---- check_output ---------------------------------------------------------------------

def test_output_that_is_the_input_is_refused(in_tmp):
    assert refused(lambda: check_output("case.npz", ["case.npz"]),
                   r"^--out case.npz is the input file; choose another name$")


@pytest.mark.parametrize("spelling", ["./case.npz", "sub/../case.npz", "link.npz", "hard.npz"])
def test_output_that_is_the_input_under_another_name_is_refused(in_tmp, spelling):
    (in_tmp / "sub").mkdir()
    (in_tmp / "link.npz").symlink_to("case.npz")
    os.link("case.npz", "hard.npz")
    refused(lambda: check_output(spelling, ["case.npz"]),
            rf"^--out {spelling} is the input file case.npz; choose another name$")


def test_output_equal_to_a_missing_input_is_refused(in_tmp):
    refused(lambda: check_output("new.npz", ["x.npz", "./new.npz"]), r"is the input file")


def test_good_output_is_returned_and_nothing_is_left_behind(in_tmp):
    before = sorted(os.listdir(in_tmp))
    assert check_output("result.npz", ["case.npz"]) == paths_module.Path("result.npz")
    (in_tmp / "old.npz").write_bytes(b"old")
    assert check_output("old.npz", ["case.npz"]).name == "old.npz"    # may be replaced
    assert sorted(os.listdir(in_tmp)) == sorted(before + ["old.npz"])


def test_output_that_is_a_directory_is_refused(in_tmp):
    (in_tmp / "runs").mkdir()
    refused(lambda: check_output("runs"), r"^--out runs is a directory; give a file name$")


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_output_that_is_a_device_is_refused():
    refused(lambda: check_output("/dev/null", what="--result"),
            r"^--result /dev/null exists and is not a regular file")


def test_output_in_a_missing_folder_is_refused(in_tmp):
    refused(lambda: check_output("missing/result.npz"),
            r"^--out missing/result.npz: folder missing does not exist$")


def test_output_under_a_file_is_refused(in_tmp):
    refused(lambda: check_output("case.npz/result.npz"),
            r"^--out case.npz/result.npz: case.npz is not a folder$")


@not_root
def test_output_in_a_read_only_folder_is_refused(in_tmp):
    (in_tmp / "ro").mkdir(mode=0o500)
    refused(lambda: check_output("ro/result.npz"),
            r"^--out ro/result.npz: cannot write in folder ro \(permission denied\)$")


def test_output_where_creating_a_file_fails_is_refused(in_tmp, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(30, "Read-only file system")
    monkeypatch.setattr(paths_module.tempfile, "mkstemp", refuse)
    refused(lambda: check_output("result.npz"),
            r"^--out result.npz: cannot write in folder \. \(read-only file system\)$")


# ---- read_bytes / read_text -----------------------------------------------------------

def test_read_bytes_and_text_return_the_content(in_tmp):
    (in_tmp / "c.json").write_text('{"lr": 0.01} é', encoding="utf-8")
    assert read_bytes("case.npz") == b"input"
    assert read_text("c.json", "config") == '{"lr": 0.01} é'


@pytest.mark.parametrize("name, pattern", [
    ("nope.json", r"^config nope.json: no such file$"),
    ("case.npz/x.json", r"^config case.npz/x.json: no such file \(a folder in the path"),
    (".", r"^config \.: is a directory$"),
])
def test_read_text_of_a_missing_file_or_directory_is_refused(in_tmp, name, pattern):
    refused(lambda: read_text(name, "config"), pattern)


def test_read_text_of_binary_data_is_refused(in_tmp):
    (in_tmp / "bin.json").write_bytes(b"ab\xffcd")
    refused(lambda: read_text("bin.json", "config"),
            r"^config bin.json: is not UTF-8 text \(byte 0xff at offset 2\)$")


def test_read_bytes_over_the_limit_is_refused(in_tmp):
    refused(lambda: read_bytes("case.npz", "data", max_bytes=4),
            r"^data case.npz: is 5 bytes \(limit \S+ MB; raise it with --max-mb\)$")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_read_bytes_of_a_pipe_is_refused_without_blocking(in_tmp):
    os.mkfifo("pipe")
    refused(lambda: read_bytes("pipe"), r"^file pipe: is not a regular file$")


@not_root
def test_read_bytes_of_an_unreadable_file_is_refused(in_tmp):
    (in_tmp / "case.npz").chmod(0)
    refused(lambda: read_bytes("case.npz"), r"^file case.npz: permission denied$")


def test_read_bytes_permission_error_becomes_file_error(in_tmp, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(paths_module, "open", refuse, raising=False)
    refused(lambda: read_bytes("case.npz"), r"^file case.npz: permission denied$")


def test_a_file_descriptor_is_not_a_path():
    with pytest.raises(TypeError):
        read_bytes(0)    # os.stat(0) would describe standard input
