"""All cores on the CPU: one batch-parallel map over NumPy calls that release the GIL.

PyTorch spreads a convolution's unfolding, a pooling window or an elementwise op over every
core; NumPy runs each call on one. NumPy does release the GIL inside ufuncs, copies, ``take``
and reductions on large arrays, so Python threads that each run the same NumPy calls on their
own slice of the batch do run at the same time. ``parallel_for`` is that map, the one place
ministn does it:

    parallel_for(n_items, body)   calls body(start, stop) on contiguous chunks of range(n_items)

Rules for a body: it touches only its own rows [start, stop) of any output (so the result does
not depend on how the items were split: bit-identical to one thread), and it does no matrix
products, because OpenBLAS already runs those on its own threads and ministn threads around
them would oversubscribe the cores (threadpoolctl is not a dependency: matmul is simply kept
out of the bodies, and left to BLAS).

The number of threads comes from ``set_num_threads(n)`` (1 turns the map off), else the
environment variable MINISTN_NUM_THREADS, else the cores this process may run on. On the GPU
the map is a no-op: pass ``xp`` (the array module) and a CuPy caller gets one chunk, body(0, n),
run directly, since one kernel launch already uses the whole device.

An op uses the map only where a measurement shows that it pays, with the measurement in a
comment there (docs/speed.md, "Using every core"). ``contiguous`` is the map applied to the
commonest pass of all, a copy into a new C-ordered array.
"""
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ENVIRONMENT_VARIABLE = "MINISTN_NUM_THREADS"

_state = {"threads": None, "pool": None, "pool_size": 0}
_pool_lock = threading.Lock()
_inside = threading.local()  # set while a thread runs a body: nested maps run serially


def _threads_from_environment():
    text = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"{ENVIRONMENT_VARIABLE} must be a whole number of threads >= 1, "
                             f"got {text!r}")
        return int(text)
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (Linux)
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def num_threads():
    """How many threads ``parallel_for`` uses (1: it runs everything in the calling thread)."""
    if _state["threads"] is None:
        _state["threads"] = _threads_from_environment()
    return _state["threads"]


def set_num_threads(n):
    """Use n threads for ministn's CPU work from now on; 1 turns the parallel map off."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be a whole number of threads, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"n must be a whole number of threads >= 1, got {n}")
    _state["threads"] = int(n)


@contextlib.contextmanager
def threads(n):
    """``with threads(1): ...`` runs the block with n threads, then restores the setting."""
    before = num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        _state["threads"] = before


def _forget_pool_after_fork():
    """In a forked child the pool's threads do not exist (fork copies only the calling thread):
    work sent to them would wait for ever. The child makes a pool of its own when it needs one."""
    global _pool_lock
    _state["pool"], _state["pool_size"] = None, 0
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _pool(workers):
    """The shared pool, made on first use and remade only when it is too small."""
    with _pool_lock:
        if _state["pool_size"] < workers:
            if _state["pool"] is not None:
                _state["pool"].shutdown(wait=True)
            _state["pool"] = ThreadPoolExecutor(max_workers=workers,
                                                thread_name_prefix="ministn")
            _state["pool_size"] = workers
        return _state["pool"]


def chunk_bounds(n_items, n_chunks):
    """n_chunks contiguous (start, stop) pairs covering range(n_items), sizes differing by <= 1."""
    edges = [n_items * k // n_chunks for k in range(n_chunks + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _run(body, start, stop):
    _inside.active = True
    try:
        return body(start, stop)
    finally:
        _inside.active = False


def parallel_for(n_items, body, *, min_chunk=1, xp=np):
    """[body(start, stop) for each chunk], the chunks run at once on ``num_threads()`` threads.

    The chunks are contiguous, disjoint, in order and cover range(n_items); each holds at least
    ``min_chunk`` items. One chunk, body(0, n_items) called directly, when there is one thread,
    fewer than 2 * min_chunk items, a non-NumPy ``xp`` (the GPU), or when called from inside
    another body. An exception in any chunk is raised after every chunk has finished.
    """
    n_chunks = min(num_threads(), n_items // max(int(min_chunk), 1))
    if n_chunks < 2 or xp is not np or getattr(_inside, "active", False):
        return [body(0, n_items)]
    bounds = chunk_bounds(n_items, n_chunks)
    pool = _pool(n_chunks - 1)
    futures = [pool.submit(_run, body, start, stop) for start, stop in bounds[1:]]
    first, error = None, None
    try:
        first = _run(body, *bounds[0])  # the calling thread does the first chunk itself
    except BaseException as exc:  # wait for the others before raising: they write our outputs
        error = exc
    results = [first]
    for future in futures:
        try:
            results.append(future.result())
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error
    return results


MIN_COPY_ELEMENTS = 2 ** 21


def contiguous(view, xp=np):
    """A C-contiguous copy of ``view`` (``xp.ascontiguousarray``), its rows copied on every
    thread: a copy only moves memory, and a second core moves it too. The rows are the first
    axis with two or more entries. A copy is exact however it is split.

    Measured (docs/speed.md, "Using every core"): im2col's copy at batch 1000 took 8.5 ms on two
    threads against 17.5 ms on one, once OpenBLAS's idle workers no longer spin on the second
    core (OPENBLAS_THREAD_TIMEOUT, set by ministn/__init__.py). Arrays under MIN_COPY_ELEMENTS
    (8 MB of float32) are copied in one call: splitting the copies of a training step at batch
    64 (about 1M elements each) made it slower, starting the threads cost more than it saved.
    """
    if xp is not np or view.size < MIN_COPY_ELEMENTS or view.flags.c_contiguous:
        return xp.ascontiguousarray(view)
    axis = next((a for a, n in enumerate(view.shape) if n >= 2), 0)
    out = np.empty(view.shape, dtype=view.dtype)
    per_item = view.size // view.shape[axis]
    lead = (slice(None),) * axis

    def body(start, stop):
        out[lead + (slice(start, stop),)] = view[lead + (slice(start, stop),)]
    parallel_for(view.shape[axis], body, min_chunk=-(-MIN_COPY_ELEMENTS // (2 * per_item)))
    return out
