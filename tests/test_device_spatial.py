"""The spatial ops on a GPU (CuPy) give NumPy's results (docs §12.4): 1e-12 in float64 and 1e-5
in float32 (atomics in the GPU scatter reorder sums, so never bitwise). Without a GPU the
``gpu`` fixture is tests/fake_cupy.py, which checks that no host array leaks into the device
path (and then agrees bitwise)."""
import numpy as np
import pytest

from ministn import Tensor
from ministn.backend import to_numpy
from ministn.functional import affine_grid, grid_sample, perspective_grid, tps_grid

from spatial_strategies import COMBINATIONS

TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}


def _run(xp, op, arrays, upstream, **options):
    """Output and gradients of op with arrays of module xp, as NumPy arrays."""
    inputs = [Tensor(xp.asarray(a), requires_grad=True) for a in arrays]
    out = op(*inputs, **options)
    out.backward(xp.asarray(upstream))
    results = [out.data] + [x.grad for x in inputs]
    assert all(type(r) is xp.ndarray for r in results)  # computed where the inputs live
    return [to_numpy(r) for r in results]


def _compare(op, arrays, upstream, dtype, gpu, **options):
    arrays = [a.astype(dtype) for a in arrays]
    cpu = _run(np, op, arrays, upstream.astype(dtype), **options)
    on_gpu = _run(gpu, op, arrays, upstream.astype(dtype), **options)
    for a, b in zip(cpu, on_gpu):
        assert b.dtype == dtype
        scale = max(1.0, np.abs(a).max())
        np.testing.assert_allclose(b, a, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype] * scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS)
def test_grid_sample_on_gpu_matches_numpy(mode, padding_mode, align_corners, dtype, gpu):
    rng = np.random.default_rng(0)
    U, grid = rng.standard_normal((3, 4, 9, 7)), rng.uniform(-2.5, 2.5, (3, 6, 8, 2))
    upstream = rng.standard_normal((3, 4, 6, 8))
    _compare(grid_sample, [U, grid], upstream, dtype, gpu, mode=mode, padding_mode=padding_mode,
             align_corners=align_corners)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("align_corners", [True, False])
def test_grid_generators_on_gpu_match_numpy(align_corners, dtype, gpu):
    rng = np.random.default_rng(1)
    size, upstream = (2, 1, 5, 6), rng.standard_normal((2, 5, 6, 2))
    theta = np.eye(2, 3) + 0.2 * rng.standard_normal((2, 2, 3))
    _compare(lambda t: affine_grid(t, size, align_corners), [theta], upstream, dtype, gpu)
    H = np.eye(3) + 0.1 * rng.standard_normal((2, 3, 3))
    _compare(lambda t: perspective_grid(t, size, align_corners), [H], upstream, dtype, gpu)
    offsets = rng.uniform(-0.3, 0.3, (2, 16, 2))
    _compare(lambda d: tps_grid(d, size, align_corners), [offsets], upstream, dtype, gpu)
