"""The tutorial's classifier with a transformer on its input or on its 10 feature maps."""
import numpy as np
import pytest

from ministn import Tensor, manual_seed
from ministn.models import MIDNET_MODELS, build, describe


def test_at_28_pixels_the_family_is_the_tutorials_network():
    assert build("small-cnn", input_size=28).num_parameters() == 21_840
    assert build("small-st-input", input_size=28).num_parameters() == 27_360
    assert build("tutorial", input_size=28).num_parameters() == 27_360


@pytest.mark.parametrize("name", MIDNET_MODELS)
def test_every_model_classifies_rts_sized_digits(name):
    model = build(name, input_size=42)
    assert model(np.zeros((2, 1, 42, 42), np.float32)).shape == (2, 10)
    assert describe(model, name, "affine", 42).startswith(name)


def test_feature_transformer_warps_the_ten_maps_and_starts_as_the_identity():
    manual_seed(0)
    mid = build("small-st-feature", input_size=42).eval()
    manual_seed(0)
    plain = build("small-cnn", input_size=42).eval()
    plain.load_state_dict({k.replace("front.", "classifier.").replace("back.0", "classifier.3")
                           .replace("back.5", "classifier.8").replace("back.8", "classifier.11"): v
                           for k, v in mid.state_dict().items() if "transformer" not in k})
    x = np.random.default_rng(0).random((3, 1, 42, 42)).astype(np.float32)
    maps, warped = mid.features(Tensor(x))
    assert maps.shape == (3, 10, 19, 19) and warped.shape == maps.shape
    np.testing.assert_allclose(warped.data, maps.data, atol=1e-5)
    np.testing.assert_allclose(mid(x).data, plain(x).data, atol=1e-4)
    assert mid.count("classifier") == plain.num_parameters()
