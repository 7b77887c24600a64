"""Aggregating the finished jobs of Table 1 into results/table1.md, with the paper's bars checked.

Per cell: the mean test error over the seeds finished so far, and their spread, the range
max - min (0 with one seed). A claim "A beats B by more than the seed spread" holds when
mean(B) - mean(A) > max(range(A), range(B)); with a single seed per cell there is no spread to
compare against and the claim is reported as undecided, with the means.
"""
import json
from pathlib import Path

import numpy as np

from ..files import write_atomically
from .table1 import CLUTTERED, COLUMNS, PAPER, ROWS, columns_of


def load_results(results):
    """Every result record in the directory, sorted by cell and seed."""
    records = [json.loads(p.read_text()) for p in sorted(Path(results).glob("*.json"))]
    return sorted(records, key=lambda r: (r["cell"], r["seed"]))


def aggregate(records):
    """{(row, distortion): {'errors': [...], 'mean', 'spread', 'seeds', 'seconds'}}."""
    cells = {}
    for r in records:
        cell = cells.setdefault((r["row"], r["distortion"]), {"errors": [], "seeds": [],
                                                              "seconds": 0.0})
        cell["errors"].append(r["test_error"])
        cell["seeds"].append(r["seed"])
        cell["seconds"] += r["train_seconds"]
    for cell in cells.values():
        errors = np.array(cell["errors"])
        cell["mean"], cell["spread"] = float(errors.mean()), float(errors.max() - errors.min())
    return cells


def beats(cells, a, b, d):
    """(holds: True/False/None, text) for 'row a has lower error than row b on d beyond spread'."""
    ca, cb = cells.get((a, d)), cells.get((b, d))
    if ca is None or cb is None:
        return None, f"{d}: {a if ca is None else b} not trained yet"
    margin, spread = cb["mean"] - ca["mean"], max(ca["spread"], cb["spread"])
    text = (f"{d}: {a} {ca['mean']:.2f}% vs {b} {cb['mean']:.2f}% (difference {margin:+.2f}, "
            f"spread {spread:.2f}, seeds {len(ca['errors'])}/{len(cb['errors'])})")
    if margin <= 0:
        return False, text
    if min(len(ca["errors"]), len(cb["errors"])) < 2:
        return None, text + ": lower, but one seed gives no spread to compare with"
    return margin > spread, text


def best_of(cells, family, d):
    """The row of ``family`` ('ST-CNN' or 'ST-FCN') with the lowest mean error on d, or None."""
    rows = [label for label, _, _ in ROWS
            if label.startswith(family + " ") and (label, d) in cells]
    return min(rows, key=lambda label: cells[(label, d)]["mean"]) if rows else None


def check_bars(cells):
    """[(bar, holds: True/False/None, [detail lines])] for the paper's claims."""
    bars = []
    for family, base in (("ST-CNN", "CNN"), ("ST-FCN", "FCN")):
        verdicts, lines = [], []
        for d in COLUMNS:
            best = best_of(cells, family, d)
            holds, text = beats(cells, best, base, d) if best else (None, f"{d}: no {family} yet")
            verdicts.append(holds)
            lines.append(("holds" if holds else "FAILS" if holds is False else "undecided")
                         + f" - {text}")
        bars.append((f"{family} (best transform) beats {base} by more than the seed spread on "
                     f"every distortion", combine(verdicts), lines))
    if CLUTTERED in columns_of(cells):
        bars.append(cluttered_bar(cells))
    rts = {label: cells[(label, "RTS")]["mean"] for label, _, _ in ROWS if (label, "RTS") in cells}
    if len(rts) == len(ROWS):
        worst, runner_up = sorted(rts, key=rts.get, reverse=True)[:2]
        bars.append(("FCN is the worst model on RTS", worst == "FCN",
                     [f"worst on RTS: {worst} {rts[worst]:.2f}%; next {runner_up} "
                      f"{rts[runner_up]:.2f}%"]))
    else:
        bars.append(("FCN is the worst model on RTS", None, ["not every RTS cell is trained yet"]))
    for family in ("ST-CNN", "ST-FCN"):
        labels = [f"{family} {t}" for t in ("Aff", "Proj", "TPS")]
        if all((label, "E") in cells for label in labels):
            ranked = sorted(labels, key=lambda label: cells[(label, "E")]["mean"])
            _, text = beats(cells, ranked[0], ranked[1], "E")
            bars.append((f"TPS is the best transform on E ({family}; lowest mean)",
                         ranked[0].endswith("TPS"),
                         [", ".join(f"{k} {cells[(k, 'E')]['mean']:.2f}%" for k in labels),
                          f"best vs next: {text.split(': ', 1)[1]}"]))
        else:
            bars.append((f"TPS is the best transform on E ({family})", None, ["not trained yet"]))
    return bars


def cluttered_bar(cells):
    """TC (the paper's text): the best ST-CNN beats CNN, the best ST-FCN beats FCN."""
    verdicts, lines = [], []
    for family, base in (("ST-CNN", "CNN"), ("ST-FCN", "FCN")):
        best = best_of(cells, family, CLUTTERED)
        holds, text = (beats(cells, best, base, CLUTTERED) if best
                       else (None, f"{CLUTTERED}: no {family} yet"))
        verdicts.append(holds)
        lines.append(("holds" if holds else "FAILS" if holds is False else "undecided")
                     + f" - {text}")
    return ("TC: the best ST-CNN beats CNN and the best ST-FCN beats FCN by more than the seed "
            "spread", combine(verdicts), lines)


