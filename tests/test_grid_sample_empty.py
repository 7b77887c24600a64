"""Empty tensors as PyTorch 2.13 treats them (docs §17): N = 0, C = 0 or an empty grid give an
empty output of the right shape and zero gradients; an empty input image is an error;
affine_grid refuses a zero size, except where PyTorch's unit-size branch lets N = 0 through.
"""
import warnings

import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import affine_grid, grid_sample

CASES = [  # input shape, grid shape
    ((0, 2, 3, 4), (0, 2, 2, 2)), ((2, 0, 3, 4), (2, 2, 2, 2)), ((2, 2, 3, 4), (2, 0, 2, 2)),
    ((2, 2, 3, 4), (2, 2, 0, 2)), ((0, 0, 3, 4), (0, 0, 2, 2)),
    ((0, 2, 3, 4, 5), (0, 2, 2, 2, 3)), ((2, 0, 3, 4, 5), (2, 2, 2, 2, 3)),
    ((2, 2, 3, 4, 5), (2, 0, 2, 2, 3)), ((2, 2, 3, 4, 5), (2, 2, 2, 0, 3)),
]
MODE_CASES = [(m, u, g) for m in ("bilinear", "nearest", "bicubic") for u, g in CASES
              if not (m == "bicubic" and len(u) == 5)]


def _ours(input_shape, grid_shape, mode, padding_mode="zeros", align_corners=False):
    rng = np.random.default_rng(0)
    u = Tensor(rng.standard_normal(input_shape), requires_grad=True)
    g = Tensor(rng.uniform(-1, 1, grid_shape), requires_grad=True)
    V = grid_sample(u, g, mode, padding_mode, align_corners)
    V.backward(np.ones(V.shape))
    return V, u.grad, g.grad


@pytest.mark.parametrize("mode, input_shape, grid_shape", MODE_CASES)
@pytest.mark.parametrize("padding_mode", ["zeros", "reflection"])
def test_empty_sampling_gives_shapes_and_zero_gradients(mode, input_shape, grid_shape, padding_mode):
    V, dU, dG = _ours(input_shape, grid_shape, mode, padding_mode)
    assert V.shape == (*input_shape[:2], *grid_shape[1:-1])
    assert dU.shape == input_shape and dG.shape == grid_shape
    assert not dU.any() and not dG.any()


@pytest.mark.parametrize("mode, input_shape, grid_shape", MODE_CASES)
def test_empty_sampling_matches_torch(mode, input_shape, grid_shape):
    torch = pytest.importorskip("torch")
    V, dU, dG = _ours(input_shape, grid_shape, mode)
    tu = torch.zeros(input_shape, dtype=torch.float64, requires_grad=True)
    tg = torch.zeros(grid_shape, dtype=torch.float64, requires_grad=True)
    tV = torch.nn.functional.grid_sample(tu, tg, mode=mode, align_corners=False)
    tV.sum().backward()
    assert V.shape == tuple(tV.shape) and V.dtype == np.float64
    assert dU.shape == tuple(tu.grad.shape) and dG.shape == tuple(tg.grad.shape)


@pytest.mark.parametrize("input_shape", [(2, 2, 0, 4), (2, 2, 3, 0), (2, 2, 0, 4, 5)])
def test_an_empty_image_is_an_error_as_in_torch(input_shape):
    grid_shape = (2, 2, 2, len(input_shape) - 2) if len(input_shape) == 4 else (2, 2, 2, 2, 3)
    with pytest.raises(ValueError, match=r"input must have non-empty spatial dimensions"):
        grid_sample(np.zeros(input_shape), np.zeros(grid_shape))


@pytest.mark.parametrize("size", [(0, 1, 3, 4), (2, 0, 3, 4), (2, 1, 0, 4), (0, 1, 3, 4, 5),
                                  (2, 1, 1, 0)])
@pytest.mark.parametrize("align_corners", [True, False])
def test_affine_grid_refuses_a_zero_size(size, align_corners):
    theta = np.zeros((size[0], len(size) - 2, len(size) - 1))
    with pytest.raises(ValueError, match=r"size entries must be positive"):
        affine_grid(theta, size, align_corners)


@pytest.mark.parametrize("size", [(0, 1, 1, 4), (2, 0, 1, 4), (0, 1, 2, 1, 3)])
def test_affine_grid_unit_size_branch_lets_empty_sizes_through(size):
    """PyTorch checks the size only when it does not warn: N = 0 gives an empty grid there, and
    C = 0 is ignored (C never matters to the grid)."""
    D = len(size) - 2
    theta = Tensor(np.zeros((size[0], D, D + 1)), requires_grad=True)
    with pytest.warns(UserWarning, match="size 1"):
        grid = affine_grid(theta, size, True)
    assert grid.shape == (size[0], *size[2:], D)
    grid.backward(np.ones(grid.shape))
    assert theta.grad.shape == theta.shape
    if size[0] == 0:
        assert theta.grad.size == 0


@pytest.mark.parametrize("size, align_corners", [
    ((0, 1, 3, 4), False), ((2, 0, 3, 4), True), ((2, 1, 1, 0), True), ((0, 1, 1, 4), True),
    ((2, 0, 1, 4), True), ((0, 1, 2, 1, 3), True), ((0, 1, 2, 1, 3), False)])
def test_affine_grid_empty_sizes_match_torch(size, align_corners):
    torch = pytest.importorskip("torch")
    D = len(size) - 2
    theta = np.zeros((size[0], D, D + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = tuple(torch.nn.functional.affine_grid(torch.tensor(theta), size,
                                                             align_corners=align_corners).shape)
        except ValueError:
            expected = ValueError
        try:
            ours = affine_grid(theta, size, align_corners).shape
        except ValueError:
            ours = ValueError
    assert ours == expected
