"""Timing the registered cases: each library in a block of its own (never alternating), warm-up
runs untimed, a budget that cuts slow cases short, a pause only where the library changes (no
time is asserted: only calls and counts)."""
import numpy as np
import pytest

from ministn.bench import CASES, Setup, case
from ministn.bench import runner
from ministn.bench.runner import median_ms, peak_mib, time_cases


def test_warm_up_runs_come_first_then_the_timed_runs_each_synchronised():
    calls = []
    ms, runs = median_ms(lambda: calls.append("run"), lambda: calls.append("sync"), warmup=2, repeats=3)
    assert calls == ["run", "sync"] * 5 and runs == 3 and ms >= 0


def test_a_spent_budget_stops_after_five_runs():
    calls = []
    _, runs = median_ms(lambda: calls.append(1), lambda: None, warmup=0, repeats=50, budget_s=0)
    assert runs == 5 and len(calls) == 5


def test_peak_memory_sees_a_numpy_array():
    assert peak_mib(lambda: np.ones(2**20)) >= 7.9                  # 8 MiB of float64


@pytest.fixture
def two_cases(monkeypatch):
    calls = []
    monkeypatch.setattr(runner.time, "sleep", lambda s: calls.append("pause"))
    names = ["test-only case a", "test-only case b"]
    for name in names:
        case(name, "a case of the tests")(
            lambda setup, name=name: (lambda: calls.append(("ministn", name)),
                                      lambda: calls.append(("torch", name))))
    yield names, calls
    for name in names:
        del CASES[name]


def test_each_library_runs_in_a_block_of_its_own_with_a_pause_between_libraries(two_cases):
    torch = pytest.importorskip("torch")
    names, calls = two_cases
    results = time_cases(names, Setup("cpu", torch), warmup=1, repeats=2)
    a, b = (("ministn", names[0]), ("torch", names[0])), (("ministn", names[1]), ("torch", names[1]))
    # per case: warm-up + 2 timed + 1 for peak memory of ministn, then a pause, then torch's 3
    assert calls == ([a[0]] * 4 + ["pause"] + [a[1]] * 3 + ["pause"]
                     + [b[0]] * 4 + ["pause"] + [b[1]] * 3)
    for name in names:
        row = results[name]
        assert row["ministn_ms"] >= 0 and row["torch_ms"] >= 0 and row["runs"] == 2


def test_one_library_alone_never_pauses_and_leaves_the_other_column_empty(two_cases):
    torch = pytest.importorskip("torch")
    names, calls = two_cases
    results = time_cases(names, Setup("cpu", torch), libraries=["torch"], warmup=0, repeats=2)
    assert calls == [("torch", names[0])] * 2 + [("torch", names[1])] * 2
    assert all(r["ministn_ms"] is None and r["ministn_peak_mib"] is None for r in results.values())


def test_without_torch_only_ministn_is_timed(two_cases):
    names, calls = two_cases
    results = time_cases(names[:1], Setup("cpu", None), warmup=0, repeats=1)
    assert {c for c in calls} == {("ministn", names[0])}
    assert results[names[0]]["torch_ms"] is None and results[names[0]]["ministn_peak_mib"] >= 0
