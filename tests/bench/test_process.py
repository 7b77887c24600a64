"""Each block of the benchmark runs in a process of its own with every thread setting pinned:
the child reports the settings it saw, so the pinning is checked, not assumed."""
import pytest

from ministn.bench.process import THREAD_VARIABLES, pinned_environment, run_in_process
from ministn.errors import MinistnError

JOB = dict(names=["conv2d inference"], device="cpu", warmup=0, repeats=1, budget_s=None)


def test_the_environment_pins_every_thread_variable_and_finds_this_ministn():
    env = pinned_environment(3, base={"PYTHONPATH": "/elsewhere", "HOME": "/home/x"})
    assert all(env[name] == "3" for name in THREAD_VARIABLES)
    assert {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
            "MINISTN_NUM_THREADS"} <= set(THREAD_VARIABLES)
    assert env["PYTHONPATH"].endswith("/elsewhere") and env["HOME"] == "/home/x"


@pytest.mark.parametrize("threads", [1, 2])
def test_a_child_times_ministn_alone_with_its_threads_pinned(threads):
    report = run_in_process(dict(JOB, threads=threads, libraries=["ministn"]))
    row = report["results"]["conv2d inference"]
    assert row["ministn_ms"] > 0 and row["torch_ms"] is None and row["runs"] == 1
    seen = report["seen"]
    assert seen["ministn"] == threads and seen["torch"] is None
    assert all(seen[name] == str(threads) for name in THREAD_VARIABLES)
    assert seen["allocator_tuned"] in (True, False)


def test_a_child_pins_pytorch_too_and_can_time_it_alone():
    pytest.importorskip("torch")
    report = run_in_process(dict(JOB, threads=2, libraries=["torch"]))
    row = report["results"]["conv2d inference"]
    assert row["torch_ms"] > 0 and row["ministn_ms"] is None
    assert report["seen"]["torch"] == 2


def test_a_failing_child_is_one_clear_error():
    with pytest.raises(MinistnError, match="a benchmark process failed.*KeyError"):
        run_in_process(dict(JOB, names=["no such case"], threads=1, libraries=["ministn"]))
