"""The Table 1 runner: a stopped job resumes bit for bit (tiny data, two epochs)."""
import json

from ministn.data import load_mnist
from ministn.experiments import QUICK, Job
from ministn.experiments.runner import run_job, work
from ministn.experiments.table1 import with_epochs


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


def test_a_result_predating_a_recipe_field_counts_as_its_default():
    from ministn.experiments.runner import matching, trained_with
    old = {"epochs": 40, "lr": 1e-3}                     # written before localisation_lr_factor
    assert trained_with(old, {"epochs": 40, "localisation_lr_factor": 1.0})
    assert not trained_with(old, {"epochs": 40, "localisation_lr_factor": 0.1})
    assert not trained_with(old, {"epochs": 400, "localisation_lr_factor": 1.0})
    records = [{"config": old}, {"config": dict(old, localisation_lr_factor=0.1)}]
    assert matching(records, {"localisation_lr_factor": 0.1}) == records[1:]
