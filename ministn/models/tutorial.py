"""The PyTorch STN tutorial's network (pytorch/tutorials, spatial_transformer_tutorial.py).

Classifier (21,840 parameters):
    conv 1->10 k5 -> max-pool 2 -> ReLU -> conv 10->20 k5 -> Dropout2d -> max-pool 2 -> ReLU
    -> flatten 320 -> fc 320->50 -> ReLU -> dropout 0.5 -> fc 50->10
Localisation (5,520 parameters, the last layer owned by SpatialTransformer):
    conv 1->8 k7 -> max-pool 2 -> ReLU -> conv 8->10 k5 -> max-pool 2 -> ReLU
    -> flatten 90 -> fc 90->32 -> ReLU -> fc 32->6 (zero weight, identity bias)
Total 27,360, as in the tutorial. The difference is where normalisation happens (normalization.py):
inside the network, after the transformer, unless ``normalization="outside"``.
"""
from .. import nn
from .classifier import TransformerClassifier
from .normalization import Normalize


def tutorial_classifier():
    return nn.Sequential(
        nn.Conv2d(1, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(10, 20, 5), nn.Dropout2d(), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(320, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 10))


def tutorial_localization(normalization="inside"):
    return nn.Sequential(
        Normalize.where(normalization),
        nn.Conv2d(1, 8, 7), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(8, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(90, 32), nn.ReLU())


def tutorial_stn(normalization="inside"):
    """The tutorial's ST-CNN: affine transformer on the 28x28 input, then the classifier."""
    transformer = nn.SpatialTransformer(tutorial_localization(normalization), 32, "affine")
    return TransformerClassifier(tutorial_classifier(), transformer, normalization=normalization)


def tutorial_cnn(normalization="inside"):
    """The same classifier without the transformer."""
    return TransformerClassifier(tutorial_classifier(), None, normalization=normalization)
