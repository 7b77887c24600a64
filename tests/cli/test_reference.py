"""python -m ministn reference OP --in CASE --out RESULT: the shipped worked example reproduces its
result, and a bad case is one error line that writes nothing."""
import os

import numpy as np
import pytest

from ministn.cli import main
from ministn.reference import load_case

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "reference")


@pytest.mark.parametrize("op", ["grid_sample", "affine_grid"])
def test_shipped_worked_example_reproduces_its_result(op, tmp_path, capsys):
    out = tmp_path / "result.npz"
    assert main(["reference", op, "--in", os.path.join(EXAMPLES, f"{op}_case.npz"), "--out", str(out)]) == 0
    assert f"{op}: wrote" in capsys.readouterr().out
    expected = load_case(os.path.join(EXAMPLES, f"{op}_result.npz"))
    result = load_case(out)
    assert sorted(result) == sorted(expected)
    for key in expected:
        np.testing.assert_array_equal(result[key], expected[key], err_msg=key)


def test_cli_error_is_one_line_with_exit_code_2_and_writes_nothing(tmp_path, capsys):
    case, out = tmp_path / "case.npz", tmp_path / "result.npz"
    np.savez(case, input=np.zeros((1, 1, 4, 4)))
    assert main(["reference", "grid_sample", "--in", str(case), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: grid_sample") and "missing key 'grid'" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists() and os.listdir(tmp_path) == ["case.npz"]
    assert main(["reference", "grid_sample", "--in", str(tmp_path / "nope.npz"), "--out", str(out)]) == 2
    assert ": no such file" in capsys.readouterr().err
