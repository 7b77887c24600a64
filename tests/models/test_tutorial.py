"""The PyTorch tutorial's ST-CNN: its 27,360 parameters, split as the tutorial's."""
from ministn.models import build, describe


def test_tutorial_network_has_the_tutorials_27360_parameters():
    model = build("tutorial")
    assert model.num_parameters() == 27360
    assert model.count("transformer") == 5520 and model.count("classifier") == 21840
    assert build("tutorial-cnn").num_parameters() == 21840
    assert describe(model, "tutorial", "affine", 28) == (
        "tutorial (affine, 28x28): 27,360 parameters (transformer 5,520, classifier 21,840)")
