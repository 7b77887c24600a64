"""The text of a check report: one row per compared array, then its worst element.

    array       dtype    max abs err  max rel err  max ulp  tolerance (rtol, atol)  verdict
    output      float32  2.4e-07      3.1e-07      2        1e-05, 1e-05            ok
      worst output[0, 1, 2, 3] = 0.5 (reference 0.50000024) at grid[0, 2, 3] at (x, y) = ...
    grad_grid   float32  0.001        0.41         8389     1e-05, 1e-05            FAIL (1 of 24)
      worst grad_grid[0, 2, 1, 0] = ... ; delicate: x = 2 is an integer pixel coordinate ...
"""
HEADER = ("array", "dtype", "max abs err", "max rel err", "max ulp", "rtol, atol", "verdict")
WIDTHS = (12, 8, 12, 12, 10, 18)


def _number(x):
    return f"{x:.3g}" if x not in (0, float("inf")) else ("0" if x == 0 else "inf")


def _row(cells):
    return "  ".join(str(c).ljust(w) for c, w in zip(cells, WIDTHS)) + "  " + str(cells[-1])


def format_array(check):
    """The row of one ArrayCheck and the lines that describe its worst element."""
    verdict = "ok" if check.passed else f"FAIL ({check.failures} of {_count(check.shape)})"
    lines = [_row((check.key, check.dtype, _number(check.max_abs), _number(check.max_rel),
                   _number(check.max_ulp), f"{check.rtol:.2g}, {check.atol:.2g}", verdict))]
    if check.worst is None:
        lines.append(f"  {check.key} is empty {check.shape}: nothing to compare")
        return lines
    if check.max_abs == 0:
        lines.append("  every element equals the reference")
        return lines
    index = f"{check.key}[{', '.join(map(str, check.worst))}]"
    lines.append(f"  worst {index} = {check.theirs!r} (reference {check.reference!r})")
    if check.position:
        lines.append(f"    {check.position}")
    for reason in check.reasons:
        lines.append(f"    delicate: {reason}")
    return lines


def _count(shape):
    count = 1
    for n in shape:
        count *= n
    return count


def format_report(report, case=None, result=None):
    """The report as text: a heading, the table, notes and a one-line verdict."""
    heading = f"{report.op}: {result or 'result'} against the float64 reference"
    lines = [heading + (f" of {case}" if case else ""), _row(HEADER)]
    for check in report.arrays:
        lines += format_array(check)
    if report.ignored:
        lines.append(f"not compared (the reference repeats them from the case): "
                     f"{', '.join(report.ignored)}")
    lines += [f"note: {note}" for note in report.notes]
    failed = [a.key for a in report.arrays if not a.passed]
    lines.append(f"FAIL: {', '.join(failed)} out of tolerance" if failed else
                 f"ok: {len(report.arrays)} array(s) within tolerance")
    return "\n".join(lines)
