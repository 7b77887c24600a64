"""Timing the registered cases: runs interleaved between the libraries, a budget that cuts the
slow cases short, a row per case, and the table laid out (no time is asserted: only counts)."""
import numpy as np
import pytest

from ministn.bench import CASES, Setup, case
from ministn.bench.runner import format_table, median_ms, peak_mib, run_cases


def test_runs_alternate_between_the_libraries_after_the_warm_up():
    calls = []
    times, runs = median_ms([lambda: calls.append("a"), lambda: calls.append("b")],
                            [lambda: calls.append("sync a"), lambda: calls.append("sync b")],
                            warmup=1, repeats=3)
    assert calls == ["a", "sync a", "b", "sync b"] * 4             # one warm-up, three timed
    assert runs == 3 and len(times) == 2 and all(t >= 0 for t in times)


def test_a_spent_budget_stops_after_five_runs():
    calls = []
    _, runs = median_ms([lambda: calls.append(1)], [lambda: None], warmup=0, repeats=50, budget_s=0)
    assert runs == 5 and len(calls) == 5


def test_peak_memory_sees_a_numpy_array():
    assert peak_mib(lambda: np.ones(2**20)) >= 7.9                  # 8 MiB of float64


@pytest.fixture
def test_case():
    name, calls = "test-only runner case", []

    @case(name, "a case of the tests")
    def build(setup):
        return (lambda: calls.append("ours")), (lambda: calls.append("theirs"))
    yield name, calls
    del CASES[name]


def test_without_torch_a_row_times_ministn_alone(test_case):
    name, calls = test_case
    [row] = run_cases([name], Setup("cpu", None), warmup=0, repeats=2)
    assert row["name"] == name and row["description"] == "a case of the tests" and row["runs"] == 2
    assert row["torch_ms"] is None and row["ratio"] is None and row["ministn_peak_mib"] >= 0
    assert set(calls) == {"ours"}


def test_with_torch_a_row_has_both_times_and_their_ratio(test_case):
    torch = pytest.importorskip("torch")
    name, calls = test_case
    [row] = run_cases([name], Setup("cpu", torch), warmup=0, repeats=2)
    assert calls[:4] == ["ours", "theirs", "ours", "theirs"]
    assert row["ratio"] == pytest.approx(row["ministn_ms"] / row["torch_ms"])


def test_the_table_aligns_names_left_numbers_right_and_marks_what_is_missing():
    rows = [dict(name="conv2d train", ministn_ms=12.3456, torch_ms=None, ratio=None, ministn_peak_mib=3.21),
            dict(name="x", ministn_ms=1.0, torch_ms=2.0, ratio=0.5, ministn_peak_mib=None)]
    lines = format_table(rows).splitlines()
    assert lines[0].startswith("case          ministn ms") and set(lines[1]) == {"-", " "}
    assert lines[2].startswith("conv2d train") and lines[2].endswith("3.2")
    assert lines[2].split()[2:] == ["12.346", "-", "-", "3.2"]
    assert lines[3].split() == ["x", "1.000", "2.000", "0.50", "-"]
    assert len({len(line) for line in lines}) == 1                   # every line as wide
