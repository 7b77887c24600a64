"""Tiny training runs through the command line (192 images, batches of 32), and what the tests
compare between two of them: the weights, the optimiser's state, the random state, the metrics."""
import json

import numpy as np

from ministn.cli import main
from ministn.training import load_checkpoint

TINY = ["--train-size", "192", "--test-size", "100", "--batch-size", "32", "--no-progress"]
TIMING = ("seconds", "images_per_s")


def train(out, *flags):
    return main(["train", "--out", str(out), *TINY, *flags])


def weights_and_state(out):
    with np.load(out / "checkpoint.npz") as npz:
        arrays = {k: npz[k] for k in npz.files if k != "meta"}
    return arrays, load_checkpoint(out / "checkpoint.npz")["state"]


def metrics(out):
    lines = (out / "metrics.jsonl").read_text().splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in TIMING} for line in lines]


def assert_same_run(a, b):
    arrays_a, state_a = weights_and_state(a)
    arrays_b, state_b = weights_and_state(b)
    assert arrays_a.keys() == arrays_b.keys()
    for key in arrays_a:                                        # weights and optimiser state
        assert np.array_equal(arrays_a[key], arrays_b[key]), key
    assert state_a["rng"] == state_b["rng"] and metrics(a) == metrics(b)


def snapshot(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def one_error_line(capsys, code, expected):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert expected in lines[0], lines[0]
