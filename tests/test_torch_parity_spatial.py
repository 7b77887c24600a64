"""Parity with PyTorch's affine_grid and grid_sample in float64 (docs §12.3).

Both sides get the *same* grid array (a one-ulp difference in a grid can flip a floor, docs §11.2),
and only finite grids (PyTorch's CPU backward can crash on NaN/inf, docs §10.3). Bilinear
outputs and gradients agree to 1e-12; nearest outputs and input gradients agree exactly, its
grid gradient is zero on both sides.
"""
import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import affine_grid, grid_sample

from spatial_strategies import COMBINATIONS

torch = pytest.importorskip("torch")
TF = torch.nn.functional

KNIFE_EDGES = [-3.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0, 1e10, -1e10]
SHAPES = [  # (N, C, H, W), (H_out, W_out): square, non-square, odd, single row/column, resized
    ((2, 3, 5, 5), (5, 5)), ((2, 2, 4, 7), (6, 3)), ((1, 1, 1, 6), (2, 5)),
    ((1, 2, 6, 1), (4, 4)), ((3, 1, 8, 3), (2, 9)),
]


def _grid(N, H_out, W_out, seed):
    """Uniform in [-2.5, 2.5] (far outside too), with knife-edge values planted in each axis."""
    grid = np.random.default_rng(seed).uniform(-2.5, 2.5, (N, H_out, W_out, 2))
    flat = grid.reshape(-1, 2)
    k = min(len(KNIFE_EDGES), len(flat))
    flat[:k, 0] = KNIFE_EDGES[:k]
    flat[-k:, 1] = KNIFE_EDGES[-k:]
    return grid


def _ours(U, grid, upstream, *args):
    u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
    V = grid_sample(u, g, *args)
    V.backward(upstream)
    return V.data, u.grad, g.grad


def _theirs(U, grid, upstream, mode, padding_mode, align_corners):
    u, g = torch.tensor(U, requires_grad=True), torch.tensor(grid, requires_grad=True)
    V = TF.grid_sample(u, g, mode, padding_mode, align_corners)
    V.backward(torch.tensor(upstream))
    return V.detach().numpy(), u.grad.numpy(), g.grad.numpy()


@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS)
@pytest.mark.parametrize("shape, out_size", SHAPES)
def test_grid_sample_matches_torch(mode, padding_mode, align_corners, shape, out_size):
    rng = np.random.default_rng(sum(shape) + sum(out_size))
    U = rng.standard_normal(shape)
    grid = _grid(shape[0], *out_size, seed=len(shape) + out_size[0])
    upstream = rng.standard_normal((shape[0], shape[1], *out_size))
    ours = _ours(U, grid, upstream, mode, padding_mode, align_corners)
    theirs = _theirs(U, grid, upstream, mode, padding_mode, align_corners)
    if mode == "nearest":
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(ours[1], theirs[1])
        assert (ours[2] == 0).all() and (theirs[2] == 0).all()
        return
    for name, a, b in zip(("output", "grad_input", "grad_grid"), ours, theirs):
        scale = max(1.0, np.abs(b).max())
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * scale, err_msg=name)


@pytest.mark.filterwarnings("ignore:affine_grid.*spatial axis of size 1:UserWarning")  # both libraries warn
@pytest.mark.filterwarnings("ignore:Since version 1.3.0, affine_grid:UserWarning")        # on a size-1 axis
@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("size", [(2, 3, 5, 5), (3, 1, 4, 7), (1, 1, 1, 6), (2, 2, 28, 28)])
def test_affine_grid_matches_torch(size, align_corners):
    rng = np.random.default_rng(size[2] * size[3])
    theta0 = np.eye(2, 3) + 0.5 * rng.standard_normal((size[0], 2, 3))
    upstream = rng.standard_normal((size[0], size[2], size[3], 2))
    theta = Tensor(theta0, requires_grad=True)
    affine_grid(theta, size, align_corners).backward(upstream)
    t = torch.tensor(theta0, requires_grad=True)
    reference = TF.affine_grid(t, size, align_corners)
    reference.backward(torch.tensor(upstream))
    np.testing.assert_allclose(affine_grid(theta0, size, align_corners).data,
                               reference.detach().numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(theta.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [True, False])
def test_spatial_transformer_pipeline_gradient_matches_torch(padding_mode, align_corners):
    """theta -> affine_grid -> grid_sample -> loss, away from the identity (docs §12.3)."""
    rng = np.random.default_rng(13)
    theta0 = np.array([[[0.8, -0.3, 0.1], [0.25, 0.9, -0.2]], [[1.2, 0.1, -0.3], [-0.2, 0.7, 0.15]]])
    U, size = rng.standard_normal((2, 3, 7, 6)), (2, 3, 5, 8)
    upstream = rng.standard_normal((2, 3, 5, 8))
    theta, u = Tensor(theta0, requires_grad=True), Tensor(U, requires_grad=True)
    grid_sample(u, affine_grid(theta, size, align_corners), "bilinear", padding_mode,
                align_corners).backward(upstream)
    t, tu = torch.tensor(theta0, requires_grad=True), torch.tensor(U, requires_grad=True)
    TF.grid_sample(tu, TF.affine_grid(t, size, align_corners), "bilinear", padding_mode,
                   align_corners).backward(torch.tensor(upstream))
    np.testing.assert_allclose(theta.grad, t.grad.numpy(), rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(u.grad, tu.grad.numpy(), rtol=1e-12, atol=1e-12)
