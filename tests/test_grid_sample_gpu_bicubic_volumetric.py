"""Bicubic, 5-D sampling, affine_grid 3-D and empty tensors on a GPU (CuPy) give NumPy's results
(docs §12.4): 1e-12 in float64, 1e-5 in float32, never bitwise (the scatter's atomics reorder
sums). Without a GPU the ``gpu`` fixture is tests/fake_cupy.py, which checks that no host array
leaks into the device path.
"""
import numpy as np
import pytest

from ministn import Tensor
from ministn.backend import to_numpy
from ministn.functional import affine_grid, grid_sample

from volume_strategies import BICUBIC_COMBINATIONS, VOLUME_COMBINATIONS

TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}


def _run(xp, op, arrays, upstream, **options):
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
        assert b.dtype == dtype and b.shape == a.shape
        scale = max(1.0, np.abs(a).max(initial=0.0))
        np.testing.assert_allclose(b, a, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype] * scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("padding_mode, align_corners", BICUBIC_COMBINATIONS)
def test_bicubic_on_gpu_matches_numpy(padding_mode, align_corners, dtype, gpu):
    rng = np.random.default_rng(0)
    U, grid = rng.standard_normal((3, 4, 9, 7)), rng.uniform(-2.5, 2.5, (3, 6, 8, 2))
    upstream = rng.standard_normal((3, 4, 6, 8))
    _compare(grid_sample, [U, grid], upstream, dtype, gpu, mode="bicubic",
             padding_mode=padding_mode, align_corners=align_corners)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode, padding_mode, align_corners", VOLUME_COMBINATIONS)
def test_volumetric_on_gpu_matches_numpy(mode, padding_mode, align_corners, dtype, gpu):
    rng = np.random.default_rng(1)
    U, grid = rng.standard_normal((2, 3, 5, 6, 4)), rng.uniform(-2.5, 2.5, (2, 3, 4, 5, 3))
    upstream = rng.standard_normal((2, 3, 3, 4, 5))
    _compare(grid_sample, [U, grid], upstream, dtype, gpu, mode=mode, padding_mode=padding_mode,
             align_corners=align_corners)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("align_corners", [True, False])
def test_affine_grid_3d_on_gpu_matches_numpy(align_corners, dtype, gpu):
    rng = np.random.default_rng(2)
    size, upstream = (2, 1, 3, 5, 6), rng.standard_normal((2, 3, 5, 6, 3))
    theta = np.eye(3, 4) + 0.2 * rng.standard_normal((2, 3, 4))
    _compare(lambda t: affine_grid(t, size, align_corners), [theta], upstream, dtype, gpu)


@pytest.mark.parametrize("input_shape, grid_shape, mode", [
    ((0, 2, 3, 4), (0, 2, 2, 2), "bicubic"), ((2, 0, 3, 4, 5), (2, 2, 2, 2, 3), "bilinear"),
    ((2, 2, 3, 4, 5), (2, 2, 0, 2, 3), "nearest")])
def test_empty_sampling_on_gpu(input_shape, grid_shape, mode, gpu):
    rng = np.random.default_rng(3)
    U, grid = rng.standard_normal(input_shape), rng.uniform(-1, 1, grid_shape)
    upstream = np.ones((*input_shape[:2], *grid_shape[1:-1]))
    _compare(grid_sample, [U, grid], upstream, np.float64, gpu, mode=mode)
