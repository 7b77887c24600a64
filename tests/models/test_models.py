"""build and describe: every model by name, and bad arguments named."""
import pytest

from ministn.models import MODELS, build
from ministn.models.paper import paper_model


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
