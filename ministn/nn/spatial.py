"""SpatialTransformer: localisation net -> transform parameters -> grid -> sampler (STN paper, section 3).

    features = localization(U)                     (N, features), any Module
    a        = regression(features)                a Linear layer owned here, starting at identity
    grid     = generator(params(a), output_size)   affine / attention / rotation-scale-translation
                                                   / projective / thin plate spline
    V        = grid_sample(U, grid, "bilinear")    (N, C, H_out, W_out)

The regression layer starts with zero weight and the identity transform as its bias, so an
untrained transformer passes its input through unchanged (the paper's initialisation) and the
gradient, not the initial guess, decides what to attend to. transforms.py says what a means
for each transform.

U may be any feature map (N, C, H, W): the same warp moves every channel, so a transformer can
sit anywhere in a network, and ``output_size`` smaller than (H, W) down-samples as it warps.
"""
import numpy as np

from .. import functional as F
from .layers import Linear
from .module import Module
from . import transforms
from .transforms import PROJECTIVE_BOUND, TRANSFORMS  # noqa: F401 (public names)


class SpatialTransformer(Module):
    """A differentiable attention module: warp the input by a transform predicted from it.

    localization: a Module mapping the input (N, C, H, W) to (N, features).
    features:     the width of the localisation output.
    transform:    "affine" (6 parameters), "attention" (3), "rotation-scale-translation" (4),
                  "projective" (8) or "tps" (2 * grid_size**2).
    output_size:  (H_out, W_out) of the warped output; the input's size by default.
    grid_size:    control lattice of the TPS (g x g points).
    padding_mode, align_corners: passed to grid_sample (and the grid generator).
    dtype:        of the regression layer (float32 for training, float64 for checks).
    """

    def __init__(self, localization, features, transform="affine", output_size=None, grid_size=4,
                 padding_mode="zeros", align_corners=False, dtype=np.float32):
        super().__init__()
        if transform not in TRANSFORMS:
            raise ValueError(f"transform must be one of {TRANSFORMS}, got {transform!r}")
        if output_size is not None and not (
                len(output_size) == 2 and all(isinstance(s, int) and s > 0 for s in output_size)):
            raise ValueError(f"output_size must be None or (H_out, W_out) of positive ints, "
                             f"got {output_size!r}")
        self.transform_name, self.output_size, self.grid_size = transform, output_size, grid_size
        self.padding_mode, self.align_corners = padding_mode, align_corners
        self.localization = localization
        identity = self.identity_parameters()
        self.regression = Linear(features, len(identity), dtype=dtype)
        self.regression.weight.data[...] = 0
        self.regression.bias.data[...] = identity

    def identity_parameters(self):
        """The regression output that means "no transform"."""
        return transforms.identity(self.transform_name, self.grid_size)

    def parameters_from(self, a):
        """Regression output a (N, P) -> the generator's argument (theta or offsets)."""
        return transforms.to_generator(self.transform_name, a, self.grid_size)

    def grid(self, params, size):
        return transforms.grid(self.transform_name, params, size, self.align_corners,
                               self.grid_size)

    def forward_with_params(self, x):
        """(output, params): the warped input and the transform parameters that produced it.

        params is theta (N, 2, 3) (affine, attention, rotation-scale-translation), the
        homography's eight numbers (N, 8), or TPS offsets (N, K, 2) — what figures draw.
        """
        N, C, H, W = x.shape
        H_out, W_out = self.output_size or (H, W)
        params = self.parameters_from(self.regression(self.localization(x)))
        grid = self.grid(params, (N, C, H_out, W_out))
        output = F.grid_sample(x, grid, "bilinear", self.padding_mode, self.align_corners)
        return output, params

    def forward(self, x):
        return self.forward_with_params(x)[0]

    def extra_repr(self):
        return (f"transform={self.transform_name!r}, output_size={self.output_size}, "
                f"padding_mode={self.padding_mode!r}, align_corners={self.align_corners}")
