"""Spatial transformers in parallel: k warps of the same input, side by side along channels.

    V_j = ST_j(U)                      j = 1..k, each with its own localisation net and
                                       identity-initialised regression (spatial.py)
    V   = [V_1 | V_2 | ... | V_k]      (N, k C, H_out, W_out), concatenated along channels

This is the paper's 2xST / 4xST (fine-grained birds, section 4.3; MNIST addition, appendix
A.1): every transformer sees the whole input and may learn to attend to a different part of
it. Since concatenation only places each V_j in its own channels, the backward pass hands each
transformer the slice of dL/dV that its channels received (functional/concat.py).
"""
from .. import functional as F
from .module import Module
from .spatial import SpatialTransformer


class ParallelTransformers(Module):
    """k SpatialTransformers on the same input; their outputs concatenated along channels.

    transformers: a sequence of SpatialTransformer, all with the same output size. Named
    "0", "1", ... (parameter names "0.regression.weight", ...), as in Sequential.
    """

    def __init__(self, transformers):
        super().__init__()
        transformers = list(transformers)
        if not transformers or not all(isinstance(t, SpatialTransformer) for t in transformers):
            raise ValueError("transformers must be a non-empty sequence of SpatialTransformer")
        if len({t.output_size for t in transformers}) != 1:
            raise ValueError(f"the transformers' output_size must agree, got "
                             f"{[t.output_size for t in transformers]}")
        for i, t in enumerate(transformers):
            setattr(self, str(i), t)

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def forward_with_params(self, x):
        """(V, [params_1, ..., params_k]): the concatenated output, each transform's parameters."""
        outputs = [t.forward_with_params(x) for t in self._modules.values()]
        return F.cat([v for v, _ in outputs], dim=1), [p for _, p in outputs]

    def forward(self, x):
        return self.forward_with_params(x)[0]

    def extra_repr(self):
        return f"k={len(self)}"
