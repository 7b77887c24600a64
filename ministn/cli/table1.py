"""``python -m ministn table1``: train every cell of the paper's Table 1, resumably.

Finished (cell, seed) runs are recorded one JSON file each and never retrained; a stopped run
(Ctrl-C, or SIGTERM) finishes its current batch, saves a checkpoint and exits, and the next
invocation continues where it stopped. ``--workers 2`` trains two jobs at a time in separate
processes (with OPENBLAS_NUM_THREADS=1 that uses two cores better than one process with two
BLAS threads); ``--shard I/N`` runs one N-th of the jobs, for a job array over machines that
share the results folder (cli/sweep.py). After every finished job the table and its figure
are rewritten. ``--distortions TC`` adds the cluttered column.

Default paths (relative to the current directory):
    results/table1/<cell>_s<seed>.json   one finished run each
    results/table1.md                    the aggregated table, bars, recipe, machine
    runs/table1/<cell>_s<seed>/          checkpoints (not committed)
    figures/table1.png, figures/table1_transformers.png
With --out DIR all of them go under DIR instead; --quick (tiny data, one epoch) uses a fresh
temporary DIR unless --out is given, and never touches results/.
"""
import tempfile
from pathlib import Path

from ..experiments.report import load_results, write_markdown
from ..experiments.runner import check_recipe, matching
from ..experiments.table1 import ALL_COLUMNS, COLUMNS, QUICK, RECIPE, ROWS, jobs
from ..experiments.workers import run_workers
from ..plotting.table1 import save_table_figure, save_transformer_figure
from .sweep import add_localisation_lr_argument, check_sweep, my_jobs, with_options


def add_arguments(parser):
    parser.add_argument("--seeds", type=int, default=3, help="seeds per cell (default 3)")
    parser.add_argument("--workers", type=int, default=1, help="jobs trained at once (default 1)")
    parser.add_argument("--quick", action="store_true", help="tiny data, one epoch, temporary --out")
    parser.add_argument("--out", default=None, help="put results, runs and figures under this dir")
    parser.add_argument("--rows", nargs="+", default=None, metavar="ROW",
                        help=f"only these rows, e.g. CNN 'ST-CNN TPS' (of: "
                             f"{', '.join(r[0] for r in ROWS)})")
    parser.add_argument("--distortions", nargs="+", default=None, choices=ALL_COLUMNS,
                        help=f"default {' '.join(COLUMNS)}; TC (cluttered, 60x60) on request")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"override the recipe's {RECIPE['epochs']} epochs (lr / 10 halfway)")
    add_localisation_lr_argument(parser)
    parser.add_argument("--max-jobs", type=int, default=None, help="stop after this many jobs")
    parser.add_argument("--shard", default=None, metavar="I/N",
                        help="run only jobs I, I+N, I+2N, ... (0 <= I < N): one task of a job "
                             "array; the shards share --out and the report merges them")
    parser.add_argument("--report-only", action="store_true", help="rewrite table and figures only")


def paths_for(out):
    if out is None:
        return {"results": Path("results/table1"), "md": Path("results/table1.md"),
                "runs": Path("runs/table1"), "figure": Path("figures/table1.png"),
                "transformers": Path("figures/table1_transformers.png")}
    out = Path(out)
    return {"results": out / "table1", "md": out / "table1.md", "runs": out / "runs",
            "figure": out / "table1.png", "transformers": out / "table1_transformers.png"}


def refresh(paths, seeds, recipe, transformers=False):
    """Rewrite the table, its figure and (optionally) the transformer figure atomically."""
    records = matching(load_results(paths["results"]), recipe)
    for key in ("md", "figure", "transformers"):
        paths[key].parent.mkdir(parents=True, exist_ok=True)
    cells, bars = write_markdown(paths["md"], records, seeds, recipe)
    save_table_figure(cells, paths["figure"])
    if transformers:
        save_transformer_figure(paths["runs"], paths["transformers"])
    return cells, bars


def run(args):
    check_sweep(args, ROWS)
    recipe = with_options(QUICK if args.quick else RECIPE, args)
    out = args.out
    if args.quick and out is None:
        out = tempfile.mkdtemp(prefix="ministn-table1-quick-")
    paths = paths_for(out)
    job_list = my_jobs(jobs(args.seeds, args.rows, args.distortions or COLUMNS), args)
    check_recipe(paths["results"], job_list, recipe)
    if not args.report_only:
        print(f"table1: {len(job_list)} jobs, {args.workers} worker(s), results in "
              f"{paths['results']}, checkpoints in {paths['runs']}", flush=True)
        run_workers(args.workers, job_list, recipe, paths["runs"], paths["results"],
                    args.max_jobs, on_result=lambda result: refresh(paths, args.seeds, recipe))
    cells, bars = refresh(paths, args.seeds, recipe, transformers=True)
    print(f"table1: {sum(len(c['errors']) for c in cells.values())} runs finished; "
          f"wrote {paths['md']}, {paths['figure']}, {paths['transformers']}")
    for claim, holds, _ in bars:
        word = {True: "holds", False: "does not hold", None: "undecided"}[holds]
        print(f"  {claim}: {word}")
    return 0
