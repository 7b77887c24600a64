"""The conv2d rows: registered under their names, and each side runs, on the CPU and on the
device (where fake_cupy refuses any input left on the host)."""
import pytest

import ministn.bench.conv  # noqa: F401  (registers the rows)
from ministn.bench import CASES, Setup

ROWS = ["conv2d train", "conv2d inference"]


@pytest.mark.parametrize("name", ROWS)
def test_the_row_runs_on_each_backend(name, xp):
    device = "cpu" if xp.__name__ == "numpy" else "gpu"
    ours, _ = CASES[name][1](Setup(device, None))
    ours()


@pytest.mark.parametrize("name", ROWS)
def test_both_libraries_run_the_row(name):
    torch = pytest.importorskip("torch")
    ours, theirs = CASES[name][1](Setup("cpu", torch))
    ours(), theirs()
    assert "5x5 kernel, 12x12 input" in CASES[name][0]
