"""grid_sample on several threads gives the results of one thread, bit for bit (docs §13.3):
the sampler's passes split the batch into ranges of samples, which share no element."""
import importlib

import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import affine_grid, grid_sample
from ministn.parallel import threads

from spatial_strategies import COMBINATIONS

# the modules (import_module: the package's names shadow some of its modules)
kernels = importlib.import_module("ministn.functional.sampler_kernels")
taps_module = importlib.import_module("ministn.functional.sampler_taps")


def _run(U, grid, upstream, *args):
    u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
    out = grid_sample(u, g, *args)
    out.backward(upstream)
    return [out.data, u.grad, g.grad]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS)
def test_two_threads_equal_one_bitwise(mode, padding_mode, align_corners, dtype, monkeypatch):
    # the split switched on, and small chunks, so that this small batch really is split (and
    # into uneven ranges)
    monkeypatch.setattr(taps_module, "SPLIT_OVER_THREADS", True)
    monkeypatch.setattr(kernels, "MIN_CHUNK_WORK", 1)
    monkeypatch.setattr(kernels, "BLOCK_TAPS", 100)
    monkeypatch.setattr(taps_module, "MIN_POINTS_PER_THREAD", 1)
    rng = np.random.default_rng(5)
    U = rng.standard_normal((7, 3, 9, 8)).astype(dtype)
    grid = rng.uniform(-1.3, 1.3, (7, 11, 6, 2)).astype(dtype)  # upsampling: colliding taps
    upstream = rng.standard_normal((7, 3, 11, 6)).astype(dtype)
    args = (mode, padding_mode, align_corners)
    with threads(1):
        one = _run(U, grid, upstream, *args)
    for n in (2, 3):
        with threads(n):
            many = _run(U, grid, upstream, *args)
        for a, b in zip(one, many):
            assert np.array_equal(a, b)


def _forward_chunks(shape, monkeypatch):
    """The (start, stop) ranges the forward pass of grid_sample on ``shape`` runs through the
    parallel map, on 2 threads (none: it did not call the map)."""
    chunks = []
    real = kernels.parallel_for

    def counting(n_items, body, **options):
        def recorded(start, stop):
            chunks.append((start, stop))
            return body(start, stop)
        return real(n_items, recorded, **options)
    monkeypatch.setattr(kernels, "parallel_for", counting)
    theta = np.tile(np.eye(2, 3), (shape[0], 1, 1))
    with threads(2):
        grid_sample(np.ones(shape, np.float32), affine_grid(theta.astype(np.float32), shape))
    return sorted(chunks)


@pytest.mark.parametrize("split", [True, False])
def test_the_threads_are_used_when_the_split_is_on(split, monkeypatch):
    """With the split on and a batch over the chunk size, the forward pass runs in two chunks
    of samples; with it off, in one range and no thread."""
    monkeypatch.setattr(taps_module, "SPLIT_OVER_THREADS", split)
    monkeypatch.setattr(kernels, "MIN_CHUNK_WORK", 2 ** 10)
    assert _forward_chunks((64, 1, 28, 28), monkeypatch) == ([(0, 32), (32, 64)] if split else [])


def test_by_default_only_batches_with_enough_work_are_split(monkeypatch):
    """The defaults (docs/speed.md, "The sampler on two threads"): an MNIST batch, 0.2M tap
    values, is sampled in one range; a batch of 16-channel feature maps, 15M, in two."""
    assert _forward_chunks((64, 1, 28, 28), monkeypatch) == [(0, 64)]
    assert _forward_chunks((64, 16, 60, 60), monkeypatch) == [(0, 32), (32, 64)]
