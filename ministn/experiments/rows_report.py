"""The report of a one-column experiment (MNIST addition, the mid-network transformer): one row
per model, ours beside the paper's where it has one, the claims checked, recipe and machine.

Per row: the mean test error over the seeds finished so far ± half their range, the number of
seeds, and the parameter count. Claims use report.beats: A beats B "by more than the seed
spread" when mean(B) - mean(A) exceeds the larger of the two rows' ranges (max - min).
"""
from ..files import write_atomically
from .report import aggregate, beats, busy_seconds, localisation_rate, verdict_word


def format_rows(cells, rows, distortion, paper=None):
    """Markdown table: model | ours | (paper) | parameters."""
    head = "| model | test error % (ours) |" + (" paper |" if paper else "") + " parameters |"
    lines = [head, "| --- | ---: |" + (" ---: |" if paper else "") + " ---: |"]
    for label, _, _ in rows:
        c = cells.get((label, distortion))
        ours = "not yet run" if c is None else (
            f"{c['mean']:.2f} ± {c['spread'] / 2:.2f} ({len(c['errors'])})")
        cols = [ours]
        if paper:
            cols.append("—" if paper.get(label) is None else f"{paper[label]:.1f}")
        cols.append("—" if c is None else f"{c['parameters']:,}")
        lines.append(f"| {label} | " + " | ".join(cols) + " |")
    return "\n".join(lines)


def claim_beats(cells, a, b, distortion):
    """(claim, verdict, [detail]) for 'a beats b by more than the seed spread'."""
    holds, text = beats(cells, a, b, distortion)
    return f"{a} beats {b} by more than the seed spread", holds, [text]


def recipe_lines(recipe, data_line):
    iterations = recipe["epochs"] * -(-recipe["train_size"] // recipe["batch_size"])
    return [f"- {data_line}",
            f"- {recipe['epochs']} epochs of batch {recipe['batch_size']} ({iterations:,} "
            f"iterations), {recipe['optimizer']} lr {recipe['lr']:g}, multiplied by "
            f"{recipe['lr_gamma']:g} every {recipe['lr_step']} epochs; no weight decay, no "
            "augmentation beyond the distortion; cross-entropy loss (Table 1's recipe, "
            "docs/table1.md)." + localisation_rate(recipe)]


def write_rows_report(path, title, intro, rows, distortion, records, seeds, recipe, claims,
                      data_line, paper=None, notes=""):
    """Write the report to ``path`` atomically; returns (cells, claims).

    claims(cells) -> [(claim, verdict True/False/None, [detail lines])].
    """
    cells = aggregate(records)
    for r in records:
        cells[(r["row"], r["distortion"])]["parameters"] = r["parameters"]
    checked = claims(cells)
    busy = busy_seconds(records)
    machines = sorted({r["machine"] for r in records})
    target = len(rows) * seeds
    lines = [f"# {title}", "", intro, "", format_rows(cells, rows, distortion, paper), "",
             f"{len(records)} of {target} runs finished ({seeds} seeds per model); ours: mean ± "
             "half the range over the seeds finished, their number in brackets.", "",
             "## Claims checked", ""]
    for claim, holds, details in checked:
        lines.append(f"- {claim}: {verdict_word(holds)}")
        lines += [f"  - {d}" for d in details]
    lines += ["", "## Recipe", ""] + recipe_lines(recipe, data_line)
    lines += ["", "## Machine and time", "",
              f"- {'; '.join(machines) or 'not yet run'}; timings depend on what else the "
              "machine ran and are indicative only.",
              f"- Training time summed over runs: "
              f"{sum(r['train_seconds'] for r in records) / 60:.0f} min; wall time while runs were "
              f"going (overlapping runs counted once): {busy / 60:.0f} min."]
    if notes:
        lines += ["", notes]
    with write_atomically(path, "w", what="report") as f:
        f.write("\n".join(lines) + "\n")
    return cells, checked
