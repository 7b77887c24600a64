"""Each block of timings runs in a Python process of its own, with its threads pinned.

A thread count can only be set for every library before Python starts: NumPy's BLAS (OpenBLAS
or MKL) reads OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS once, when NumPy is
imported, and threadpoolctl, which could change it later, is not a dependency. So the parent
starts one child per block with those variables set, and the child also calls
``torch.set_num_threads`` and ``ministn.set_num_threads``; it reports back the settings it
actually saw, so that the pinning is checked rather than assumed.

The child reads its job as JSON on stdin and writes its results as one JSON line on stdout.
"""
import json
import os
import pathlib
import subprocess
import sys

from ..errors import MinistnError

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "MINISTN_NUM_THREADS")
PACKAGE_PARENT = str(pathlib.Path(__file__).resolve().parents[2])  # the child imports this ministn
CHILD = "from ministn.bench.process import serve; serve()"


def pinned_environment(threads, base=None):
    """A copy of the environment with every thread variable set to ``threads``."""
    env = dict(os.environ if base is None else base)
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    paths = [PACKAGE_PARENT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def run_in_process(job):
    """Run ``job`` (see ``serve``) in a fresh Python process; returns its report (a dict)."""
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(job), text=True,
                          capture_output=True, env=pinned_environment(job["threads"]))
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise MinistnError(f"a benchmark process failed (exit status {done.returncode}): {reason}")
    return json.loads(lines[-1])


def serve():
    """The child: reads a job on stdin, prints ``time_job(job)`` as one JSON line."""
    print(json.dumps(time_job(json.loads(sys.stdin.read()))))


def time_job(job):
    """Time job["libraries"] on job["names"] at job["threads"] threads, in this process.

    job: names, device ('cpu'/'gpu'), threads, libraries (of 'ministn', 'torch'), warmup,
    repeats, budget_s. Returns {"results": ..., "seen": the thread settings in force, and
    whether ministn tuned the allocator itself, as in a user's script: the bench never asks}.
    NumPy's BLAS keeps this process's threads: the bench calls it directly only on the GPU."""
    from .. import parallel
    from ..backend import allocator_tuned
    from . import Setup, load_cases
    from .runner import time_cases
    parallel.set_num_threads(job["threads"])
    torch = None
    if "torch" in job["libraries"]:
        import torch
        torch.set_num_threads(job["threads"])
    load_cases()
    setup = Setup(job["device"], torch)
    results = time_cases(job["names"], setup, job["libraries"], job["warmup"], job["repeats"],
                         job["budget_s"])
    seen = dict(ministn=parallel.num_threads(), allocator_tuned=allocator_tuned(),
                torch=None if torch is None else torch.get_num_threads(),
                **{name: os.environ.get(name) for name in THREAD_VARIABLES})
    return dict(results=results, seen=seen)
