"""Attention (s, tx, ty) and rotation-scale-translation (p, q, tx, ty) transformers: identity at
initialisation, the theta they mean, float64 gradient checks and PyTorch parity."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ministn import Tensor
from ministn.gradcheck import gradcheck
from ministn.nn import SpatialTransformer, rotation_and_scale, transforms
from spatial_modules import assert_away_from_kinks, make_transformer, torch_transformer

CONSTRAINED = ["attention", "rotation-scale-translation"]


@pytest.mark.parametrize("transform, size", [("attention", 3), ("rotation-scale-translation", 4)])
def test_untrained_constrained_transformer_is_the_identity(transform, size):
    x = np.random.default_rng(0).standard_normal((3, 2, 8, 8))     # 8 = 2^3: exact (docs §2.3)
    st = make_transformer(transform, C=2, H=8, W=8)
    st.regression.weight.data[:] = 0
    st.regression.bias.data[:] = st.identity_parameters()
    out, theta = st.forward_with_params(Tensor(x))
    np.testing.assert_array_equal(out.data, x)
    np.testing.assert_array_equal(theta.data, np.tile([[1, 0, 0], [0, 1, 0]], (3, 1, 1)))
    assert st.regression.weight.shape == (size, 5)


def test_attention_theta_is_isotropic_scale_and_translation():
    a = Tensor(np.array([[0.5, 0.2, -0.3]]))
    theta = transforms.to_generator("attention", a).data
    np.testing.assert_array_equal(theta, [[[0.5, 0, 0.2], [0, 0.5, -0.3]]])


def test_rotation_scale_translation_theta_and_its_angle_and_scale():
    r, s = 0.7, 1.3
    a = Tensor(np.array([[s * np.cos(r), s * np.sin(r), 0.1, -0.2]]))
    theta = transforms.to_generator("rotation-scale-translation", a).data
    expected = [[[s * np.cos(r), -s * np.sin(r), 0.1], [s * np.sin(r), s * np.cos(r), -0.2]]]
    np.testing.assert_allclose(theta, expected, rtol=0, atol=1e-15)
    angle, scale = rotation_and_scale(theta)
    np.testing.assert_allclose([angle[0], scale[0]], [r, s], rtol=1e-14)


@pytest.mark.parametrize("transform", CONSTRAINED)
@pytest.mark.parametrize("align_corners", [False, True])
def test_gradients_through_a_constrained_transformer(transform, align_corners):
    """Central differences (float64) for the input, the localisation and the regression."""
    st = make_transformer(transform, C=2, output_size=(4, 3), align_corners=align_corners)
    x = np.random.default_rng(3).standard_normal((2, 2, 6, 5))
    assert_away_from_kinks(st, x)
    xt = Tensor(x.copy(), requires_grad=True)
    weights = [st.regression.weight, st.regression.bias, st.localization[1].weight]
    assert gradcheck(lambda *_: st(xt), [xt] + weights, rtol=1e-6)
    assert all(np.abs(w.grad).max() > 1e-3 for w in weights)


@pytest.mark.parametrize("transform", CONSTRAINED + ["affine"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border"])
def test_constrained_transformer_equals_torch(transform, padding_mode):
    torch = pytest.importorskip("torch")
    st = make_transformer(transform, C=3, output_size=(4, 4), padding_mode=padding_mode, seed=1)
    x = np.random.default_rng(4).standard_normal((2, 3, 6, 5))
    forward, leaves = torch_transformer(st, torch)
    xt, x_torch = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = st(xt), forward(x_torch)
    upstream = np.random.default_rng(5).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(xt.grad, x_torch.grad.numpy(), rtol=0, atol=1e-12)
    for name, p in st.named_parameters():
        np.testing.assert_allclose(p.grad, leaves[name].grad.numpy(), rtol=0, atol=1e-12,
                                   err_msg=name)


def test_unknown_transform_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="attention"):
        SpatialTransformer(None, 4, "shear")


@settings(max_examples=50)
@given(r=st.floats(-3.1, 3.1), s=st.floats(0.1, 3.0), tx=st.floats(-1, 1), ty=st.floats(-1, 1))
def test_constrained_thetas_are_the_transforms_they_name(r, s, tx, ty):
    """attention = scale s and shift; rotation-scale-translation = s R(r) and shift, for any
    values; the angle and scale read back are the ones put in."""
    att = transforms.to_generator("attention", Tensor(np.array([[s, tx, ty]]))).data[0]
    np.testing.assert_array_equal(att, [[s, 0, tx], [0, s, ty]])
    p, q = s * np.cos(r), s * np.sin(r)
    rst = transforms.to_generator("rotation-scale-translation",
                                  Tensor(np.array([[p, q, tx, ty]]))).data
    rotation = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])
    np.testing.assert_allclose(rst[0, :, :2], s * rotation, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(rst[0, :, 2], [tx, ty])
    angle, scale = rotation_and_scale(rst)
    np.testing.assert_allclose([angle[0], scale[0]], [r, s], rtol=1e-12, atol=1e-12)
