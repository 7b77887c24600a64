"""Time the registered cases, one library at a time.

A time is the median of up to ``repeats`` runs after ``warmup`` untimed ones (the median
ignores the odd slow run caused by other processes). Each library is timed in a block of its
own: every run of ministn's callable, then, after a pause, every run of PyTorch's. Never
alternate them: each library leaves idle threads spinning after its work (OpenBLAS's for about
0.1 s after a matrix product, PyTorch's OpenMP threads after a parallel region), and on a
machine with few cores those spinning threads slow the other library's next run (see "What a
fair comparison needs" in docs/speed.md). On the GPU each run ends with a device synchronisation. Peak memory is what tracemalloc
sees during one extra run of ministn's callable: NumPy reports its arrays to it, so it is exact
for ministn on the CPU; PyTorch's allocator is invisible to it.
"""
import statistics
import time
import tracemalloc

from ..backend import synchronize
from .registry import CASES

PAUSE_S = 0.3  # between two blocks: longer than OpenBLAS's ~0.1 s of spinning after a product
LIBRARIES = ("ministn", "torch")


def _timed(function, sync):
    start = time.perf_counter()
    function()
    sync()
    return time.perf_counter() - start


def median_ms(function, sync, warmup, repeats, budget_s=None):
    """Median milliseconds of ``function`` over its timed runs, and how many there were.

    The warm-up runs are not timed. With ``budget_s``, a slow case gets fewer timed runs (at
    least 5), as many as fit in about that many seconds."""
    for _ in range(warmup):
        _timed(function, sync)
    times, start = [], time.perf_counter()
    for run in range(repeats):
        times.append(_timed(function, sync))
        if budget_s is not None and run >= 4 and time.perf_counter() - start > budget_s:
            break
    return 1e3 * statistics.median(times), len(times)


def peak_mib(function):
    """Peak memory allocated through Python's allocator tracking during one call, in MiB."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def time_cases(names, setup, libraries=LIBRARIES, warmup=5, repeats=50, budget_s=None):
    """{case name: {"ministn_ms", "torch_ms", "ministn_peak_mib", "runs"}} for the libraries
    asked for (PyTorch's entries are None without torch or a PyTorch equivalent)."""
    torch = setup.torch
    torch_sync = torch.cuda.synchronize if torch is not None and setup.device == "gpu" else None
    results, last = {}, None
    for name in names:
        ours, theirs = CASES[name][1](setup)
        row = dict(ministn_ms=None, torch_ms=None, ministn_peak_mib=None, runs=None)
        blocks = [("ministn", ours, synchronize), ("torch", theirs, torch_sync)]
        for library, function, sync in blocks:
            if library not in libraries or function is None or (library == "torch" and torch is None):
                continue
            if last not in (None, library):
                time.sleep(PAUSE_S)  # let the other library's idle threads stop spinning
            last = library
            row[f"{library}_ms"], runs = median_ms(function, sync or (lambda: None), warmup,
                                                   repeats, budget_s)
            row["runs"] = min(runs, row["runs"] or runs)  # the fewer, when a budget cut one short
            if library == "ministn" and setup.device == "cpu":
                row["ministn_peak_mib"] = peak_mib(ours)
        results[name] = row
    return results
