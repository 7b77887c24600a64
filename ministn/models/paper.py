"""The paper's distorted-MNIST models (Jaderberg et al. 2015, section 4.1 and appendix A.4).

Classifiers, three weight layers each (ReLU between):
    FCN:  flatten -> fc h -> fc h -> fc 10
    CNN:  conv 9x9 (c1) -> max-pool 2 -> conv 7x7 (c2) -> max-pool 2 -> fc 10
          (stride 1, no padding; a pool on an odd size keeps the last row: ceil mode, as Chainer's
          cover_all in the public reproductions, so a 21x21 input still fits)
Localisation nets, in front of the classifier, ending in the transformer's identity-initialised
regression layer (6 affine, 8 projective or 32 TPS outputs):
    ST-FCN: fc 32 -> fc 32
    ST-CNN: max-pool 2 (a 2x down-sampled input) -> conv 5x5 (20) -> max-pool 2 -> conv 5x5 (20)
            -> fc 20
On the large canvases (RTS 42x42, T/TC 60x60) the transformer's output is average-pooled by 2.

"All networks have approximately the same number of parameters": the plain CNN (c1 = 32,
c2 = 64) sets the budget for an input size, and each other model picks its free width (h for the
FCNs, c2 for the ST-CNN) so that its total, localisation net included, is closest to it.
Widths are found by counting, not by building: ``count_*`` below mirror the layer lists.
"""
from .. import nn
from ..nn import Module
from ..nn.spatial import SpatialTransformer
from .. import functional as F
from .classifier import TransformerClassifier
from .normalization import Normalize

CLASSES, C1, C2, LOC_CONV, LOC_FC, LOC_FCN = 10, 32, 64, 20, 20, 32
TRANSFORM_OUTPUTS = {"affine": 6, "projective": 8, "tps": 32, "attention": 3,
                     "rotation-scale-translation": 4}


class CeilMaxPool2d(Module):
    """2x2 max-pool, stride 2, keeping a last odd row/column (output ceil(n / 2))."""

    def forward(self, x):
        return F.max_pool2d(x, 2, 2, padding=x.shape[-1] % 2)


def ceil_half(n):
    return (n + 1) // 2


def cnn_feature_size(n):
    """Side of the CNN's last feature map for an n x n input."""
    return ceil_half(ceil_half(n - 8) - 6)


def loc_cnn_feature_size(n):
    return ceil_half(n // 2 - 4) - 4


# ---- parameter counts (weights + biases), mirroring the builders below -----------------------
def count_fcn(n, h, channels=1, classes=CLASSES):
    return (channels * n * n + 1) * h + (h + 1) * h + (h + 1) * classes


def count_cnn(n, c2, c1=C1, channels=1, classes=CLASSES):
    s = cnn_feature_size(n)
    return (81 * channels + 1) * c1 + (49 * c1 + 1) * c2 + (c2 * s * s + 1) * classes


def count_localization(kind, n, transform, channels=1, pool_first=False):
    """pool_first: an FCN localisation net that sees the 2x max-pooled input (n // 2)."""
    outputs = TRANSFORM_OUTPUTS[transform]
    if kind == "fcn":
        m = n // 2 if pool_first else n
        return ((channels * m * m + 1) * LOC_FCN + (LOC_FCN + 1) * LOC_FCN
                + (LOC_FCN + 1) * outputs)
    s = loc_cnn_feature_size(n)
    return ((25 * channels + 1) * LOC_CONV + (25 * LOC_CONV + 1) * LOC_CONV
            + (LOC_CONV * s * s + 1) * LOC_FC + (LOC_FC + 1) * outputs)


def best_width(count, budget, widths=range(4, 1025)):
    return min(widths, key=lambda w: abs(count(w) - budget))


# ---- builders -----------------------------------------------------------------------------
def fcn_classifier(n, h, channels=1, classes=CLASSES):
    return nn.Sequential(nn.Flatten(), nn.Linear(channels * n * n, h), nn.ReLU(), nn.Linear(h, h),
                         nn.ReLU(), nn.Linear(h, classes))


def cnn_classifier(n, c2, c1=C1, channels=1, classes=CLASSES):
    s = cnn_feature_size(n)
    return nn.Sequential(nn.Conv2d(channels, c1, 9), nn.ReLU(), CeilMaxPool2d(),
                         nn.Conv2d(c1, c2, 7), nn.ReLU(), CeilMaxPool2d(),
                         nn.Flatten(), nn.Linear(c2 * s * s, classes))


def localization(kind, n, normalization, channels=1, pool_first=False):
    first = Normalize.where(normalization)
    if kind == "fcn":
        m = n // 2 if pool_first else n
        pool = [nn.MaxPool2d(2)] if pool_first else []
        return nn.Sequential(first, *pool, nn.Flatten(), nn.Linear(channels * m * m, LOC_FCN),
                             nn.ReLU(), nn.Linear(LOC_FCN, LOC_FCN), nn.ReLU()), LOC_FCN
    s = loc_cnn_feature_size(n)
    return nn.Sequential(first, nn.MaxPool2d(2), nn.Conv2d(channels, LOC_CONV, 5), nn.ReLU(),
                         CeilMaxPool2d(), nn.Conv2d(LOC_CONV, LOC_CONV, 5), nn.ReLU(),
                         nn.Flatten(), nn.Linear(LOC_CONV * s * s, LOC_FC), nn.ReLU()), LOC_FC


def paper_model(name, input_size=28, transform="affine", normalization="inside"):
    """'fcn', 'cnn', 'st-fcn' or 'st-cnn' for input_size x input_size images (28, 42 or 60)."""
    if not isinstance(input_size, int) or input_size < 28:
        raise ValueError(f"input_size must be an int >= 28, got {input_size!r}")
    budget = count_cnn(input_size, C2)
    kind = name.removeprefix("st-")
    if not name.startswith("st-"):
        if kind == "cnn":
            return TransformerClassifier(cnn_classifier(input_size, C2), normalization=normalization)
        h = best_width(lambda w: count_fcn(input_size, w), budget)
        return TransformerClassifier(fcn_classifier(input_size, h), normalization=normalization)
    pool = input_size > 28
    m = input_size // 2 if pool else input_size  # what the classifier sees
    rest = budget - count_localization(kind, input_size, transform)
    if kind == "cnn":
        classifier = cnn_classifier(m, best_width(lambda w: count_cnn(m, w), rest))
    else:
        classifier = fcn_classifier(m, best_width(lambda w: count_fcn(m, w), rest))
    loc, features = localization(kind, input_size, normalization)
    transformer = SpatialTransformer(loc, features, transform)
    return TransformerClassifier(classifier, transformer, pool=pool, normalization=normalization)
