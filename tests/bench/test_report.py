"""The benchmark's report: thread rows, the self-check on fake timings, the markdown table.
No timing is asserted here: speed is measured by running the command."""
import pytest

from ministn.bench.report import TOLERANCE, make_rows, markdown, self_check, thread_counts

FACTS = dict(date="2026-12-03 08:00 UTC", machine="Some CPU, 4 cores available", load_before=0.1,
             load_after=0.2, python="3.11", numpy="2.4", torch="2.13", ministn="0.1.0",
             device="cpu", warmup=5, repeats=50)


@pytest.mark.parametrize("cores, expected", [(1, [1, 2]), (2, [1, 2]), (3, [1, 2]),
                                             (4, [1, 2, 4]), (12, [1, 2, 4, 8]),
                                             (16, [1, 2, 4, 8, 16])])
def test_rows_at_one_and_two_threads_and_every_power_of_two_up_to_the_cores(cores, expected):
    assert thread_counts(cores) == expected


@pytest.mark.parametrize("torch_ms, alone_ms, differs", [
    (10.0, 10.0, False), (11.4, 10.0, False), (8.6, 10.0, False),   # within 15%
    (11.6, 10.0, True), (8.4, 10.0, True), (107.6, 8.0, True)])      # the old alternation
def test_self_check_flags_a_pytorch_column_more_than_15_percent_off(torch_ms, alone_ms, differs):
    difference, flagged = self_check(torch_ms, alone_ms)
    assert difference == pytest.approx(torch_ms / alone_ms - 1)
    assert flagged is differs
    assert TOLERANCE == 0.15


def test_self_check_without_a_second_timing_flags_nothing():
    assert self_check(10.0, None) == (None, False)
    assert self_check(None, 10.0) == (None, False)


def _fake(ministn_ms, torch_ms):
    return dict(ministn_ms=ministn_ms, torch_ms=torch_ms, ministn_peak_mib=3.0, runs=50)


def test_rows_carry_both_pytorch_times_the_ratio_and_the_check():
    cases = {"a": "case a", "b": "case b"}
    main = {"a": _fake(12.0, 8.0), "b": _fake(30.0, 100.0)}
    alone = {"a": _fake(None, 8.4), "b": _fake(None, 10.0)}
    a, b = make_rows(cases, 2, main, alone)
    assert (a["name"], a["threads"], a["ratio"], a["torch_alone_ms"]) == ("a", 2, 1.5, 8.4)
    assert not a["torch_differs"] and b["torch_differs"]
    assert b["ratio"] == pytest.approx(0.3)
    without_torch = make_rows({"a": "case a"}, 1, {"a": _fake(12.0, None)}, None)[0]
    assert without_torch["ratio"] is None and without_torch["torch_differs"] is False


def test_markdown_is_a_table_with_date_machine_versions_and_says_which_rows_differ():
    cases = {"st-cnn train 64": "step", "stn sample 16ch": "sampler"}
    rows = (make_rows(cases, 1, {"st-cnn train 64": _fake(9.0, 10.0), "stn sample 16ch": _fake(30.0, 10.0)},
                      {"st-cnn train 64": _fake(None, 10.5), "stn sample 16ch": _fake(None, 20.0)})
            + make_rows(cases, 2, {"st-cnn train 64": _fake(6.0, 5.0), "stn sample 16ch": _fake(20.0, 6.0)},
                        {"st-cnn train 64": _fake(None, 5.0), "stn sample 16ch": _fake(None, 6.2)}))
    text = markdown(rows, FACTS)
    for fact in ("2026-12-03 08:00 UTC", "Some CPU, 4 cores available", "NumPy 2.4", "PyTorch 2.13",
                 "ministn 0.1.0", "load average 0.1"):
        assert fact in text
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table[0] == "| case | threads | ministn ms | PyTorch ms | ratio | PyTorch alone ms | check |"
    assert len(table) == 2 + len(rows)
    assert all(line.count("|") == 8 for line in table)
    assert table[2] == "| st-cnn train 64 | 1 | 9.00 | 10.00 | 0.90 | 10.50 | agrees (-5%) |"
    assert "| stn sample 16ch | 1 | 30.00 | 10.00 | 3.00 | 20.00 | **differs** (-50%) |" in table
    assert text.splitlines()[-1].startswith("The PyTorch column differs from PyTorch alone")
    assert "stn sample 16ch at 1 thread(s)" in text.splitlines()[-1]
    assert "at 2 thread(s)" not in text.splitlines()[-1]


def test_markdown_says_nothing_differs_when_all_agree():
    rows = make_rows({"a": "case a"}, 1, {"a": _fake(1.0, 1.0)}, {"a": _fake(None, 1.0)})
    assert "differs" not in markdown(rows, FACTS)
