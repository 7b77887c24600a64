"""SpatialTransformer: localisation net -> transform parameters -> grid -> sampler (STN paper, section 3).

    features = localization(U)                     (N, features), any Module
    a        = regression(features)                a Linear layer owned here, starting at identity
    grid     = generator(params(a), output_size)   affine / projective / thin plate spline
    V        = grid_sample(U, grid, "bilinear")    (N, C, H_out, W_out)

The regression layer starts with zero weight and the identity transform as its bias, so an
untrained transformer passes its input through unchanged (the paper's initialisation) and the
gradient, not the initial guess, decides what to attend to. Parameters per transform:

    affine      a (N, 6) -> theta (N, 2, 3), rows (x, y).            identity: (1, 0, 0, 0, 1, 0)
    projective  a (N, 8) -> h = (a1..a6, c tanh(a7), c tanh(a8)), h33 = 1, c = 0.45.
                |h31| + |h32| < 2c < 1 keeps the denominator w > 0 on every output grid
                (docs §4.3), so training can never make perspective_grid fail; tanh'(0) = 1,
                so near the identity (1, 0, 0, 0, 1, 0, 0, 0) the parameters act linearly.
    tps         a (N, 2K) -> offsets (N, K, 2), interleaved (x, y) per control point, in the
                lattice order of tps_grid. identity: zeros.
"""
import numpy as np

from .. import functional as F
from .layers import Linear
from .module import Module

TRANSFORMS = ("affine", "projective", "tps")
PROJECTIVE_BOUND = 0.45  # c in h31 = c tanh(a7), h32 = c tanh(a8)


class SpatialTransformer(Module):
    """A differentiable attention module: warp the input by a transform predicted from it.

    localization: a Module mapping the input (N, C, H, W) to (N, features).
    features:     the width of the localisation output.
    transform:    "affine" (6 parameters), "projective" (8) or "tps" (2 * grid_size**2).
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
        if self.transform_name == "affine":
            return np.array([1, 0, 0, 0, 1, 0], dtype=float)
        if self.transform_name == "projective":
            return np.array([1, 0, 0, 0, 1, 0, 0, 0], dtype=float)
        return np.zeros(2 * self.grid_size ** 2)

    def parameters_from(self, a):
        """Regression output a (N, P) -> the generator's argument (theta or offsets)."""
        N = a.shape[0]
        if self.transform_name == "affine":
            return a.reshape(N, 2, 3)
        if self.transform_name == "projective":
            # h = a on the first six entries, c tanh(a) on the last two: a mask selects each part
            linear_part = np.array([1, 1, 1, 1, 1, 1, 0, 0], dtype=a.dtype)
            bounded_part = PROJECTIVE_BOUND * (1 - linear_part)
            return a * linear_part + F.tanh(a) * bounded_part
        return a.reshape(N, self.grid_size ** 2, 2)

    def grid(self, params, size):
        if self.transform_name == "affine":
            return F.affine_grid(params, size, self.align_corners)
        if self.transform_name == "projective":
            return F.perspective_grid(params, size, self.align_corners)
        return F.tps_grid(params, size, self.align_corners, self.grid_size)

    def forward_with_params(self, x):
        """(output, params): the warped input and the transform parameters that produced it.

        params is theta (N, 2, 3), the homography's eight numbers (N, 8), or TPS offsets
        (N, K, 2) — what figures draw.
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
