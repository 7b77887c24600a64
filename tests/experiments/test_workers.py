"""Workers: each takes the unfinished, unclaimed jobs in turn, so that two of them share the
table and one stops after max_jobs (plumbing only: tiny data, one epoch)."""
import json
import signal

from ministn.cli import main
from ministn.experiments import QUICK, Job
from ministn.experiments.workers import run_workers


def test_two_workers_share_the_jobs(tmp_path):
    main(["table1", "--quick", "--seeds", "2", "--workers", "2", "--rows", "FCN",
          "--distortions", "R", "E", "--out", str(tmp_path)])
    names = sorted(p.stem for p in (tmp_path / "table1").glob("*.json"))
    assert names == ["fcn_E_s0", "fcn_E_s1", "fcn_R_s0", "fcn_R_s1"]




def test_one_worker_runs_max_jobs_and_reports_each_result(tmp_path):
    job_list = [Job("FCN", "fcn", "affine", d, 0) for d in ("R", "E")]
    seen, handlers = [], {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        done = run_workers(1, job_list, QUICK, tmp_path / "runs", tmp_path / "results",
                           max_jobs=1, on_result=seen.append)
    finally:                                   # the worker ran here and installed its handlers
        for s, handler in handlers.items():
            signal.signal(s, handler)
    assert done == 1 and [r["distortion"] for r in seen] == ["R"]
    written = json.loads((tmp_path / "results" / "fcn_R_s0.json").read_text())
    assert written["test_error"] == seen[0]["test_error"]
    assert not (tmp_path / "results" / "fcn_E_s0.json").exists()
