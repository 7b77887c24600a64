"""python -m ministn addition: quick plumbing, resume bit for bit, the report and its claims."""
import json

from ministn.cli import main
from ministn.data import load_mnist
from ministn.experiments import addition
from ministn.experiments.report import aggregate
from ministn.experiments.runner import run_job, work
from ministn.experiments.table1 import with_epochs


def test_jobs_are_seed_major_over_the_five_models():
    job_list = addition.jobs(2)
    assert [j.seed for j in job_list] == [0] * 5 + [1] * 5
    assert [j.name for j in job_list[:5]] == ["fcn_RTS_s0", "cnn_RTS_s0", "st-fcn-aff_RTS_s0",
                                              "2xst-fcn_RTS_s0", "2xst-cnn_RTS_s0"]
    assert all(j.config(addition.RECIPE)["task"] == "addition" for j in job_list)


def test_quick_run_writes_every_model_the_report_and_the_figure(tmp_path, capsys):
    assert main(["addition", "--quick", "--seeds", "1", "--out", str(tmp_path)]) == 0
    results = sorted((tmp_path / "addition").glob("*.json"))
    assert len(results) == 5
    record = json.loads(results[0].read_text())
    assert record["config"]["task"] == "addition" and record["test_images"] == 100
    md = (tmp_path / "addition.md").read_text()
    for label, paper in (("FCN", "47.7"), ("CNN", "14.7"), ("ST-FCN", "18.5"),
                         ("2xST-FCN", "5.8")):
        assert f"| {label} | " in md and f"| {paper} |" in md
    assert "5 of 5 runs finished" in md and "not yet run" not in md
    assert (tmp_path / "addition_transformers.png").stat().st_size > 0
    mtimes = [p.stat().st_mtime_ns for p in results]
    capsys.readouterr()
    assert main(["addition", "--quick", "--seeds", "1", "--out", str(tmp_path)]) == 0
    assert ": test error" not in capsys.readouterr().out          # nothing retrained
    assert [p.stat().st_mtime_ns for p in results] == mtimes


def test_report_before_any_run_says_not_yet_run(tmp_path):
    assert main(["addition", "--quick", "--report-only", "--out", str(tmp_path)]) == 0
    md = (tmp_path / "addition.md").read_text()
    assert md.count("not yet run") >= 5 and "0 of 15 runs finished" in md
    assert (tmp_path / "addition_transformers.png").stat().st_size > 0


def test_stopped_addition_job_resumes_bit_for_bit(tmp_path):
    recipe = dict(with_epochs(addition.QUICK, 2), train_size=256)
    job, data = addition.jobs(1, ["2xST-FCN"])[0], load_mnist()
    whole = run_job(job, recipe, tmp_path / "a" / "runs", tmp_path / "a" / "results", data,
                    log=lambda line: None)
    calls = {"n": 0}

    def stop_after_five_batches():
        calls["n"] += 1
        return calls["n"] > 5

    runs, results = tmp_path / "b" / "runs", tmp_path / "b" / "results"
    assert run_job(job, recipe, runs, results, data, stop_after_five_batches,
                   log=lambda line: None) is None
    assert work([job], recipe, runs, results, log=lambda line: None) == 1
    resumed = json.loads((results / f"{job.name}.json").read_text())
    assert (resumed["test_error"], resumed["test_loss"]) == (whole["test_error"],
                                                             whole["test_loss"])


def fake(row, errors):
    return [{"row": row, "distortion": "RTS", "test_error": e, "seed": s, "train_seconds": 1.0}
            for s, e in enumerate(errors)]


def test_claims_need_2xst_fcn_lowest_beyond_the_spread_and_fcn_highest():
    records = (fake("FCN", [48, 50]) + fake("CNN", [15, 16]) + fake("ST-FCN", [18, 20])
               + fake("2xST-FCN", [6, 7]))
    verdicts = [holds for _, holds, _ in addition.claims(aggregate(records))]
    assert verdicts == [True, True]
    close = records[:6] + fake("2xST-FCN", [14, 15.5])         # 0.75 lower, spread 1.5
    assert [h for _, h, _ in addition.claims(aggregate(close))] == [False, True]
    partial = fake("FCN", [48])
    assert [h for _, h, _ in addition.claims(aggregate(partial))] == [None, None]
