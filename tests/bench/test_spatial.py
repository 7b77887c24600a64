"""The spatial transformer rows: registered under their names, and each side runs, on the CPU and
on the device (where fake_cupy refuses any input left on the host)."""
import pytest

import ministn.bench.spatial  # noqa: F401  (registers the rows)
from ministn.bench import CASES, Setup

MNIST_ROWS = ["stn sample mnist", "stn sample mnist fwd"]
OTHER_SAMPLERS = ["stn sample bicubic", "stn sample 3d"]


def test_every_size_has_a_forward_and_a_training_row():
    names = {name for name in CASES if name.startswith("stn sample")}
    assert names == {"stn sample mnist", "stn sample 16ch", "stn sample mnist fwd", "stn sample 16ch fwd",
                     "stn sample bicubic", "stn sample 3d"}


@pytest.mark.parametrize("name", MNIST_ROWS)
def test_the_row_runs_on_each_backend(name, xp):
    device = "cpu" if xp.__name__ == "numpy" else "gpu"
    ours, _ = CASES[name][1](Setup(device, None))
    ours()


@pytest.mark.parametrize("name", MNIST_ROWS + OTHER_SAMPLERS)
def test_both_libraries_run_the_row(name):
    torch = pytest.importorskip("torch")
    ours, theirs = CASES[name][1](Setup("cpu", torch))
    ours(), theirs()
