"""PyTorch's own grid_sample / affine_grid test cases for bicubic and 5-D, ported from its
test/test_nn.py (TestNN.test_grid_sample, test_grid_sample_3d, test_affine_grid_3d,
test_grid_sample_error_checking, test_affine_grid_error_checking,
test_grid_sample_nearest_neighbor_rounding_mode_consistency), docs §15-§18.

The ground-truth tables are PyTorch's, compared as PyTorch compares them (atol 1e-5: they are
printed to about 7 digits). Where PyTorch compares its CPU kernel with its CUDA kernel or its
unvectorised fallback, the port compares ministn with PyTorch's CPU kernel, in float64, to
1e-12; where PyTorch runs torch.autograd.gradcheck, the port runs ministn.gradcheck. Error
types differ by design: ministn raises ValueError where PyTorch raises RuntimeError (docs §9).
"""
import random
import warnings

import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import affine_grid, grid_sample
from ministn.gradcheck import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
COMBINATIONS = [(p, a) for p in ("zeros", "border", "reflection") for a in (True, False)]

# test_grid_sample: "test known input on CPU", input arange(1, 11).view(1, 1, 2, 5)
KNOWN_GRID = np.array([[[-0.9, -4.1], [0, 0.2000], [1, -1], [-0.333, 1e-6], [0.5, 1.0]],
                       [[-1.0, -0.5], [0, 0.3333], [1, -1], [-0.200, 1e-6], [1.5, 0.5]]]).reshape(1, 2, 5, 2)
BICUBIC_VALUES = {
    ("zeros", True): [[-0.10424726, 7.1400003, 5.0000, 5.7842274, 9.0000],
                      [2.4492188, 7.4814040, 5.0000, 6.0277520, 0.0000]],
    ("zeros", False): [[0.00000, 7.6287503, 1.0625, 5.5977230, 5.3270264],
                       [0.40625, 8.0288770, 1.0625, 5.9375067, -0.3515625]],
    ("border", True): [[1.1520010, 6.0599990, 5.0000, 4.870930, 9.0000000],
                       [2.1328125, 6.4258375, 5.0000, 5.076003, 8.8671875]],
    ("border", False): [[0.894531, 6.6050020, 4.625, 4.7138715, 9.800781],
                        [0.906250, 7.2822485, 4.625, 5.0000052, 10.00000]],
    ("reflection", True): [[3.1822524, 6.239998, 5.0000, 4.8709273, 9.00000],
                           [1.7812500, 6.703594, 5.0000, 5.0760007, 8.21875]],
    ("reflection", False): [[2.7993753, 6.6050020, 4.25, 4.7138715, 10.269531],
                            [0.8125000, 7.2822485, 4.25, 5.0000052, 9.332031]],
}
# test_grid_sample: "explicit check for gradient edge cases", input arange(0, 5) expanded to 5 x 5
EDGE_GRID = np.array([[[1.0, 1.0], [1.0, -1.0], [0.8, 0.8], [0.8, -0.8]],
                      [[-1.0, -1.0], [-1.0, 1.0], [-0.8, -0.8], [-0.8, 0.8]]]).reshape(1, 2, 4, 2)
BICUBIC_EDGE_GRADIENTS = {
    ("zeros", True): [[[-4.5, -6.], [-4.5, 6.], [2.725679, 0.740878], [2.725679, -0.740878]],
                      [[1.5, 0.], [1.5, 0.], [1.927921, -0.05688], [1.927921, 0.05688]]],
    ("zeros", False): [[[-5.859375, -5.888672], [-5.859375, 5.888672], [-5.6250, -7.5000], [-5.6250, 7.5000]],
                       [[-0.234375, -0.263672], [-0.234375, 0.263672], [1.8750, 0.], [1.8750, 0.]]],
    ("border", True): [[[1.5, 0.], [1.5, 0.], [1.74, 0.], [1.74, 0.]],
                       [[1.5, 0.], [1.5, 0.], [1.74, 0.], [1.74, 0.]]],
    ("border", False): [[[-0.46875, 0.], [-0.46875, 0.], [1.8750, 0.], [1.8750, 0.]],
                        [[-0.46875, 0.], [-0.46875, 0.], [1.8750, 0.], [1.8750, 0.]]],
    ("reflection", True): [[[0., 0.], [0., 0.], [1.92, 0.], [1.92, 0.]],
                           [[0., 0.], [0., 0.], [1.92, 0.], [1.92, 0.]]],
    ("reflection", False): [[[0., 0.], [0., 0.], [1.875, 0.], [1.875, 0.]],
                            [[0., 0.], [0., 0.], [1.875, 0.], [1.875, 0.]]],
}


@pytest.mark.parametrize("padding_mode, align_corners", COMBINATIONS)
def test_bicubic_known_input(padding_mode, align_corners):
    U = np.arange(1.0, 11).reshape(1, 1, 2, 5)
    out = grid_sample(U, KNOWN_GRID, "bicubic", padding_mode, align_corners).data
    expected = np.array(BICUBIC_VALUES[padding_mode, align_corners]).reshape(1, 1, 2, 5)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize("padding_mode, align_corners", COMBINATIONS)
