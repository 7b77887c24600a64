"""ministn.nn.SpatialTransformer: identity at initialisation, shapes, parameterisations, gradients."""
import numpy as np
import pytest

from ministn import Tensor, nn
from ministn.functional import affine_grid, grid_sample
from ministn.functional.coords import unnormalise
from ministn.gradcheck import gradcheck
from ministn.nn import SpatialTransformer

TRANSFORMS = ["affine", "projective", "tps"]


def make(transform, H=8, W=8, features=5, **kwargs):
    localization = nn.Sequential(nn.Flatten(), nn.Linear(H * W, features, dtype=np.float64), nn.Tanh())
    return SpatialTransformer(localization, features, transform, dtype=np.float64, **kwargs)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_untrained_transformer_is_the_identity(transform):
    x = np.random.default_rng(0).standard_normal((3, 1, 8, 8))     # 8 = 2^3: exact (docs §2.3)
    out, params = make(transform).forward_with_params(Tensor(x))
    np.testing.assert_array_equal(out.data, x)
    expected_shape = {"affine": (3, 2, 3), "projective": (3, 8), "tps": (3, 16, 2)}[transform]
    assert params.shape == expected_shape


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_output_size_and_regression_size(transform):
    st = make(transform, output_size=(5, 3), grid_size=3)
    assert st(Tensor(np.ones((2, 1, 8, 8)))).shape == (2, 1, 5, 3)
    assert st.regression.weight.shape == (({"affine": 6, "projective": 8, "tps": 18})[transform], 5)
    assert "regression.bias" in dict(st.named_parameters())


def test_projective_parameterisation_keeps_the_denominator_positive():
    st = make("projective")
    st.regression.bias.data[6:] = [50.0, -50.0]                     # raw outputs far beyond 1
    _, h = st.forward_with_params(Tensor(np.ones((1, 1, 8, 8))))
    assert abs(h.data[0, 6]) + abs(h.data[0, 7]) < 1


def test_affine_transformer_equals_functional_pipeline():
    st = make("affine", padding_mode="border", align_corners=True)
    st.regression.bias.data[:] = [0.9, 0.2, 0.1, -0.1, 1.1, -0.05]
    x = np.random.default_rng(1).standard_normal((2, 1, 8, 8))
    theta = np.tile(st.regression.bias.data.reshape(2, 3), (2, 1, 1))
    expected = grid_sample(x, affine_grid(theta, x.shape, True), "bilinear", "border", True)
    np.testing.assert_allclose(st(Tensor(x)).data, expected.data, atol=1e-15)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_gradients_reach_the_regression_and_localisation(transform):
    """Central differences through localisation -> regression -> grid -> sampler."""
    rng = np.random.default_rng(2)
    st = make(transform, H=6, W=5, output_size=(4, 4), grid_size=2)
    st.regression.weight.data[:] = 0.1 * rng.standard_normal(st.regression.weight.shape)
    st.regression.bias.data[:] += 0.05 * rng.standard_normal(st.regression.bias.shape)
    x = Tensor(rng.standard_normal((2, 1, 6, 5)))
    _, params = st.forward_with_params(x)
    grid = st.grid(params, (2, 1, 4, 4)).data
    for axis, n in ((0, 5), (1, 6)):                               # away from kinks (docs §12.2)
        coordinate = unnormalise(grid[..., axis], n, False)
        assert np.abs(coordinate - np.rint(coordinate)).min() > 1e-4
    weights = [st.regression.weight, st.regression.bias, st.localization[1].weight]
    gradcheck(lambda *_: st(x), weights)
    assert all(np.abs(w.grad).max() > 1e-3 for w in weights)


def test_bad_arguments():
    with pytest.raises(ValueError, match="transform must be one of"):
        make("similarity")
    with pytest.raises(ValueError, match="output_size must be None or"):
        make("affine", output_size=(0, 3))
