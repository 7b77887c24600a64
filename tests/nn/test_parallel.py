"""ParallelTransformers (the paper's 2xST / 4xST) and a transformer on a feature map (C > 1,
down-sampling output_size): shapes, identity, float64 gradient checks, PyTorch parity."""
import numpy as np
import pytest

from ministn import Tensor, nn
from ministn.gradcheck import gradcheck
from spatial_modules import assert_away_from_kinks, make_transformer, torch_transformer


def parallel(transforms=("affine", "attention"), C=2, output_size=(4, 3)):
    return nn.ParallelTransformers([make_transformer(t, C=C, output_size=output_size, seed=i)
                                    for i, t in enumerate(transforms)])


def test_outputs_are_concatenated_along_channels_in_order():
    x = np.random.default_rng(0).standard_normal((2, 2, 6, 5))
    pst = parallel()
    out, params = pst.forward_with_params(Tensor(x))
    assert out.shape == (2, 4, 4, 3) and len(params) == 2
    np.testing.assert_array_equal(out.data[:, :2], pst[0](Tensor(x)).data)
    np.testing.assert_array_equal(out.data[:, 2:], pst[1](Tensor(x)).data)
    names = [name for name, _ in pst.named_parameters()]
    assert "0.regression.weight" in names and "1.localization.1.bias" in names


def test_untrained_parallel_transformers_copy_the_input_k_times():
    x = np.random.default_rng(1).standard_normal((2, 2, 8, 8))
    pst = nn.ParallelTransformers([make_transformer(t, C=2, H=8, W=8) for t in
                                   ("affine", "attention", "rotation-scale-translation")])
    for st in pst._modules.values():
        st.regression.weight.data[:] = 0
        st.regression.bias.data[:] = st.identity_parameters()
    np.testing.assert_array_equal(pst(Tensor(x)).data, np.concatenate([x, x, x], axis=1))


def test_gradients_through_parallel_transformers():
    pst = parallel()
    x = np.random.default_rng(2).standard_normal((2, 2, 6, 5))
    for st in pst._modules.values():
        assert_away_from_kinks(st, x)
    xt = Tensor(x.copy(), requires_grad=True)
    weights = [p for _, p in pst.named_parameters()]
    assert gradcheck(lambda *_: pst(xt), [xt] + weights, rtol=1e-6)
    assert all(np.abs(w.grad).max() > 1e-4 for w in weights)


def test_transformer_on_a_feature_map_downsamples_every_channel_alike():
    """C = 10 feature maps warped by one transform, 6x5 -> 3x3: each channel is what a
    one-channel sampler gives with the same grid."""
    st = make_transformer("affine", C=10, output_size=(3, 3))
    x = np.random.default_rng(3).standard_normal((2, 10, 6, 5))
    out, theta = st.forward_with_params(Tensor(x))
    assert out.shape == (2, 10, 3, 3)
    from ministn.functional import affine_grid, grid_sample
    grid = affine_grid(theta.data, (2, 1, 3, 3), False)
    for c in (0, 9):
        np.testing.assert_allclose(out.data[:, c:c + 1],
                                   grid_sample(x[:, c:c + 1], grid).data, rtol=0, atol=1e-15)


def test_gradients_through_a_feature_map_transformer():
    st = make_transformer("rotation-scale-translation", C=4, output_size=(3, 4), seed=5)
    x = np.random.default_rng(4).standard_normal((2, 4, 6, 5))
    assert_away_from_kinks(st, x)
    xt = Tensor(x.copy(), requires_grad=True)
    weights = [st.regression.weight, st.regression.bias, st.localization[1].weight]
    assert gradcheck(lambda *_: st(xt), [xt] + weights, rtol=1e-6)


def test_parallel_transformers_equal_torch():
    torch = pytest.importorskip("torch")
    pst = parallel(("affine", "rotation-scale-translation"), C=3, output_size=(5, 4))
    x = np.random.default_rng(6).standard_normal((2, 3, 6, 5))
    pairs = [torch_transformer(st, torch) for st in pst._modules.values()]
    xt, x_torch = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out = pst(xt)
    expected = torch.cat([forward(x_torch) for forward, _ in pairs], dim=1)
    upstream = np.random.default_rng(7).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(xt.grad, x_torch.grad.numpy(), rtol=0, atol=1e-12)
    for k, (st, (_, leaves)) in enumerate(zip(pst._modules.values(), pairs)):
        for name, p in st.named_parameters():
            np.testing.assert_allclose(p.grad, leaves[name].grad.numpy(), rtol=0, atol=1e-12,
                                       err_msg=f"{k}.{name}")


def test_bad_arguments_name_what_was_expected():
    with pytest.raises(ValueError, match="non-empty sequence of SpatialTransformer"):
        nn.ParallelTransformers([])
    with pytest.raises(ValueError, match="output_size must agree"):
        nn.ParallelTransformers([make_transformer("affine", output_size=(2, 2)),
                                 make_transformer("affine", output_size=(3, 3))])


def test_feature_map_transformer_equals_torch():
    """10 maps, 7x6 -> 4x3, rotation-scale-translation: forward and every gradient."""
    torch = pytest.importorskip("torch")
    st = make_transformer("rotation-scale-translation", C=10, H=7, W=6, output_size=(4, 3),
                          seed=8)
    x = np.random.default_rng(9).standard_normal((2, 10, 7, 6))
    forward, leaves = torch_transformer(st, torch)
    xt, x_torch = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = st(xt), forward(x_torch)
    upstream = np.random.default_rng(10).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(xt.grad, x_torch.grad.numpy(), rtol=0, atol=1e-12)
    for name, p in st.named_parameters():
        np.testing.assert_allclose(p.grad, leaves[name].grad.numpy(), rtol=0, atol=1e-12,
                                   err_msg=name)
