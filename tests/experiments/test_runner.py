"""Table 1 runner: plumbing only (tiny data, one epoch), resumability, and the bars' logic."""
import json

import pytest

from ministn.experiments import QUICK, ROWS, Job, jobs
from ministn.cli import main
from ministn.experiments.report import aggregate, check_bars
from ministn.experiments.runner import run_job, work
from ministn.experiments.table1 import with_epochs
from ministn.data import load_mnist


def test_jobs_are_seed_major_and_cover_the_table():
    job_list = jobs(2)
    assert len(job_list) == 2 * 8 * 4
    assert [j.seed for j in job_list] == [0] * 32 + [1] * 32
    assert len({j.cell for j in job_list}) == 32
    assert Job("ST-CNN TPS", "st-cnn", "tps", "E", 1).name == "st-cnn-tps_E_s1"


def test_quick_run_writes_every_cell_table_and_figures(tmp_path, capsys):
    assert main(["table1", "--quick", "--seeds", "1", "--out", str(tmp_path)]) == 0
    results = sorted((tmp_path / "table1").glob("*.json"))
    assert len(results) == 32
    record = json.loads(results[0].read_text())
    assert record["config"]["epochs"] == 1 and record["test_images"] == QUICK["test_size"]
    assert 0 <= record["test_error"] <= 100
    md = (tmp_path / "table1.md").read_text()
    for label, _, _ in ROWS:
        assert f"| {label} |" in md
    assert "32 of 32 runs" in md
    assert (tmp_path / "table1.png").stat().st_size > 0
    assert (tmp_path / "table1_transformers.png").stat().st_size > 0
    mtimes = [p.stat().st_mtime_ns for p in results]
    capsys.readouterr()
    main(["table1", "--quick", "--seeds", "1", "--out", str(tmp_path)])   # nothing to retrain
    assert "test error" not in capsys.readouterr().out
    assert [p.stat().st_mtime_ns for p in results] == mtimes


def test_stopped_job_resumes_bit_for_bit(tmp_path):
    recipe = dict(with_epochs(QUICK, 2), train_size=256)
    job, data = Job("FCN", "fcn", "affine", "P", 0), load_mnist()
    whole = run_job(job, recipe, tmp_path / "a" / "runs", tmp_path / "a" / "results", data,
                    log=lambda line: None)
    calls = {"n": 0}

    def stop_after_five_batches():
        calls["n"] += 1
        return calls["n"] > 5

    runs, results = tmp_path / "b" / "runs", tmp_path / "b" / "results"
    assert run_job(job, recipe, runs, results, data, stop_after_five_batches,
                   log=lambda line: None) is None
    assert (runs / job.name / "checkpoint.npz").is_file() and not list(results.glob("*.json"))
    lines = []
    assert work([job], recipe, runs, results, log=lines.append) == 1
    assert any("continuing after epoch 1 and 1 batch of epoch 2" in line for line in lines)
    resumed = json.loads((results / f"{job.name}.json").read_text())
    assert resumed["test_error"] == whole["test_error"]
    assert resumed["test_loss"] == whole["test_loss"]


def test_two_workers_share_the_jobs(tmp_path):
    main(["table1", "--quick", "--seeds", "2", "--workers", "2", "--rows", "FCN",
          "--distortions", "R", "E", "--out", str(tmp_path)])
    names = sorted(p.stem for p in (tmp_path / "table1").glob("*.json"))
    assert names == ["fcn_E_s0", "fcn_E_s1", "fcn_R_s0", "fcn_R_s1"]


def fake(row, distortion, errors):
    return [{"row": row, "distortion": distortion, "test_error": e, "seed": s,
             "train_seconds": 1.0} for s, e in enumerate(errors)]


def test_bars_need_a_margin_beyond_the_spread():
    records = []
    for d in ("R", "RTS", "P", "E"):
        records += fake("CNN", d, [3.0, 3.2]) + fake("ST-CNN Aff", d, [2.0, 2.1])
        records += fake("FCN", d, [5.0, 5.4]) + fake("ST-FCN TPS", d, [4.8, 5.3])
    holds = {claim: verdict for claim, verdict, _ in check_bars(aggregate(records))}
    assert holds["ST-CNN (best transform) beats CNN by more than the seed spread on every "
                 "distortion"] is True
    # ST-FCN is lower by 0.15 on average but the seeds spread by 0.5: not beyond the spread
    assert holds["ST-FCN (best transform) beats FCN by more than the seed spread on every "
                 "distortion"] is False
    one_seed = fake("CNN", "R", [3.0]) + fake("ST-CNN Aff", "R", [2.0])
    verdict = check_bars(aggregate(one_seed))[0][1]
    assert verdict is None
