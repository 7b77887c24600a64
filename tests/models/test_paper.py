"""The paper's FCN, CNN, ST-FCN and ST-CNN: each classifies its canvas with about the plain CNN's
parameter budget, the counting mirrors the layers, and large canvases are pooled."""
import numpy as np
import pytest

from ministn import manual_seed
from ministn.models import build
from ministn.models.paper import count_cnn, count_fcn, count_localization, cnn_feature_size

PAPER = [(name, transform, size) for size in (28, 42, 60) for name in ("fcn", "cnn", "st-fcn", "st-cnn")
         for transform in (("affine", "projective", "tps") if name.startswith("st") else ("affine",))]


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


def test_large_canvases_are_average_pooled_after_the_transformer():
    assert build("st-cnn", input_size=42).pool and build("st-fcn", input_size=60).pool
    assert not build("st-cnn", input_size=28).pool and not build("cnn", input_size=60).pool
