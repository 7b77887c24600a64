"""``python -m ministn bench``: time ministn beside PyTorch on the registered cases.

    python -m ministn bench                        # every case, CPU, all available cores
    python -m ministn bench --threads 2 --case "conv2d train" --json bench.json
    python -m ministn bench --device gpu           # CuPy beside torch CUDA

PyTorch is optional: without it only ministn's column is filled. Rows are registered in
ministn/bench/ (see its docstring for how to add one).
"""
import importlib
import json
import os
import pkgutil
import platform
import sys

import numpy as np

from .. import bench
from ..errors import MinistnError
from ..backend import gpu_available, tune_allocator
from ..bench.runner import format_table, run_cases
from ..bench.threads import blas_environment, pin_numpy
from ..files import check_output, write_atomically
from ..machine import available_cores, cpu_model, load_average


def add_arguments(parser):
    parser.add_argument("--case", action="append", dest="cases", metavar="NAME",
                        help="run only this case (repeatable; default: all)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    parser.add_argument("--threads", type=int, default=available_cores(),
                        help="threads for both libraries (default: the cores available, %(default)s)")
    parser.add_argument("--repeats", type=int, default=50, help="timed runs per case (median)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first")
    parser.add_argument("--budget", type=float, default=20.0, metavar="SECONDS",
                        help="stop timing a case after this long (at least 5 runs; default %(default)s)")
    parser.add_argument("--no-torch", action="store_true", help="time ministn alone")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")


def _load_cases():
    """Import every module of ministn.bench, so that each registers its cases."""
    for module in pkgutil.iter_modules(bench.__path__):
        importlib.import_module(f"{bench.__name__}.{module.name}")
    return bench.CASES


def _torch(args):
    """The torch module, or None (with the reason printed) when it cannot be used."""
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
    torch.set_num_threads(args.threads)
    return torch


def _pin_numpy(threads, args):
    """Pin NumPy's BLAS; without threadpoolctl, re-run this command with the BLAS variables
    set (only from the command line: a script calling main() keeps its process)."""
    how = pin_numpy(threads)
    if how is None and args.from_command_line:
        os.execve(sys.executable, [sys.executable, "-m", "ministn", *args.argv],
                  blas_environment(threads))  # does not return
    if how is None:
        print(f"warning: NumPy's BLAS threads are not pinned to {threads} (install threadpoolctl "
              f"or set OMP_NUM_THREADS={threads} before starting Python)", file=sys.stderr)
    return how


def run(args):
    cases = _load_cases()
    if args.list:
        for name, (description, _) in cases.items():
            print(f"{name:24s} {description}")
        return 0
    unknown = [name for name in args.cases or () if name not in cases]
    if unknown:
        raise MinistnError(f"unknown case {unknown[0]!r}; choose from {', '.join(cases)}")
    if args.threads < 1 or args.repeats < 1 or args.warmup < 0:
        raise MinistnError("--threads and --repeats must be >= 1 and --warmup >= 0")
    if args.device == "gpu" and not gpu_available():
        print("skipped: --device gpu needs CuPy and a CUDA device (pip install -e \".[gpu]\" on a "
              "machine with an NVIDIA GPU)", file=sys.stderr)
        return 0
    if args.json:
        check_output(args.json, what="--json")
    pinned = _pin_numpy(args.threads, args)
    allocator_tuned = tune_allocator()  # as the train command does (see backend.py)
    torch = _torch(args)
    setup = bench.Setup(args.device, torch)
    load_before = load_average()
    rows = run_cases(args.cases or list(cases), setup, args.warmup, args.repeats, args.budget)
    load_after = load_average()

    print(f"{cpu_model()}, {available_cores()} core(s); load average {load_before} "
          f"before, {load_after} after (other processes slow both sides)")
    print(f"device {args.device}, {args.threads} thread(s) each (NumPy pinned by {pinned or 'nothing'}), "
          f"median of up to {args.repeats} runs after {args.warmup} warm-up; ratio = ministn / torch; "
          f"glibc malloc tuned (tune_allocator): {'on' if allocator_tuned else 'off (no glibc)'}")
    print(format_table(rows))
    if args.json:
        report = dict(device=args.device, threads=args.threads, numpy_pinned_by=pinned,
                      allocator_tuned=allocator_tuned,
                      repeats=args.repeats, warmup=args.warmup, budget_s=args.budget,
                      python=platform.python_version(),
                      numpy=np.__version__, torch=None if torch is None else torch.__version__,
                      machine=platform.machine(), cpu=cpu_model(),
                      cores=available_cores(), load_before=load_before,
                      load_after=load_after, cases=rows)
        with write_atomically(args.json, "w", what="--json") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {args.json}")
    return 0
