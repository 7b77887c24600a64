"""Normalising inside the model, after the transformer: the same logits as feeding normalised
pixels, and zero padding that is the image's black background."""
import numpy as np
import pytest

from ministn import manual_seed, no_grad
from ministn.data import MNIST_MEAN, MNIST_STD, normalize_pixels
from ministn.models import build


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
