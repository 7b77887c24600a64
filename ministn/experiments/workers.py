"""Worker processes for an experiment's jobs: each takes unclaimed jobs until none is left.

``run_workers(count, ...)`` runs ``work`` (runner.py) in ``count`` forked processes (in this
one when count is 1). SIGINT and SIGTERM are forwarded to the workers, which finish their
current batch, save a checkpoint and exit; the next invocation continues where they stopped.
"""
import os
import signal
import time

from .runner import stop_flag, work


def worker(index, job_list, recipe, runs, results, max_jobs, on_result):
    stop, install = stop_flag()
    install()

    def log(line):
        print(f"{time.strftime('%H:%M:%S')} [w{index}] {line}", flush=True)

    return work(job_list, recipe, runs, results, stop, log, max_jobs, on_result=on_result)


def run_workers(count, job_list, recipe, runs, results, max_jobs=None, on_result=None):
    """Train every unfinished job with ``count`` workers; on_result(result) after each job."""
    args = (job_list, recipe, runs, results, max_jobs, on_result)
    if count == 1:
        return worker(0, *args)
    import multiprocessing
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