def combine(verdicts):
    if any(v is False for v in verdicts):
        return False
    return None if any(v is None for v in verdicts) else True


def verdict_word(holds):
    return {True: "**holds**", False: "**does not hold**", None: "**undecided**"}[holds]


def format_table(cells, seeds):
    """Markdown: one row per model; per distortion 'ours mean ± spread (n)' and the paper's."""
    columns = columns_of(cells)
    head = "| model | " + " | ".join(f"{d} ours | {d} paper" for d in columns) + " |"
    lines = [head, "| --- |" + " ---: | ---: |" * len(columns)]
    for label, _, _ in ROWS:
        cols = []
        for d, paper in zip(columns, PAPER[label]):
            c = cells.get((label, d))
            ours = ("—" if c is None else
                    f"{c['mean']:.2f} ± {c['spread'] / 2:.2f} ({len(c['errors'])})")
            cols += [ours, "—" if paper is None else f"{paper:.1f}"]
        lines.append(f"| {label} | " + " | ".join(cols) + " |")
    missing = [f"{label} {d}" for label, _, _ in ROWS for d in columns
               if (label, d) not in cells]
    short = sum(1 for c in cells.values() if len(c["errors"]) < seeds)
    return "\n".join(lines), missing, short


def localisation_rate(recipe):
    """The sentence a report adds when the transformers learn at their own rate, else ''."""
    factor = recipe.get("localisation_lr_factor", 1)
    return "" if factor == 1 else (f" The spatial transformers (localisation nets and "
                                   f"regression layers) learn at {factor:g} times that rate.")


def busy_seconds(records):
    """Seconds during which at least one run was going: the union of [started, finished]."""
    busy, end = 0.0, -np.inf
    for start, finish in sorted((r["started_unix"], r["finished_unix"]) for r in records):
        busy += max(0.0, finish - max(start, end))
        end = max(end, finish)
    return busy


def write_markdown(path, records, seeds, recipe, notes=""):
    """results/table1.md: the table beside the paper's, the bars, the recipe, data and machine."""
    cells = aggregate(records)
    table, missing, short = format_table(cells, seeds)
    bars = check_bars(cells)
    counts = sorted({len(c["errors"]) for c in cells.values()}) or [0]
    busy = busy_seconds(records)
    machines = sorted({r["machine"] for r in records})
    lines = [
        "# Table 1 (left) of Jaderberg et al. 2015, reproduced with ministn",
        "",
        "Test error % on the 10,000 MNIST test digits, distorted once with a fixed seed. Ours: "
        "mean over the seeds finished ± half their range (max − min), and in brackets the "
        "number of seeds; the paper's number beside it (trained on 60,000 digits for 640 "
        "epochs, mean of 3 seeds). Written by `python -m ministn table1`.",
        "",
        table,
        "",
        f"Seeds finished per cell: {counts[0]} to {counts[-1]} (the number in brackets; target "
        f"{seeds}); {len(records)} of {len(ROWS) * len(columns_of(cells)) * seeds} runs. Cells with no run yet: "
        f"{', '.join(missing) or 'none'}. Cells short of {seeds} seeds: {short} of {len(cells)}.",
        "",
        "## The paper's bars",
        "",
        "A beats B \"by more than the seed spread\" when mean(B) − mean(A) exceeds the larger "
        "of the two cells' ranges over seeds.",
        "",
    ]
    for claim, holds, details in bars:
        lines.append(f"- {claim}: {verdict_word(holds)}")
        lines += [f"  - {d}" for d in details]
    lines += ["", "## Recipe", "",
              f"- {recipe['train_size']:,} training digits (the bundled first 6,000 of MNIST), "
              f"distorted afresh every epoch; {recipe['test_size']:,} test digits distorted once "
              "(seed 2015).",
              f"- {recipe['epochs']} epochs of batch {recipe['batch_size']} "
              f"({recipe['epochs'] * -(-recipe['train_size'] // recipe['batch_size']):,} "
              f"iterations, {recipe['epochs'] * recipe['train_size'] / 1e3:g}k samples, versus the "
              "paper's 150k iterations of batch 256 = 38.4M samples), "
              f"{recipe['optimizer']} lr {recipe['lr']:g}, multiplied by {recipe['lr_gamma']:g} "
              f"every {recipe['lr_step']} epochs; no weight decay, no dropout, no augmentation "
              "beyond the distortion. Cross-entropy loss. The paper used SGD lr 0.01 divided by "
              "10 every 50k iterations; Adam converges in the few epochs a 2-core CPU allows."
              + localisation_rate(recipe),
              "- Models: ministn.models.paper (three weight layers in every classifier, equal "
              "parameter counts per input size, identity-initialised transformers; average "
              "pooling after the transformer on RTS's 42×42 and TC's 60×60 canvases).",
              "",
              "## Machine and time", "",
              f"- {'; '.join(machines) or 'no runs yet'}; timings depend on what else the "
              "machine ran and are indicative only.",
              "- Training time summed over runs: "
              f"{sum(r['train_seconds'] for r in records) / 60:.0f} min; wall time while runs "
              f"were going (overlapping runs counted once): {busy / 60:.0f} min.",
              ]
    if notes:
        lines += ["", notes]
    with write_atomically(path, "w", what="report") as f:
        f.write("\n".join(lines) + "\n")
    return cells, bars
