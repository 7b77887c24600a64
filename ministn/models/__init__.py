"""ministn.models: the tutorial's ST-CNN and the paper's FCN / CNN / ST-FCN / ST-CNN.

Also the experiments' models: MNIST addition (addition.py, ``addition_model``) and the tutorial's
classifier with a transformer on its feature maps (midnet.py, built by ``build`` too).

    model = build("st-cnn", transform="tps", input_size=42)
    print(describe(model))          # "st-cnn (tps, 42x42): 123,456 parameters (...)"

Every model takes raw pixels in [0, 1], (N, 1, S, S), and returns logits (N, 10); see
classifier.py for the shared shape and normalization.py for why normalisation is inside.
"""
from .addition import ADDITION_MODELS, addition_model
from .classifier import TransformerClassifier
from .midnet import MIDNET_MODELS, midnet_model
from .normalization import NORMALIZATIONS, Normalize
from .paper import paper_model
from .tutorial import tutorial_cnn, tutorial_stn

from ..nn.spatial import TRANSFORMS

MODELS = ("tutorial", "tutorial-cnn", "fcn", "cnn", "st-fcn", "st-cnn")
DIGIT_MODELS = MODELS + MIDNET_MODELS     # every model ``build`` makes (10 digit classes)


def build(name="tutorial", transform="affine", input_size=28, normalization="inside"):
    """A fresh model, initialised from ministn's seeded generator (``ministn.manual_seed``).

    name:       one of DIGIT_MODELS. 'tutorial' is the PyTorch tutorial's ST-CNN (affine, 28x28 only),
                'tutorial-cnn' the same classifier without the transformer.
    transform:  one of TRANSFORMS (the ST models; ignored by the others).
    input_size: side of the square input: 28 (R, P, E, plain), 42 (RTS) or 60 (T, TC).
    normalization: "inside" (ministn): normalise inside, after the transformer. "outside": the
                tutorial's setup, where the caller feeds normalised pixels and zero padding is grey.
    """
    if name not in DIGIT_MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(DIGIT_MODELS)}")
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transform {transform!r}; choose one of {', '.join(TRANSFORMS)}")
    if name in MIDNET_MODELS:
        return midnet_model(name, input_size, transform, normalization)
    if name.startswith("tutorial"):
        if input_size != 28:
            raise ValueError(f"model {name!r} takes 28x28 inputs only, got input_size={input_size} "
                             f"(use st-cnn for the 42x42 and 60x60 distortions)")
        if name == "tutorial" and transform != "affine":
            raise ValueError(f"model 'tutorial' uses an affine transformer, got {transform!r} "
                             f"(use st-cnn for projective or tps)")
        return tutorial_stn(normalization) if name == "tutorial" else tutorial_cnn(normalization)
    return paper_model(name, input_size, transform, normalization)


def describe(model, name="", transform="", input_size=None):
    """One line: parameter counts, split into transformer and classifier."""
    label = name
    if getattr(model, "has_transformer", False) and transform:
        label += f" ({transform}"
        label += f", {input_size}x{input_size})" if input_size else ")"
    elif input_size:
        label += f" ({input_size}x{input_size})"
    total = model.num_parameters()
    if getattr(model, "has_transformer", False):
        return (f"{label}: {total:,} parameters (transformer {model.count('transformer'):,}, "
                f"classifier {model.count('classifier'):,})")
    return f"{label}: {total:,} parameters"
