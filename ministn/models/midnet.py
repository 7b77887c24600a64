"""A transformer inside the network: the tutorial's classifier with a spatial transformer on its
10 first-layer feature maps, beside the same classifier with the transformer on the input.

The tutorial's classifier, sized for an n x n input (n = 28 gives the tutorial's own; the
flattened width follows n):

    front:  conv 1->10 k5 -> max-pool 2 -> ReLU                 (N, 10, m, m), m = (n - 4) // 2
    back:   conv 10->20 k5 -> Dropout2d -> max-pool 2 -> ReLU -> fc -> 50 -> ReLU -> dropout
            -> fc 50->10

    small-cnn         front -> back                                 no transformer
    small-st-input    ST(input) -> front -> back                    the tutorial's localisation
                      net: conv 1->8 k7 -> max-pool 2 -> ReLU -> conv 8->10 k5 -> max-pool 2
                      -> ReLU -> fc -> 32 -> ReLU
    small-st-feature  front -> ST(10 feature maps) -> back          localisation net on the
                      maps: conv 10->8 k5 -> max-pool 2 -> ReLU -> fc -> 32 -> ReLU

The feature-map transformer warps all 10 maps with one transform, reading 0 outside them: after
the ReLU, 0 is "no response", the maps' own background. Normalisation happens first (for the
input transformer, after it: normalization.py).
"""
from .. import nn
from ..nn import Module
from .classifier import TransformerClassifier
from .normalization import Normalize

MIDNET_MODELS = ("small-cnn", "small-st-input", "small-st-feature")


def _pooled(n, k):
    """Side after a valid k x k convolution and a 2x2 max-pool (floor)."""
    return (n - k + 1) // 2


def front():
    return nn.Sequential(nn.Conv2d(1, 10, 5), nn.MaxPool2d(2), nn.ReLU())


def back(m):
    s = _pooled(m, 5)
    return nn.Sequential(nn.Conv2d(10, 20, 5), nn.Dropout2d(), nn.MaxPool2d(2), nn.ReLU(),
                         nn.Flatten(), nn.Linear(20 * s * s, 50), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(50, 10))


def input_localization(n, normalization):
    s = _pooled(_pooled(n, 7), 5)
    return nn.Sequential(Normalize.where(normalization),
                         nn.Conv2d(1, 8, 7), nn.MaxPool2d(2), nn.ReLU(),
                         nn.Conv2d(8, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
                         nn.Flatten(), nn.Linear(10 * s * s, 32), nn.ReLU())


def feature_localization(m):
    s = _pooled(m, 5)
    return nn.Sequential(nn.Conv2d(10, 8, 5), nn.MaxPool2d(2), nn.ReLU(),
                         nn.Flatten(), nn.Linear(8 * s * s, 32), nn.ReLU())


class FeatureTransformerClassifier(Module):
    """normalise -> front -> transformer on the feature maps -> back."""

    has_transformer = True
    warps_input = False        # it warps feature maps: there is no warped digit to show

    def __init__(self, front, transformer, back, normalization="inside"):
        super().__init__()
        self.normalization = Normalize.where(normalization)
        self.front, self.transformer, self.back = front, transformer, back

    def features(self, x):
        """(the feature maps, the transformer's output on them)."""
        maps = self.front(self.normalization(x))
        return maps, self.transformer(maps)

    def forward(self, x):
        return self.back(self.features(x)[1])

    def count(self, part):
        """Parameters in 'transformer', 'classifier' (front and back) or 'all'."""
        if part == "transformer":
            return self.transformer.num_parameters()
        if part == "classifier":
            return self.front.num_parameters() + self.back.num_parameters()
        return self.num_parameters()


def midnet_model(name, input_size=42, transform="affine", normalization="inside"):
    """One of MIDNET_MODELS for input_size x input_size digits (28 or more)."""
    if name not in MIDNET_MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MIDNET_MODELS)}")
    if not isinstance(input_size, int) or input_size < 28:
        raise ValueError(f"input_size must be an int >= 28, got {input_size!r}")
    m = _pooled(input_size, 5)
    if name == "small-st-feature":
        transformer = nn.SpatialTransformer(feature_localization(m), 32, transform)
        return FeatureTransformerClassifier(front(), transformer, back(m), normalization)
    classifier = nn.Sequential(*front()._modules.values(), *back(m)._modules.values())
    transformer = (nn.SpatialTransformer(input_localization(input_size, normalization), 32,
                                         transform) if name == "small-st-input" else None)
    return TransformerClassifier(classifier, transformer, normalization=normalization)
