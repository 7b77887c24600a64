"""ministn.models: the tutorial's ST-CNN and the paper's models."""
import numpy as np
import pytest

from ministn import functional as F, manual_seed, no_grad
from ministn.data import MNIST_MEAN, MNIST_STD, normalize_pixels
from ministn.models import MODELS, build, describe
from ministn.models.paper import (count_cnn, count_fcn, count_localization, cnn_feature_size,
                                  paper_model)

PAPER = [(name, transform, size) for size in (28, 42, 60) for name in ("fcn", "cnn", "st-fcn", "st-cnn")
         for transform in (("affine", "projective", "tps") if name.startswith("st") else ("affine",))]


def test_tutorial_network_has_the_tutorials_27360_parameters():
    model = build("tutorial")
    assert model.num_parameters() == 27360
    assert model.count("transformer") == 5520 and model.count("classifier") == 21840
    assert build("tutorial-cnn").num_parameters() == 21840
    assert describe(model, "tutorial", "affine", 28) == (
        "tutorial (affine, 28x28): 27,360 parameters (transformer 5,520, classifier 21,840)")


@pytest.mark.parametrize("name, transform, size", PAPER)
def test_paper_models_classify_their_canvas_and_have_the_budget(name, transform, size):
    manual_seed(0)
    model = build(name, transform, size)
    logits = model(np.random.default_rng(0).random((2, 1, size, size), dtype=np.float32))
    assert logits.shape == (2, 10) and logits.dtype == np.float32
    budget = count_cnn(size, 64)                                 # the plain CNN's count
    assert abs(model.num_parameters() - budget) <= 0.02 * budget  # "approximately the same"


def test_parameter_counting_mirrors_the_layers():
    assert build("cnn", input_size=60).num_parameters() == count_cnn(60, 64)
    assert cnn_feature_size(21) == 1 and cnn_feature_size(28) == 2 and cnn_feature_size(60) == 10
    st = build("st-cnn", "tps", 42)
    assert st.count("transformer") == count_localization("cnn", 42, "tps")
    fcn = build("st-fcn", "affine", 28)
    h = fcn.classifier[1].out_features
    assert fcn.count("classifier") == count_fcn(28, h)


@pytest.mark.parametrize("name, transform, size", [("tutorial", "affine", 28),
                                                   ("st-cnn", "projective", 28),
                                                   ("st-fcn", "tps", 42), ("st-cnn", "affine", 60)])
def test_untrained_transformer_is_the_identity(name, transform, size):
    x = np.random.default_rng(1).random((3, 1, size, size), dtype=np.float32)
    np.testing.assert_allclose(build(name, transform, size).transform(x).data, x, atol=1e-5)


def test_large_canvases_are_average_pooled_after_the_transformer():
    assert build("st-cnn", input_size=42).pool and build("st-fcn", input_size=60).pool
    assert not build("st-cnn", input_size=28).pool and not build("cnn", input_size=60).pool


def test_normalising_inside_equals_feeding_normalised_pixels():
    x = np.random.default_rng(2).random((4, 1, 28, 28), dtype=np.float32)
    manual_seed(3)
    inside = build("tutorial-cnn", normalization="inside").eval()
    manual_seed(3)
    outside = build("tutorial-cnn", normalization="outside").eval()
    np.testing.assert_allclose(inside(x).data, outside(normalize_pixels(x)).data, rtol=1e-5, atol=1e-5)


def _zoom_out(model, factor=2.0):
    model.transformer.regression.bias.data[:] = [factor, 0, 0, 0, factor, 0]
    return model


def test_zero_padding_is_the_background_only_when_normalising_inside():
    """pytorch/tutorials#1117: zooming out shows area outside the image. Inside: that area is
    the black background (0). Outside (the tutorial): it is 0 in normalised units, i.e. the grey
    0.1307, unlike the normalised background -0.4242: a frame the classifier can see."""
    black = np.zeros((1, 1, 28, 28), np.float32)
    inside = _zoom_out(build("tutorial", normalization="inside"))
    with no_grad():
        assert np.all(inside.transform(black).data == 0)
        outside = _zoom_out(build("tutorial", normalization="outside")).transform(normalize_pixels(black)).data
    background = -MNIST_MEAN / MNIST_STD
    assert outside[0, 0, 14, 14] == pytest.approx(background)   # centre: the image
    assert outside[0, 0, 0, 0] == 0.0                           # corner: padding, not background


def test_one_step_moves_the_localisation_net():
    manual_seed(0)
    model = build("st-cnn", "affine", 28)
    x = np.random.default_rng(0).random((8, 1, 28, 28), dtype=np.float32)
    loss = F.cross_entropy(model(x), np.arange(8) % 10)
    loss.backward()
    assert np.abs(model.transformer.regression.weight.grad).max() > 0


def test_bad_model_arguments_are_named():
    with pytest.raises(ValueError, match="unknown model 'resnet'; choose one of tutorial"):
        build("resnet")
    with pytest.raises(ValueError, match="unknown transform 'spline'"):
        build("st-cnn", "spline")
    with pytest.raises(ValueError, match="takes 28x28 inputs only"):
        build("tutorial", input_size=42)
    with pytest.raises(ValueError, match="affine transformer"):
        build("tutorial", "tps")
    with pytest.raises(ValueError, match="input_size must be an int >= 28"):
        paper_model("cnn", 20)
    assert set(MODELS) == {"tutorial", "tutorial-cnn", "fcn", "cnn", "st-fcn", "st-cnn"}
