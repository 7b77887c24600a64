"""python -m ministn show: a checkpoint's transformer drawn to a PNG, and a file that is not a
checkpoint refused in one line."""
from ministn.cli import main

from tiny_runs import one_error_line


def test_show_a_checkpoint(reference_run, tmp_path):
    checkpoint = reference_run / "checkpoint.npz"
    assert main(["show", "--checkpoint", str(checkpoint), "--out", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path, capsys):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    one_error_line(capsys, main(["show", "--checkpoint", str(tmp_path / "junk.npz")]),
                   "is not an .npz file")
