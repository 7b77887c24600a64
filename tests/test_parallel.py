"""ministn.parallel: the chunks cover the range once, in order; one chunk when the map is off;
the setting, its context manager and the environment variable; errors in a chunk surface."""
import threading

import numpy as np
import pytest

import ministn
from ministn import parallel
from ministn.parallel import chunk_bounds, parallel_for, set_num_threads, threads


@pytest.mark.parametrize("n_items", [0, 1, 2, 7, 64, 1000])
@pytest.mark.parametrize("n_chunks", [1, 2, 3, 8])
def test_chunk_bounds_cover_the_range_once_in_order_with_sizes_within_one(n_items, n_chunks):
    bounds = chunk_bounds(n_items, n_chunks)
    assert len(bounds) == n_chunks
    assert bounds[0][0] == 0 and bounds[-1][1] == n_items
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    sizes = [stop - start for start, stop in bounds]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_results_come_back_in_chunk_order_and_cover_every_item(n):
    with threads(n):
        chunks = parallel_for(10, lambda start, stop: (start, stop))
    assert [c[0] for c in chunks] == sorted(c[0] for c in chunks)
    assert sum((list(range(a, b)) for a, b in chunks), []) == list(range(10))
    assert len(chunks) == min(n, 10)


def test_chunks_run_on_several_threads_when_asked():
    seen = set()
    barrier = threading.Barrier(2, timeout=10)  # fails unless two chunks run at the same time

    def body(start, stop):
        seen.add(threading.get_ident())
        barrier.wait()
        return stop - start

    with threads(2):
        assert parallel_for(8, body) == [4, 4]
    assert len(seen) == 2


@pytest.mark.parametrize("case", ["one thread", "too few items", "gpu", "nested"])
def test_one_direct_call_when_the_map_is_off(case):
    calls = []

    def body(start, stop):
        calls.append((start, stop, threading.get_ident()))
        return start, stop

    n, kwargs = 16, {}
    if case == "too few items":
        kwargs["min_chunk"] = 9
    if case == "gpu":
        kwargs["xp"] = object()  # any array module other than NumPy
    with threads(1 if case == "one thread" else 4):
        if case == "nested":
            outer = parallel_for(2, lambda a, b: parallel_for(n, body))
            assert outer == [[(0, n)], [(0, n)]]
        else:
            assert parallel_for(n, body, **kwargs) == [(0, n)]
    if case != "nested":
        assert calls == [(0, n, threading.get_ident())]


def test_min_chunk_bounds_the_number_of_chunks():
    with threads(8):
        chunks = parallel_for(10, lambda a, b: b - a, min_chunk=4)
    assert chunks == [5, 5]


def test_writing_disjoint_rows_gives_the_one_thread_result_bit_for_bit():
    x = np.random.default_rng(0).standard_normal((37, 50, 9)).astype(np.float32)

    def result():
        out = np.empty_like(x)

        def body(start, stop):
            np.exp(np.tanh(x[start:stop]) * 1.7, out=out[start:stop])
        parallel_for(len(x), body)
        return out

    with threads(1):
        serial = result()
    for n in (2, 3, 5):
        with threads(n):
            assert np.array_equal(result(), serial)


def test_an_error_in_any_chunk_is_raised_after_all_chunks_finish():
    finished = []

    def body(start, stop):
        if start > 0:
            raise RuntimeError(f"chunk at {start}")
        finished.append(start)

    with threads(3), pytest.raises(RuntimeError, match="chunk at"):
        parallel_for(9, body)
    assert finished == [0]


def test_threads_restores_the_setting_even_after_an_error():
    before = parallel.num_threads()
    with pytest.raises(KeyError), threads(before + 3):
        assert parallel.num_threads() == before + 3
        raise KeyError
    assert parallel.num_threads() == before


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError),
                                        (True, TypeError), ("2", TypeError)])
def test_set_num_threads_rejects_what_is_not_a_positive_whole_number(bad, error):
    with pytest.raises(error, match="n must be"):
        set_num_threads(bad)


def test_default_comes_from_the_environment_else_the_cores_available(monkeypatch):
    monkeypatch.setitem(parallel._state, "threads", None)
    monkeypatch.setenv("MINISTN_NUM_THREADS", "3")
    assert parallel.num_threads() == 3
    monkeypatch.setitem(parallel._state, "threads", None)
    monkeypatch.delenv("MINISTN_NUM_THREADS")
    assert parallel.num_threads() >= 1
    monkeypatch.setitem(parallel._state, "threads", None)
    monkeypatch.setenv("MINISTN_NUM_THREADS", "many")
    with pytest.raises(ValueError, match="MINISTN_NUM_THREADS"):
        parallel.num_threads()


def test_the_package_exports_the_setting():
    assert ministn.set_num_threads is set_num_threads
    assert ministn.num_threads is parallel.num_threads


@pytest.mark.parametrize("shape, axes", [((3, 1, 70, 90, 50), (1, 2, 3, 4, 0)),   # (N,C,H,W) -> batch last
                                         ((1, 1, 120, 110, 40), (4, 0, 2, 1, 3)),
                                         ((2, 5, 7, 11, 300), (3, 0, 4, 2, 1))])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_contiguous_copies_a_view_exactly_whatever_the_threads(shape, axes, n, monkeypatch):
    """The copy equals ascontiguousarray, bit for bit and C-ordered, for a leading axis of
    length 1, odd sizes and more threads than fit; every element below the size threshold too."""
    view = np.random.default_rng(0).standard_normal(shape).transpose(axes)[:, ::2]
    monkeypatch.setattr(parallel, "MIN_COPY_ELEMENTS", 2 ** 10)
    with threads(n):
        copy = parallel.contiguous(view)
    assert copy.flags.c_contiguous and copy.dtype == view.dtype
    assert np.array_equal(copy, np.ascontiguousarray(view))


def test_contiguous_splits_the_copy_over_threads_only_for_large_arrays(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_COPY_ELEMENTS", 2 ** 18)
    seen = []
    real = parallel.parallel_for

    def spy(n_items, body, **kwargs):
        seen.append(n_items)
        return real(n_items, body, **kwargs)
    monkeypatch.setattr(parallel, "parallel_for", spy)
    with threads(2):
        parallel.contiguous(np.zeros((8, 8)).T)                    # small: one call, no map
        parallel.contiguous(np.zeros((1, 600, 600)).transpose(0, 2, 1))
    assert seen == [600]                                           # split along the first axis > 1


@pytest.mark.parametrize("script, environment, expected", [
    ("import ministn", {}, "4"),                               # ministn first: set
    ("import ministn", {"OPENBLAS_THREAD_TIMEOUT": "9"}, "9"),  # the user's value: kept
    ("import numpy, ministn", {}, None),                      # NumPy first: too late, left unset
])
def test_ministn_lets_openblas_threads_sleep_only_when_it_can(script, environment, expected):
    """OPENBLAS_THREAD_TIMEOUT is read when NumPy loads OpenBLAS, so ministn sets it (to 4: idle
    OpenBLAS threads sleep at once) only when imported before NumPy, never over a user's value."""
    import json
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    env.update(environment)
    done = subprocess.run([sys.executable, "-c", script + "; import os, json; print(json.dumps("
                           "os.environ.get('OPENBLAS_THREAD_TIMEOUT')))"],
                          capture_output=True, text=True, env=env, check=True)
    assert json.loads(done.stdout) == expected
