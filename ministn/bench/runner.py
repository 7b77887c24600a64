"""Time the registered cases and lay the results out as a table (or JSON rows).

A time is the median of ``repeats`` runs after ``warmup`` runs (the median ignores the odd
slow run caused by other processes); ministn's and PyTorch's runs alternate, so that both
meet the same background load. On the GPU each run ends with a device synchronisation.
Peak memory is what tracemalloc sees during one extra run: NumPy reports its arrays to it,
so it is cheap and exact for ministn on the CPU; PyTorch's allocator is invisible to it.
"""
import statistics
import time
import tracemalloc

from ..backend import synchronize
from .registry import CASES


def _timed(function, sync):
    start = time.perf_counter()
    function()
    sync()
    return time.perf_counter() - start


def median_ms(functions, syncs, warmup, repeats, budget_s=None):
    """Median milliseconds of each function, the runs interleaved (a, b, a, b, ...) so that
    both libraries see the same background load. With ``budget_s``, slow cases get fewer
    timed runs (at least 5), as many as fit in about that many seconds. Returns (times, runs)."""
    for _ in range(warmup):
        for function, sync in zip(functions, syncs):
            _timed(function, sync)
    times = [[] for _ in functions]
    start = time.perf_counter()
    for run in range(repeats):
        for record, function, sync in zip(times, functions, syncs):
            record.append(_timed(function, sync))
        if budget_s is not None and run >= 4 and time.perf_counter() - start > budget_s:
            break
    return [1e3 * statistics.median(record) for record in times], len(times[0])


def peak_mib(function):
    """Peak memory allocated through Python's allocator tracking during one call, in MiB."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run_cases(names, setup, warmup=5, repeats=50, budget_s=None):
    """One dict per case: name, description, ministn_ms, torch_ms, ratio, ministn_peak_mib, runs."""
    torch = setup.torch
    on_gpu = torch is not None and setup.device == "gpu"
    torch_sync = torch.cuda.synchronize if on_gpu else lambda: None
    rows = []
    for name in names:
        description, build = CASES[name]
        ours, theirs = build(setup)
        functions, syncs = [ours], [synchronize]
        if torch is not None and theirs is not None:
            functions, syncs = [ours, theirs], [synchronize, torch_sync]
        times, runs = median_ms(functions, syncs, warmup, repeats, budget_s)
        row = dict(name=name, description=description, ministn_ms=times[0], torch_ms=None,
                   ratio=None, ministn_peak_mib=None, runs=runs)
        if len(times) == 2:
            row["torch_ms"], row["ratio"] = times[1], times[0] / times[1]
        if setup.device == "cpu":
            row["ministn_peak_mib"] = peak_mib(ours)
        rows.append(row)
    return rows


def format_table(rows):
    """A plain-text table: the case names left-aligned, the numbers right-aligned."""
    def number(value, digits):
        return "-" if value is None else f"{value:.{digits}f}"

    header = ("case", "ministn ms", "torch ms", "ratio", "ministn peak MiB")
    lines = [header] + [(r["name"], number(r["ministn_ms"], 3), number(r["torch_ms"], 3),
                         number(r["ratio"], 2), number(r["ministn_peak_mib"], 1)) for r in rows]
    widths = [max(len(cell) for cell in column) for column in zip(*lines)]

    def layout(cells):
        return "  ".join([cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([layout(lines[0]), rule] + [layout(line) for line in lines[1:]])
