"""The bench command's orchestration on fake timings (no process started, nothing timed): one
main process per thread count, the PyTorch-alone check beside it, the table and the JSON."""
import json

import pytest

import ministn.cli.bench as command
from ministn.cli import main

FAKE_TORCH_ALONE_MS = {1: 10.0, 2: 5.0}


@pytest.fixture
def jobs(monkeypatch):
    """Replace the child processes: record each job, answer with fake timings."""
    pytest.importorskip("torch")
    started = []

    def fake_process(job):
        started.append(job)
        n = job["threads"]
        results = {name: dict(ministn_ms=20.0 / n if "ministn" in job["libraries"] else None,
                              torch_ms=(8.0 if n == 2 else 10.0) if "torch" in job["libraries"] else None,
                              ministn_peak_mib=1.0, runs=3) for name in job["names"]}
        if job["libraries"] == ["torch"]:  # the check: PyTorch alone
            for row in results.values():
                row["torch_ms"] = FAKE_TORCH_ALONE_MS[n]
        seen = dict(ministn=n, torch=n, allocator_tuned=True)
        return dict(results=results, seen=seen)

    monkeypatch.setattr(command, "run_in_process", fake_process)
    return started


def test_each_thread_count_gets_a_main_process_and_a_pytorch_alone_check(jobs, tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", "--threads", "1,2", "--case", "conv2d train", "--case", "conv2d train",
                 "--json", str(out)]) == 0
    assert [(j["threads"], j["libraries"]) for j in jobs] == [
        (1, ["ministn", "torch"]), (1, ["torch"]), (2, ["ministn", "torch"]), (2, ["torch"])]
    assert all(j["names"] == ["conv2d train"] for j in jobs)
    table = capsys.readouterr().out
    assert "| conv2d train | 1 | 20.00 | 10.00 | 2.00 | 10.00 | agrees (+0%) |" in table
    assert "| conv2d train | 2 | 10.00 | 8.00 | 1.25 | 5.00 | **differs** (+60%) |" in table
    assert "differs from PyTorch alone by more than 15% on: conv2d train at 2 thread(s)" in table
    report = json.loads(out.read_text())
    assert report["threads"] == [1, 2] and report["allocator_tuned"] is True
    assert [row["torch_differs"] for row in report["cases"]] == [False, True]
    assert [s["threads"] for s in report["thread_settings_seen"]] == [1, 2]


def test_no_check_and_no_torch_start_only_the_main_processes(jobs, capsys):
    assert main(["bench", "--threads", "2", "--case", "conv2d train", "--no-check"]) == 0
    assert main(["bench", "--threads", "2", "--case", "conv2d train", "--no-torch"]) == 0
    assert [j["libraries"] for j in jobs] == [["ministn", "torch"], ["ministn"]]


@pytest.mark.parametrize("threads", ["0", "two", "1,,2", "-1"])
def test_bad_thread_counts_are_one_clear_error(threads, capsys):
    assert main(["bench", "--threads", threads]) == 2
    assert "--threads must be whole numbers >= 1" in capsys.readouterr().err
