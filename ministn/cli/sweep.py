"""What the sweep commands (table1, addition, midnet) share: options, checks, shards, paths.

A sweep is a list of jobs (one model and seed each) run by experiments/workers.py: resumable,
seed-major, each finished job one JSON file under results/<name>/, the report rewritten after
every job. ``--shard I/N`` keeps job I, I + N, I + 2N, ... (experiments/shards.py) so that N
machines sharing the results folder divide the sweep; the report merges whatever is finished.
"""
import math
import tempfile
from pathlib import Path

from ..errors import MinistnError
from ..experiments.report import load_results
from ..experiments.runner import check_recipe, matching
from ..experiments.shards import parse_shard, shard
from ..experiments.table1 import with_epochs
from ..experiments.workers import run_workers


def add_sweep_arguments(parser, rows, epochs):
    parser.add_argument("--seeds", type=int, default=3, help="seeds per model (default 3)")
    parser.add_argument("--workers", type=int, default=1, help="jobs trained at once (default 1)")
    parser.add_argument("--quick", action="store_true", help="tiny data, one epoch, temporary --out")
    parser.add_argument("--out", default=None, help="put results, runs and figures under this dir")
    parser.add_argument("--rows", nargs="+", default=None, metavar="ROW",
                        help=f"only these rows (of: {', '.join(repr(r[0]) for r in rows)})")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"override the recipe's {epochs} epochs (lr / 10 halfway)")
    add_localisation_lr_argument(parser)
    parser.add_argument("--max-jobs", type=int, default=None, help="stop after this many jobs")
    parser.add_argument("--shard", default=None, metavar="I/N",
                        help="run only jobs I, I+N, I+2N, ... (0 <= I < N): one task of a job "
                             "array; the shards share --out and the report merges them")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report only")


def add_localisation_lr_argument(parser):
    parser.add_argument("--localisation-lr-factor", type=float, default=None, metavar="F",
                        help="train the transformers at the recipe's lr times F (default 1); "
                             "a folder holds one recipe's runs, so another F needs its own --out")


def with_options(recipe, args):
    """The recipe with --epochs (when given) and --localisation-lr-factor (default 1)."""
    if args.epochs is not None:
        recipe = with_epochs(recipe, args.epochs)
    return dict(recipe, localisation_lr_factor=args.localisation_lr_factor or 1.0)


def check_sweep(args, rows):
    """MinistnError naming the first impossible option."""
    known = {r[0] for r in rows}
    if args.rows and not set(args.rows) <= known:
        raise MinistnError(f"--rows: unknown {sorted(set(args.rows) - known)}; choose from "
                           f"{sorted(known)}")
    for name in ("seeds", "workers") + (("epochs",) if args.epochs is not None else ()):
        if getattr(args, name) < 1:
            raise MinistnError(f"--{name} must be at least 1, got {getattr(args, name)}")
    factor = args.localisation_lr_factor
    if factor is not None and not 0 < factor < math.inf:
        raise MinistnError(f"--localisation-lr-factor must be a finite number > 0, got {factor}")
    if args.max_jobs is not None and args.max_jobs < 0:
        raise MinistnError(f"--max-jobs must be at least 0, got {args.max_jobs}")
    if args.shard is not None:
        parse_shard(args.shard)


def recipe_for(args, recipe, quick):
    return with_options(quick if args.quick else recipe, args)


def out_dir(args, name):
    """--out, a fresh temporary folder for --quick, or None (the repository's folders)."""
    if args.quick and args.out is None:
        return tempfile.mkdtemp(prefix=f"ministn-{name}-quick-")
    return args.out


def sweep_paths(out, name, figures=()):
    """results/<name>/, results/<name>.md, runs/<name>/ and figures/<figure>.png, or under out."""
    if out is None:
        return {"results": Path(f"results/{name}"), "md": Path(f"results/{name}.md"),
                "runs": Path(f"runs/{name}"),
                **{f: Path(f"figures/{f}.png") for f in figures}}
    out = Path(out)
    return {"results": out / name, "md": out / f"{name}.md", "runs": out / "runs",
            **{f: out / f"{f}.png" for f in figures}}


def my_jobs(job_list, args):
    """This shard's part of the job list (all of it without --shard)."""
    return job_list if args.shard is None else shard(job_list, *parse_shard(args.shard))


def run_sweep(args, name, rows, make_jobs, recipes, write_report, draw=None, figures=()):
    """The body of a one-report sweep command (addition, midnet).

    make_jobs(seeds, rows) -> jobs; recipes: (full, quick); write_report(md path, records,
    seeds, recipe) -> (cells, claims); draw(paths): the figures, after the last job.
    """
    check_sweep(args, rows)
    recipe = recipe_for(args, *recipes)
    paths = sweep_paths(out_dir(args, name), name, figures)

    def refresh(result=None):
        records = matching(load_results(paths["results"]), recipe)
        paths["md"].parent.mkdir(parents=True, exist_ok=True)
        return write_report(paths["md"], records, args.seeds, recipe)

    job_list = my_jobs(make_jobs(args.seeds, args.rows), args)
    check_recipe(paths["results"], job_list, recipe)
    if not args.report_only:
        print(f"{name}: {len(job_list)} jobs{' (shard ' + args.shard + ')' if args.shard else ''}"
              f", {args.workers} worker(s), results in {paths['results']}, checkpoints in "
              f"{paths['runs']}", flush=True)
        run_workers(args.workers, job_list, recipe, paths["runs"], paths["results"],
                    args.max_jobs, on_result=refresh)
    cells, claims = refresh()
    if draw is not None:
        for f in figures:
            paths[f].parent.mkdir(parents=True, exist_ok=True)
        draw(paths)
    written = ", ".join(str(paths[k]) for k in ("md",) + tuple(figures))
    print(f"{name}: {sum(len(c['errors']) for c in cells.values())} runs finished; wrote "
          f"{written}")
    for claim, holds, _ in claims:
        print(f"  {claim}: {({True: 'holds', False: 'does not hold', None: 'undecided'})[holds]}")
    return 0
