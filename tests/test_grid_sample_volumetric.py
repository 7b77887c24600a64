"""grid_sample on 5-D input, trilinear ("bilinear") and nearest (docs §16): central differences,
the adjoint identity, a naive loop written from PyTorch's 3-D CPU kernel, properties, bad input.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ministn import Tensor
from ministn.functional import grid_sample
from ministn.gradcheck import check_adjoint, gradcheck

from naive_volumetric import grid_sample_3d_naive
from volume_strategies import VOLUME_COMBINATIONS, volume_case

few = settings(max_examples=max(3, settings.default.max_examples // 3))
IDS = [f"{m}-{p}-{'ac' if a else 'noac'}" for m, p, a in VOLUME_COMBINATIONS]


def _seeded(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("mode, padding_mode, align_corners", VOLUME_COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_volumetric_grads_match_central_differences(mode, padding_mode, align_corners, data):
    U, grid = data.draw(volume_case(mode, padding_mode, align_corners, max_size=3))
    inputs = [Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)]
    gradcheck(lambda u, g: grid_sample(u, g, mode, padding_mode, align_corners), inputs)


@pytest.mark.parametrize("mode, padding_mode, align_corners", VOLUME_COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_volumetric_adjoint_identity(mode, padding_mode, align_corners, data):
    U, grid = data.draw(volume_case(mode, padding_mode, align_corners))
    check_adjoint(lambda u: grid_sample(u, grid, mode, padding_mode, align_corners), Tensor(U))


@pytest.mark.parametrize("mode, padding_mode, align_corners", VOLUME_COMBINATIONS, ids=IDS)
@few
@given(data=st.data())
def test_volumetric_matches_naive_loop(mode, padding_mode, align_corners, data):
    U, grid = data.draw(volume_case(mode, padding_mode, align_corners))
    u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
    V = grid_sample(u, g, mode, padding_mode, align_corners)
    upstream = _seeded(V.shape)
    V.backward(upstream)
    naive = grid_sample_3d_naive(U, grid, mode, padding_mode, align_corners, upstream)
    for ours, theirs in zip((V.data, u.grad, g.grad), naive):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode, padding_mode, align_corners", VOLUME_COMBINATIONS, ids=IDS)
def test_volumetric_matches_naive_loop_on_knife_edges(mode, padding_mode, align_corners):
    """Integers, ties, the ends, folds, far outside, on every axis in turn."""
    values = np.array([-3, -1.5, -1, -0.5, -1 / 3, 0, 0.5, 1, 4 / 3, 2, 3.5, 1e6, -1e6])
    rng = np.random.default_rng(2)
    for D, H, W in [(3, 4, 5), (1, 2, 3), (2, 1, 1)]:
        grid = rng.uniform(-1.2, 1.2, (1, 3, len(values), 1, 3))
        for axis in range(3):
            grid[0, axis, :, 0, axis] = values
        U = _seeded((1, 2, D, H, W), D * 100 + H * 10 + W)
        u, g = Tensor(U, requires_grad=True), Tensor(grid, requires_grad=True)
        V = grid_sample(u, g, mode, padding_mode, align_corners)
        upstream = _seeded(V.shape, 1)
        V.backward(upstream)
        naive = grid_sample_3d_naive(U, grid, mode, padding_mode, align_corners, upstream)
        for ours, theirs in zip((V.data, u.grad, g.grad), naive):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_a_volume_of_one_slice_samples_as_the_image(mode, padding_mode):
    """D = 1 and z = 0 (align_corners=False: the slice's centre): the 2-D sampler's result."""
    rng = np.random.default_rng(4)
    U, grid2 = rng.standard_normal((2, 3, 5, 6)), rng.uniform(-1.4, 1.4, (2, 4, 3, 2))
    grid3 = np.concatenate([grid2, np.zeros((2, 4, 3, 1))], -1)[:, None]
    image = grid_sample(U, grid2, mode, padding_mode).data
    volume = grid_sample(U[:, :, None], grid3, mode, padding_mode).data
    np.testing.assert_allclose(volume[:, :, 0], image, rtol=0, atol=1e-15)


@pytest.mark.parametrize("padding_mode", ["border", "reflection"])
@pytest.mark.parametrize("align_corners", [True, False])
def test_constant_volume_is_reproduced_for_any_grid(padding_mode, align_corners):
    grid = np.random.default_rng(3).uniform(-4, 4, (2, 3, 2, 4, 3))
    out = grid_sample(np.full((2, 2, 3, 4, 5), 2.5), grid, "bilinear", padding_mode, align_corners).data
    np.testing.assert_allclose(out, 2.5, rtol=1e-15)


def test_identity_warp_of_a_volume_is_exact():
    U = _seeded((1, 2, 4, 8, 2))
    axes = [(2 * np.arange(n) + 1 - n) / n for n in (4, 8, 2)]
    z, y, x = np.meshgrid(*axes, indexing="ij")
    grid = np.stack([x, y, z], -1)[None]
    for mode in ("bilinear", "nearest"):
        np.testing.assert_array_equal(grid_sample(U, grid, mode).data, U)


def test_float32_volume_keeps_its_dtype_and_matches_float64():
    rng = np.random.default_rng(6)
    U, grid = rng.standard_normal((2, 2, 3, 4, 5)), rng.uniform(-1.2, 1.2, (2, 2, 3, 2, 3))
    V64 = grid_sample(U, grid, "bilinear", "reflection").data
    V32 = grid_sample(U.astype(np.float32), grid.astype(np.float32), "bilinear", "reflection").data
    assert V32.dtype == np.float32
    np.testing.assert_allclose(V32, V64, rtol=1e-5, atol=1e-5)


U5 = np.zeros((2, 3, 4, 5, 6))
GRID5 = np.zeros((2, 2, 2, 2, 3))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(grid=np.zeros((2, 2, 2, 2))), ValueError, r"grid must be 5-D \(N, D_out, H_out, W_out, 3\) for a 5-D input"),
    (dict(grid=np.zeros((2, 2, 2, 2, 2))), ValueError, r"grid's last dimension must be 3 \(x, y, z\)"),
    (dict(grid=np.zeros((1, 2, 2, 2, 3))), ValueError, r"grid has batch size 1 but input has 2"),
    (dict(input=np.zeros((2, 3, 4, 0, 6))), ValueError, r"non-empty spatial dimensions"),
    (dict(input=np.zeros((2, 3, 4, 5, 6, 7))), ValueError, r"input must be 4-D .* or 5-D"),
    (dict(mode="trilinear"), ValueError, r"mode must be one of 'bilinear', 'nearest', 'bicubic'"),
    (dict(mode="bicubic"), ValueError, r"mode 'bicubic' supports only 4-D input"),
    (dict(grid=GRID5.astype(np.float32)), TypeError, r"grid must have the same dtype as input"),
])
def test_volumetric_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        grid_sample(**(dict(input=U5, grid=GRID5) | kwargs))


def test_volumetric_grid_must_be_finite():
    grid = GRID5.copy()
    grid[1, 0, 1, 0, 2] = np.nan
    with pytest.raises(ValueError, match=r"grid contains non-finite .* index \(1, 0, 1, 0, 2\)"):
        grid_sample(U5, grid)
