"""ministn.parallel in a forked child (the Table 1 workers fork): the parent's pool threads do
not exist there, so the child must make its own pool rather than wait on theirs for ever."""
import multiprocessing
import os

import numpy as np
import pytest

from ministn.parallel import parallel_for, threads

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _sum_in_chunks(n):
    """sum(range(n)) over two threads; the result arrives whatever the chunks."""
    return sum(parallel_for(n, lambda start, stop: int(np.arange(start, stop).sum())))


def _child(queue):
    with threads(2):
        queue.put(_sum_in_chunks(1000))


def test_a_forked_child_runs_parallel_for_after_the_parent_has():
    with threads(2):
        assert _sum_in_chunks(1000) == 499500          # the parent's pool now exists
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child's parallel_for waited for the parent's threads")
    assert child.exitcode == 0
    assert queue.get(timeout=5) == 499500
