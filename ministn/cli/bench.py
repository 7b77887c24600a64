"""``python -m ministn bench``: time ministn beside PyTorch on the registered cases.

    python -m ministn bench                        # every case at 1, 2, 4, ... threads
    python -m ministn bench --threads 2 --case "st-cnn train 64" --json bench.json
    python -m ministn bench --device gpu           # CuPy beside torch CUDA

Each thread count runs in processes of their own, with NumPy's BLAS, PyTorch and ministn all
pinned to it; each library is timed in a block of its own; PyTorch is timed again in a process
of its own as a check. The table is markdown, ready for docs/speed.md. PyTorch is optional:
without it only ministn's column is filled. Rows are registered in ministn/bench/.
"""
import json
import platform
import sys

import numpy as np

from .. import __version__, bench
from ..backend import gpu_available
from ..bench.process import run_in_process, time_job
from ..bench.report import make_rows, markdown, thread_counts, utc_now
from ..errors import MinistnError
from ..files import check_output, write_atomically
from ..machine import available_cores, cpu_model, load_average


def add_arguments(parser):
    parser.add_argument("--case", action="append", dest="cases", metavar="NAME",
                        help="run only this case (repeatable; default: all)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    parser.add_argument("--threads", metavar="N[,N...]",
                        help="thread counts, one row each (default: 1, 2 and every power of two "
                             f"up to the cores available: {','.join(map(str, thread_counts(available_cores())))})")
    parser.add_argument("--repeats", type=int, default=50, help="timed runs per case (median)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs before each block")
    parser.add_argument("--budget", type=float, default=20.0, metavar="SECONDS",
                        help="stop timing a case after this long (at least 5 runs; default %(default)s)")
    parser.add_argument("--no-torch", action="store_true", help="time ministn alone")
    parser.add_argument("--no-check", action="store_true",
                        help="skip re-timing PyTorch in a process of its own")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")


def _thread_counts(text, device):
    if text is None:
        return thread_counts(available_cores()) if device == "cpu" else [available_cores()]
    parts = text.split(",")
    if not all(p.strip().isdigit() and int(p) >= 1 for p in parts):
        raise MinistnError(f"--threads must be whole numbers >= 1 separated by commas, got {text!r}")
    return sorted({int(p) for p in parts})


def _torch_version(args):
    """PyTorch's version, or None (with the reason printed) when it cannot be used."""
    if args.no_torch:
        return None
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: timing ministn alone", file=sys.stderr)
        return None
    if args.device == "gpu" and not torch.cuda.is_available():
        print("PyTorch has no CUDA device: timing ministn alone", file=sys.stderr)
        return None
    return torch.__version__


def run(args):
    cases = bench.load_cases()
    if args.list:
        for name, (description, _) in cases.items():
            print(f"{name:24s} {description}")
        return 0
    unknown = [name for name in args.cases or () if name not in cases]
    if unknown:
        raise MinistnError(f"unknown case {unknown[0]!r}; choose from {', '.join(cases)}")
    if args.repeats < 1 or args.warmup < 0:
        raise MinistnError("--repeats must be >= 1 and --warmup >= 0")
    threads = _thread_counts(args.threads, args.device)
    if args.device == "gpu" and not gpu_available():
        print("skipped: --device gpu needs CuPy and a CUDA device (pip install -e \".[gpu]\" on a "
              "machine with an NVIDIA GPU)", file=sys.stderr)
        return 0
    if args.json:
        check_output(args.json, what="--json")
    torch_version = _torch_version(args)
    names = list(dict.fromkeys(args.cases or cases))  # in order, each once
    job = dict(names=names, device=args.device, warmup=args.warmup, repeats=args.repeats,
               budget_s=args.budget)
    libraries = ["ministn"] + (["torch"] if torch_version else [])
    load_before, date = load_average(), utc_now()
    rows, seen = [], []
    for n in threads:
        print(f"timing {n} thread(s): {' then '.join(libraries)}", file=sys.stderr)
        # on a GPU the CPU's threads hardly matter: the main block runs here, so that a test's
        # stand-in for CuPy (tests/fake_cupy.py) is the one used
        timer = time_job if args.device == "gpu" else run_in_process
        main = timer(dict(job, threads=n, libraries=libraries))
        alone = None
        if torch_version and not args.no_check:
            print(f"timing {n} thread(s): PyTorch alone, the check", file=sys.stderr)
            alone = run_in_process(dict(job, threads=n, libraries=["torch"]))["results"]
        rows += make_rows({name: cases[name][0] for name in names}, n, main["results"], alone)
        seen.append(dict(threads=n, **main["seen"]))
    rows.sort(key=lambda row: names.index(row["name"]))  # by case, then threads (a stable sort)
    facts = dict(date=date, machine=f"{cpu_model()}, {available_cores()} cores available",
                 load_before=load_before, load_after=load_average(),
                 python=platform.python_version(), numpy=np.__version__, torch=torch_version,
                 ministn=__version__, device=args.device, warmup=args.warmup,
                 repeats=args.repeats)
    print(markdown(rows, facts))
    if args.json:
        report = dict(facts, budget_s=args.budget, threads=threads, thread_settings_seen=seen,
                      allocator_tuned=all(s["allocator_tuned"] for s in seen), cpu=cpu_model(),
                      machine_architecture=platform.machine(), cores=available_cores(),
                      cases=rows)
        with write_atomically(args.json, "w", what="--json") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {args.json}", file=sys.stderr)
    return 0
