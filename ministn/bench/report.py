"""The benchmark's rows and their self-check, laid out as a markdown table for the docs.

Every thread count gets two processes: the main one times ministn's block and then PyTorch's
(each library alone, runner.py), and a second one times PyTorch alone again, in a process where
ministn never ran. The self-check compares the two PyTorch times: if they differ by more than
15%, the first was disturbed (by ministn's idle threads, or by other processes on the machine),
and the table says so on that row.
"""
import datetime

TOLERANCE = 0.15  # the largest difference between the two PyTorch times called agreement


def thread_counts(cores):
    """1, 2, and every power of two up to ``cores``: [1, 2] on 2 cores, [1, 2, 4, 8] on 12."""
    counts, n = [1, 2], 4
    while n <= cores:
        counts.append(n)
        n *= 2
    return counts


def self_check(torch_ms, torch_alone_ms, tolerance=TOLERANCE):
    """How far the PyTorch column is from PyTorch timed in a process of its own:
    (torch_ms / torch_alone_ms - 1, whether that exceeds the tolerance either way)."""
    if torch_ms is None or torch_alone_ms is None:
        return None, False
    difference = torch_ms / torch_alone_ms - 1
    return difference, abs(difference) > tolerance


def make_rows(cases, threads, main, alone):
    """Rows for one thread count, from the results of the main process and of the PyTorch-alone
    process (None when there is none). ``cases`` maps each name to its description."""
    rows = []
    for name, description in cases.items():
        timed = main[name]
        torch_alone = alone[name]["torch_ms"] if alone else None
        difference, differs = self_check(timed["torch_ms"], torch_alone)
        ratio = timed["ministn_ms"] / timed["torch_ms"] if timed["torch_ms"] else None
        rows.append(dict(name=name, description=description, threads=threads,
                         ministn_ms=timed["ministn_ms"], torch_ms=timed["torch_ms"], ratio=ratio,
                         torch_alone_ms=torch_alone, torch_difference=difference,
                         torch_differs=differs, ministn_peak_mib=timed["ministn_peak_mib"],
                         runs=timed["runs"]))
    return rows


def _number(value, digits):
    return "-" if value is None else f"{value:.{digits}f}"


def _check(row):
    if row["torch_difference"] is None:
        return "-"
    word = "**differs**" if row["torch_differs"] else "agrees"
    return f"{word} ({100 * row['torch_difference']:+.0f}%)"


def markdown(rows, facts):
    """The table and the lines above and below it, ready to paste into docs/speed.md as is.

    facts: date (UTC), machine, load_before, load_after, python, numpy, torch, ministn,
    device, warmup, repeats."""
    lines = [
        f"Measured {facts['date']} on {facts['machine']}; load average {facts['load_before']} "
        f"before, {facts['load_after']} after. Python {facts['python']}, NumPy {facts['numpy']}, "
        f"PyTorch {facts['torch'] or 'not installed'}, ministn {facts['ministn']}.",
        "",
        f"float32, device {facts['device']}; the median of up to {facts['repeats']} runs "
        f"after {facts['warmup']} untimed warm-up runs; each library timed in a block of its own, both "
        f"pinned to the row's thread count; ratio = ministn / PyTorch. *PyTorch alone* re-times "
        f"PyTorch in a process of its own: the check says whether the two PyTorch times agree "
        f"within {100 * TOLERANCE:.0f}%.",
        "",
        "| case | threads | ministn ms | PyTorch ms | ratio | PyTorch alone ms | check |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['name']} | {r['threads']} | {_number(r['ministn_ms'], 2)} | "
                     f"{_number(r['torch_ms'], 2)} | {_number(r['ratio'], 2)} | "
                     f"{_number(r['torch_alone_ms'], 2)} | {_check(r)} |")
    differing = [f"{r['name']} at {r['threads']} thread(s)" for r in rows if r["torch_differs"]]
    if differing:
        lines += ["", f"The PyTorch column differs from PyTorch alone by more than "
                      f"{100 * TOLERANCE:.0f}% on: {'; '.join(differing)}. Those rows are not "
                      f"trustworthy: run again on a quieter machine."]
    return "\n".join(lines)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
