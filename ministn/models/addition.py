"""The MNIST addition models (Jaderberg et al. 2015, appendix A.1): two digits in, their sum out.

Input: (N, 2, 42, 42), one RTS-distorted digit per channel; output: logits over the 19 sums
0..18. Built from the Table 1 parts (paper.py), with 2 input channels and 19 classes:

    fcn        FCN classifier (fc h -> fc h -> fc 19) on both channels
    cnn        CNN classifier (conv 9x9, 32 -> pool -> conv 7x7, 64 -> pool -> fc 19)
    st-fcn     one transformer that sees and warps both channels -> avg-pool 2 -> FCN
    2xst-fcn   two transformers in parallel, each seeing and warping both channels; their
               2-channel outputs concatenated to 4 channels -> avg-pool 2 -> FCN (the paper's
               2xST-FCN: each may learn to attend to one channel's digit)
    2xst-cnn   the same with CNN localisation nets and a CNN classifier on the 4 channels

As in the paper, every model has about the same number of parameters: the plain CNN sets the
budget and each other model picks its free width (h, or the CNN's c2) to come closest.
Localisation nets: the Table 1 ST-CNN's for the CNNs; for the FCNs, fc 32 -> fc 32 on the
2x max-pooled input (on the full 2 x 42 x 42 = 3,528 pixels two of them would cost more than
the whole budget).
"""
from ..nn import ParallelTransformers, SpatialTransformer
from .classifier import TransformerClassifier
from .paper import (C2, best_width, cnn_classifier, count_cnn, count_fcn, count_localization,
                    fcn_classifier, localization)

ADDITION_MODELS = ("fcn", "cnn", "st-fcn", "2xst-fcn", "2xst-cnn")
SIZE, CHANNELS, SUMS = 42, 2, 19


def addition_model(name, transform="affine", normalization="inside"):
    """One of ADDITION_MODELS, for (N, 2, 42, 42) inputs and 19 classes."""
    if name not in ADDITION_MODELS:
        raise ValueError(f"unknown addition model {name!r}; choose one of "
                         f"{', '.join(ADDITION_MODELS)}")
    shape = dict(channels=CHANNELS, classes=SUMS)
    budget = count_cnn(SIZE, C2, **shape)
    if name == "cnn":
        return TransformerClassifier(cnn_classifier(SIZE, C2, **shape), normalization=normalization)
    if name == "fcn":
        h = best_width(lambda w: count_fcn(SIZE, w, **shape), budget)
        return TransformerClassifier(fcn_classifier(SIZE, h, **shape), normalization=normalization)
    k = 2 if name.startswith("2x") else 1
    kind = name.split("st-")[1]
    pool_first = kind == "fcn"
    rest = budget - k * count_localization(kind, SIZE, transform, CHANNELS, pool_first)
    m, seen = SIZE // 2, dict(channels=k * CHANNELS, classes=SUMS)   # after the avg-pool
    if kind == "cnn":
        classifier = cnn_classifier(m, best_width(lambda w: count_cnn(m, w, **seen), rest), **seen)
    else:
        classifier = fcn_classifier(m, best_width(lambda w: count_fcn(m, w, **seen), rest), **seen)
    transformers = [SpatialTransformer(*localization(kind, SIZE, normalization, CHANNELS,
                                                     pool_first), transform)
                    for _ in range(k)]
    transformer = transformers[0] if k == 1 else ParallelTransformers(transformers)
    return TransformerClassifier(classifier, transformer, pool=True, normalization=normalization)
