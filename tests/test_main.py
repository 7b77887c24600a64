"""``python -m ministn``: the entry point runs the command line in a fresh interpreter."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", "ministn", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_help_lists_every_command():
    from ministn.cli import COMMANDS
    result = run("--help")
    assert result.returncode == 0
    assert all(name in result.stdout for name in COMMANDS)


def test_a_user_error_is_one_line_and_status_2(tmp_path):
    result = run("reference", "grid_sample", "--in", str(tmp_path / "missing.npz"),
                 "--out", str(tmp_path / "r.npz"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
