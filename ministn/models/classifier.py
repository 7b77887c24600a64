"""The shape every ministn model shares: [spatial transformer] -> [avg pool] -> normalise -> classify.

    V      = transformer(U)          raw pixels in, raw pixels out (zero padding = background)
    V      = avg_pool2d(V, 2)        only for the large canvases (RTS 42x42, T/TC 60x60), as the
                                     paper does to down-sample the transformer's output
    logits = classifier(normalization(V))

Models return logits; training uses cross_entropy(logits) = nll_loss(log_softmax(logits)),
which is exactly the tutorial's log_softmax + nll_loss.
"""
from .. import functional as F
from ..nn import Module
from .normalization import Normalize


class TransformerClassifier(Module):
    """A classifier, optionally behind a spatial transformer (None for the plain baselines)."""

    def __init__(self, classifier, transformer=None, pool=False, normalization="inside"):
        super().__init__()
        self.transformer = transformer
        self.normalization = Normalize.where(normalization)
        self.classifier = classifier
        self.pool = pool

    @property
    def has_transformer(self):
        return self.transformer is not None

    @property
    def warps_input(self):
        """True when ``transform(x)`` shows the input as the classifier sees it."""
        return self.transformer is not None

    def transform(self, x):
        """The transformer's output for input x (x itself for a model without one)."""
        return self.transformer(x) if self.transformer is not None else x

    def forward(self, x):
        x = self.transform(x)
        if self.pool:
            x = F.avg_pool2d(x, 2)
        return self.classifier(self.normalization(x))

    def count(self, part):
        """Parameters in 'transformer', 'classifier' or 'all'."""
        module = self if part == "all" else getattr(self, part)
        return 0 if module is None else module.num_parameters()
