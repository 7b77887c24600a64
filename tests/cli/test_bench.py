"""python -m ministn bench runs every registered case and reports both libraries (smoke test
only: speed itself is measured by running the command, never asserted in a test)."""
import json

import pytest

from ministn.backend import gpu_available
from ministn.cli import main


def test_bench_writes_a_row_per_case_with_times_and_ratio(tmp_path, capsys):
    pytest.importorskip("torch")
    out = tmp_path / "bench.json"
    assert main(["bench", "--repeats", "1", "--warmup", "0", "--threads", "1", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["threads"] == [1] and report["device"] == "cpu"
    assert report["cpu"] and report["cores"] >= 1 and report["allocator_tuned"] in (True, False)
    assert {"conv2d train", "conv2d inference"} <= {row["name"] for row in report["cases"]}
    for row in report["cases"]:
        assert row["ministn_ms"] > 0 and row["torch_ms"] > 0
        assert row["ratio"] == pytest.approx(row["ministn_ms"] / row["torch_ms"])
        assert row["ministn_peak_mib"] > 0 and row["runs"] == 1
    assert "conv2d train" in capsys.readouterr().out


def test_bench_without_torch_times_ministn_alone(capsys):
    assert main(["bench", "--no-torch", "--case", "conv2d inference", "--repeats", "1", "--warmup", "0"]) == 0
    table = capsys.readouterr().out
    assert "conv2d inference" in table and "conv2d train" not in table


def test_bench_rejects_an_unknown_case(capsys):
    assert main(["bench", "--case", "no such case"]) == 2
    assert "unknown case 'no such case'" in capsys.readouterr().err


@pytest.mark.skipif(gpu_available(), reason="a GPU is present")
def test_bench_on_gpu_without_cupy_skips_with_a_message(capsys):
    assert main(["bench", "--device", "gpu"]) == 0
    assert "needs CuPy and a CUDA device" in capsys.readouterr().err