def test_bicubic_gradient_edge_cases(padding_mode, align_corners):
    for input_requires_grad in (False, True):
        u = Tensor(np.broadcast_to(np.arange(0.0, 5), (1, 1, 5, 5)).copy(),
                   requires_grad=input_requires_grad)
        g = Tensor(EDGE_GRID.copy(), requires_grad=True)
        out = grid_sample(u, g, "bicubic", padding_mode, align_corners)
        out.backward(np.ones(out.shape))
        expected = np.array(BICUBIC_EDGE_GRADIENTS[padding_mode, align_corners]).reshape(1, 2, 4, 2)
        np.testing.assert_allclose(g.grad, expected, rtol=0, atol=1e-5)


def _compare_with_torch(U, grid, mode, padding_mode, align_corners, seed):
    upstream = np.random.default_rng(seed).standard_normal((*U.shape[:2], *grid.shape[1:-1]))
    u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
    out = grid_sample(u, g, mode, padding_mode, align_corners)
    assert out.shape == (*U.shape[:2], *grid.shape[1:-1])
    out.backward(upstream)
    tu, tg = torch.tensor(U, requires_grad=True), torch.tensor(grid, requires_grad=True)
    tout = TF.grid_sample(tu, tg, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    tout.backward(torch.tensor(upstream))
    for a, b in zip((out.data, u.grad, g.grad), (tout.detach(), tu.grad, tg.grad)):
        b = b.numpy()
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(b).max(initial=0)))


def _shapes(D, rng):
    """test_shape's sweep: same size, larger and smaller output, a 1 x 1 (x 1) input, an empty
    grid, an empty channel axis, an empty batch (sizes drawn as test_nn.py draws them)."""
    r = rng.randint
    N, C, sizes = r(2, 5), r(2, 4), [r(2, 5) for _ in range(D)]
    yield N, C, sizes, sizes
    yield r(2, 5), r(2, 5), [s for s in sizes], [r(s + 1, 9) for s in sizes]
    yield r(2, 5), r(2, 5), sizes, [r(2, s) for s in sizes]
    yield r(2, 5), r(2, 5), [1] * D, [r(2, 5) for _ in range(D)]
    yield r(2, 5), r(2, 5), sizes, [r(3, s + 2) for s in sizes[:-2]] + [0, r(3, sizes[-1] + 2)]
    yield r(2, 5), 0, sizes, [r(3, s + 2) for s in sizes]
    yield 0, r(2, 5), sizes, [r(3, s + 2) for s in sizes]


@pytest.mark.parametrize("padding_mode, align_corners", COMBINATIONS)
def test_bicubic_shapes_match_torch(padding_mode, align_corners):
    rng = random.Random(f"bicubic {padding_mode} {align_corners}")
    for k, (N, C, sizes, out) in enumerate(_shapes(2, rng)):
        # the input is laid out (C, N, H, W) and transposed, as test_nn.py does
        U = np.random.default_rng(k).standard_normal((C, N, *sizes)).swapaxes(0, 1)
        grid = np.random.default_rng(k + 100).standard_normal((N, *out, 2))
        _compare_with_torch(U, grid, "bicubic", padding_mode, align_corners, k)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode, align_corners", COMBINATIONS)
def test_grid_sample_3d_shapes_match_torch(mode, padding_mode, align_corners):
    rng = random.Random(f"3d {mode} {padding_mode} {align_corners}")
    for k, (N, C, sizes, out) in enumerate(_shapes(3, rng)):
        U = np.random.default_rng(k).standard_normal((C, N, *sizes)).swapaxes(0, 1)
        # the grid is laid out (D, N, H, W, 3) and transposed, as test_nn.py does
        grid = np.random.default_rng(k + 100).standard_normal((out[0], N, *out[1:], 3)).swapaxes(0, 1)
        _compare_with_torch(U, grid, mode, padding_mode, align_corners, k)


@pytest.mark.parametrize("padding_mode, align_corners", COMBINATIONS)
def test_bicubic_gradcheck(padding_mode, align_corners):
    rng = np.random.default_rng(COMBINATIONS.index((padding_mode, align_corners)))
    N, C, H, W = 2, 2, 3, 4
    U, grid = rng.standard_normal((N, C, H, W)), rng.standard_normal((N, H, W, 2))
    for input_requires_grad in (False, True):
        inputs = [Tensor(U, requires_grad=input_requires_grad), Tensor(grid, requires_grad=True)]
        gradcheck(lambda u, g: grid_sample(u, g, "bicubic", padding_mode, align_corners), inputs)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode, align_corners", COMBINATIONS)
def test_grid_sample_3d_gradcheck(mode, padding_mode, align_corners):
    rng = np.random.default_rng(7)
    N, C, D, H, W = 2, 2, 2, 3, 2
    U, grid = rng.standard_normal((N, C, D, H, W)), rng.standard_normal((N, D, H, W, 3))
    inputs = [Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)]
    gradcheck(lambda u, g: grid_sample(u, g, mode, padding_mode, align_corners), inputs)
    gradcheck(lambda g: grid_sample(U, g, mode, padding_mode, align_corners),
              [Tensor(grid, requires_grad=True)])


