"""``python -m ministn.experiments table1``: train every cell of the paper's Table 1, resumably.

Finished (cell, seed) runs are recorded one JSON file each and never retrained; a stopped run
(Ctrl-C, or SIGTERM to the parent) finishes its current batch, saves a checkpoint and exits,
and the next invocation continues where it stopped. ``--workers 2`` trains two jobs at a time
in separate processes (with OPENBLAS_NUM_THREADS=1 that uses two cores better than one process
with two BLAS threads). After every finished job the table and its figure are rewritten.

Default paths (relative to the current directory):
    results/table1/<cell>_s<seed>.json   one finished run each
    results/table1.md                    the aggregated table, bars, recipe, machine
    runs/table1/<cell>_s<seed>/          checkpoints (not committed)
    figures/table1.png, figures/table1_transformers.png
With ``--out DIR`` all of them go under DIR instead; ``--quick`` (tiny data, one epoch) uses a
fresh temporary DIR unless ``--out`` is given, and never touches results/.
"""
import argparse
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from .figures import save_table_figure, save_transformer_figure
from .report import load_results, write_markdown
from .runner import stop_flag, work
from .table1 import QUICK, RECIPE, ROWS, jobs, with_epochs


def paths_for(out):
    if out is None:
        return {"results": Path("results/table1"), "md": Path("results/table1.md"),
                "runs": Path("runs/table1"), "figure": Path("figures/table1.png"),
                "transformers": Path("figures/table1_transformers.png")}
    out = Path(out)
    return {"results": out / "table1", "md": out / "table1.md", "runs": out / "runs",
            "figure": out / "table1.png", "transformers": out / "table1_transformers.png"}


def matching(records, recipe):
    """Records trained with this recipe (a result of another recipe is ignored, not mixed in)."""
    return [r for r in records if all(r["config"].get(k) == v for k, v in recipe.items())]


def refresh(paths, seeds, recipe, transformers=False):
    """Rewrite the table, its figure and (optionally) the transformer figure atomically."""
    records = matching(load_results(paths["results"]), recipe)
    for key in ("md", "figure", "transformers"):
        paths[key].parent.mkdir(parents=True, exist_ok=True)
    tmp = paths["md"].with_suffix(f".{os.getpid()}.tmp")
    cells, bars = write_markdown(tmp, records, seeds, recipe)
    os.replace(tmp, paths["md"])
    for key, draw in (("figure", lambda p: save_table_figure(cells, p)),
                      ("transformers", lambda p: save_transformer_figure(paths["runs"], p))):
        if key == "transformers" and not transformers:
            continue
        tmp = paths[key].with_name(f".{os.getpid()}.{paths[key].name}")
        draw(tmp)
        os.replace(tmp, paths[key])
    return cells, bars


def worker(index, job_list, recipe, paths, seeds, max_jobs):
    stop, install = stop_flag()
    install()

    def log(line):
        print(f"{time.strftime('%H:%M:%S')} [w{index}] {line}", flush=True)

    def after_job(result):
        refresh(paths, seeds, recipe)

    return work(job_list, recipe, paths["runs"], paths["results"], stop, log, max_jobs,
                on_result=after_job)


def run_workers(count, *args):
    """Run ``worker`` in ``count`` processes (in this one if count == 1); forward SIGINT/TERM."""
    if count == 1:
        return worker(0, *args)
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=worker, args=(i, *args)) for i in range(count)]

    def forward(signum, frame):
        for child in children:
            if child.pid is not None and child.is_alive():
                os.kill(child.pid, signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.start()
        for child in children:
            child.join()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m ministn.experiments",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="experiment", required=True, metavar="experiment")
    p = sub.add_parser("table1", help="the paper's Table 1 (left), distorted MNIST")
    p.add_argument("--seeds", type=int, default=3, help="seeds per cell (default 3)")
    p.add_argument("--workers", type=int, default=1, help="jobs trained at once (default 1)")
    p.add_argument("--quick", action="store_true", help="tiny data, one epoch, temporary --out")
    p.add_argument("--out", default=None, help="put results, runs and figures under this dir")
    p.add_argument("--rows", nargs="+", default=None, metavar="ROW",
                   help="only these rows, e.g. CNN 'ST-CNN TPS' (of: "
                        f"{', '.join(r[0] for r in ROWS)})")
    p.add_argument("--distortions", nargs="+", default=None, choices=("R", "RTS", "P", "E"))
    p.add_argument("--epochs", type=int, default=None,
                   help=f"override the recipe's {RECIPE['epochs']} epochs (lr / 10 halfway)")
    p.add_argument("--max-jobs", type=int, default=None, help="stop after this many jobs")
    p.add_argument("--report-only", action="store_true", help="rewrite table and figures only")
    args = parser.parse_args(argv)
    known = {r[0] for r in ROWS}
    if args.rows and not set(args.rows) <= known:
        parser.error(f"--rows: unknown {sorted(set(args.rows) - known)}; choose from "
                     f"{sorted(known)}")
    for name in ("seeds", "workers") + (("epochs",) if args.epochs is not None else ()):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv=None):
    args = parse(argv)
    recipe = QUICK if args.quick else RECIPE
    if args.epochs is not None:
        recipe = with_epochs(recipe, args.epochs)
    out = args.out
    if args.quick and out is None:
        out = tempfile.mkdtemp(prefix="ministn-table1-quick-")
    paths = paths_for(out)
    if not args.report_only:
        job_list = jobs(args.seeds, args.rows, args.distortions or ("R", "RTS", "P", "E"))
        print(f"table1: {len(job_list)} jobs, {args.workers} worker(s), results in "
              f"{paths['results']}, checkpoints in {paths['runs']}", flush=True)
        run_workers(args.workers, job_list, recipe, paths, args.seeds, args.max_jobs)
    cells, bars = refresh(paths, args.seeds, recipe, transformers=True)
    print(f"table1: {sum(len(c['errors']) for c in cells.values())} runs finished; "
          f"wrote {paths['md']}, {paths['figure']}, {paths['transformers']}")
    for claim, holds, _ in bars:
        word = {True: "holds", False: "does not hold", None: "undecided"}[holds]
        print(f"  {claim}: {word}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
