"""Input normalisation inside the network, so that the spatial transformer's zero padding is
the image's own background.

The PyTorch STN tutorial normalises its inputs before the network, x' = (x - 0.1307) / 0.3081,
so the black background becomes -0.4242. ``grid_sample`` pads with 0, which in that space is
the grey 0.1307: every transform that shows area from outside the image draws a bright frame
around the digit, and the transformer learns to zoom *out*, because the frame is an easy cue
(pytorch/tutorials issue #1117; on cluttered MNIST the transformer collapses).

ministn's fix: the models take raw pixels in [0, 1] (background exactly 0), the sampler works
on those, and the normalisation is the first step of the localisation net and of the
classifier, i.e. it happens *after* the transformer. Padding value and background then agree,
the classifier still sees normalised inputs, and a figure of "before" and "after" shows both in
the same pixel units. ``normalization="outside"`` keeps the tutorial's setup (the caller
normalises), for the side-by-side comparison.
"""
from ..data.batching import MNIST_MEAN, MNIST_STD
from ..nn import Module

NORMALIZATIONS = ("inside", "outside")   # where the model's inputs are normalised


class Normalize(Module):
    """y = (x - mean) / std, no parameters; the identity when ``enabled`` is False."""

    def __init__(self, mean=MNIST_MEAN, std=MNIST_STD, enabled=True):
        super().__init__()
        self.mean, self.std, self.enabled = mean, std, enabled

    @classmethod
    def where(cls, normalization):
        """The normalisation step of a model normalised "inside" (the identity for "outside")."""
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {', '.join(NORMALIZATIONS)}, "
                             f"got {normalization!r}")
        return cls(enabled=normalization == "inside")

    def forward(self, x):
        if not self.enabled:
            return x
        return (x - self.mean) * (1.0 / self.std)

    def extra_repr(self):
        return f"mean={self.mean}, std={self.std}" if self.enabled else "disabled"