def test_affine_grid_3d_known_input():
    theta = np.arange(1.0, 13).reshape(1, 3, 4)
    aligned = [[[[[-2., -10., -18.], [0., 0., 0.]], [[2., 2., 2.], [4., 12., 20.]]],
                [[[4., 4., 4.], [6., 14., 22.]], [[8., 16., 24.], [10., 26., 42.]]]]]
    unaligned = [[[[[1., -1., -3.], [2., 4., 6.]], [[3., 5., 7.], [4., 10., 16.]]],
                  [[[4., 6., 8.], [5., 11., 17.]], [[6., 12., 18.], [7., 17., 27.]]]]]
    np.testing.assert_array_equal(affine_grid(theta, (1, 1, 2, 2, 2), True).data, aligned)
    np.testing.assert_array_equal(affine_grid(theta, (1, 1, 2, 2, 2), False).data, unaligned)


@pytest.mark.parametrize("align_corners", [True, False])
def test_affine_grid_3d_gradcheck(align_corners):
    rng = random.Random(f"affine 3d {align_corners}")
    size = (rng.randint(1, 4), rng.randint(1, 4), *(rng.randint(1, 5) for _ in range(3)))
    theta = Tensor(np.random.default_rng(1).standard_normal((size[0], 3, 4)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                        # a size of 1 may be drawn
        gradcheck(lambda t: affine_grid(t, size, align_corners), [theta])


def test_grid_sample_error_checking():
    with pytest.raises(ValueError, match="input must have non-empty spatial dimensions"):
        grid_sample(np.empty((1, 1, 0, 2)), np.zeros((1, 1, 1, 2)), align_corners=False)
    with pytest.raises(ValueError, match="bicubic.* supports only 4-D input"):
        grid_sample(np.empty((1, 1, 2, 2, 2)), np.zeros((1, 1, 1, 1, 3)), mode="bicubic")
    with pytest.raises(ValueError, match="grid's last dimension must be 2"):
        grid_sample(np.empty((1, 1, 2, 2)), np.zeros((1, 1, 1, 3)), align_corners=False)


@pytest.mark.parametrize("theta, no_warning, warning", [
    (np.zeros((1, 2, 3)), (1, 1, 2, 1), (1, 1, 2, 1)),
    (np.zeros((1, 3, 4)), (1, 1, 3, 2, 1), (1, 1, 3, 2, 1)),
])
def test_affine_grid_error_checking_warnings(theta, no_warning, warning):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        affine_grid(theta, no_warning, align_corners=False)
    with pytest.warns(UserWarning, match="unit-size grids"):
        affine_grid(theta, warning, align_corners=True)


@pytest.mark.parametrize("bad", [lambda t: t[0], lambda t: t[None], lambda t: np.tile(t, (1, 2, 1)),
                                 lambda t: np.tile(t, (1, 1, 2))])
def test_affine_grid_3d_error_checking(bad):
    theta = np.zeros((1, 3, 4))
    with pytest.raises(ValueError, match=r"theta must have shape \(N, 3, 4\)"):
        affine_grid(bad(theta), (1, 1, 2, 2, 2), align_corners=False)


@pytest.mark.parametrize("padding_mode, align_corners", COMBINATIONS)
def test_nearest_rounding_is_the_same_along_every_axis_in_2d_and_3d(padding_mode, align_corners):
    """test_grid_sample_nearest_neighbor_rounding_mode_consistency, float32 as there: x.0 and x.5
    inquiries give bit-identical results along x in 2-D and along x, y and z in 3-D."""
    n, other = 10, 9
    i = np.arange(0, n - 1 + 0.1, 0.1, dtype=np.float32)
    g = (2 * i / (n - 1) - 1) if align_corners else ((i * 2 + 1) / n - 1)
    g = g.astype(np.float32)
    fixed = np.full_like(g, 0.5)
    data = np.random.default_rng(0).random(n).astype(np.float32)
    image = np.broadcast_to(data, (1, 1, other, n)).copy()
    grid2 = np.stack([g, fixed], -1)[None, None]
    x2 = grid_sample(image, grid2, "nearest", padding_mode, align_corners).data[0, 0, 0]
    y2 = grid_sample(image.swapaxes(3, 2).copy(), grid2[..., ::-1].copy(), "nearest", padding_mode,
                     align_corners).data[0, 0, 0]
    volume = np.broadcast_to(data, (1, 1, other, other, n)).copy()
    grid3 = np.stack([g, fixed, fixed], -1)[None, None, None]
    results = [x2, y2]
    for transpose, order in [((0, 1, 2, 3, 4), [0, 1, 2]), ((0, 1, 2, 4, 3), [1, 0, 2]),
                             ((0, 1, 4, 3, 2), [1, 2, 0])]:
        out = grid_sample(volume.transpose(transpose).copy(), grid3[..., order].copy(), "nearest",
                          padding_mode, align_corners).data
        results.append(out[0, 0, 0, 0])
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])
