"""affine_grid: an affine matrix theta per sample -> a sampling grid (docs §3, §14; PyTorch's).

With B the (P, D + 1) matrix of homogeneous base points of the output (coords.base_points),
(x, y, 1) per pixel for a 2-D size (N, C, H, W) and (x, y, z, 1) for a 3-D size (N, C, D, H, W),

    grid[n] = B theta[n]^T,  i.e.  (x_s, y_s[, z_s]) = theta[n] (x_t, y_t[, z_t], 1)^T   (STN eq. 1)

reshaped to (*spatial, D): theta is (N, 2, 3) in 2-D and (N, 3, 4) in 3-D. The grid maps *output*
pixels to *input* positions (inverse warping): a positive x-translation theta[n, 0, -1] samples
further right, so the content moves left. The map is linear in theta, so the backward is one
product per sample:

    dtheta[n] = G[n]^T B        (G = dL/dgrid reshaped to (P, D))
"""
import warnings

from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor, check_float
from ._spatial_checks import check_align_corners, check_batch, check_finite, check_size
from .coords import base_points


class AffineGrid(Function):
    """grid = affine_grid(theta): (N, D, D + 1) -> (N, *sizes, D), D = len(sizes)."""

    @staticmethod
    def forward(ctx, theta, *, sizes, align_corners):
        N, D = theta.shape[0], len(sizes)
        B = base_points(sizes, align_corners, get_array_module(theta), theta.dtype)  # (P, D + 1)
        ctx.save(B=B)
        # One GEMM for the whole batch, (D N, D + 1) @ (D + 1, P), rather than N products
        # (P, D + 1) @ (D + 1, D). The result is an (N, D, *sizes) array of coordinate planes,
        # returned as an (N, *sizes, D) view: grid_sample then reads each plane contiguously,
        # and lays out its gradient the same way, so the backward's GEMM reads it without a copy.
        planes = (theta.reshape(D * N, D + 1) @ B.T).reshape(N, D, *sizes)
        return planes.transpose(0, *range(2, D + 2), 1)

    @staticmethod
    def backward(ctx, grad_out):
        N, D = grad_out.shape[0], grad_out.shape[-1]
        # rows (n, axis): the (N, D, *sizes) planes as a (D N, P) matrix
        G = grad_out.transpose(0, D + 1, *range(1, D + 1)).reshape(D * N, ctx.B.shape[0])
        # dtheta[n] = G[n]^T B, all n in one GEMM
        return (G @ ctx.B).reshape(N, D, D + 1)


def affine_grid(theta, size, align_corners=False):
    """Sampling grid of an affine transform, as ``torch.nn.functional.affine_grid`` (4-D and 5-D).

    theta: (N, 2, 3) float Tensor for a 4-D size, rows (x, y): x_s = theta[0] . (x_t, y_t, 1);
           (N, 3, 4) for a 5-D size, rows (x, y, z).
    size:  (N, C, H, W) or (N, C, D, H, W) of the output; C is ignored.
    align_corners: whether -1 and +1 are corner-pixel centres (True) or image edges (False).
    Returns grid (N, H, W, 2), last axis (x, y), or (N, D, H, W, 3), last axis (x, y, z), for
    ``grid_sample``. With align_corners=True a spatial size of 1 warns, as PyTorch (docs §18).
    """
    op = "affine_grid"
    theta = as_tensor(theta, "theta")
    size = check_size(size, op, lengths=(4, 5), positive=False)
    align_corners = check_align_corners(align_corners, op)
    check_float(theta, "theta")
    D = len(size) - 2
    if theta.ndim != 3 or theta.shape[1:] != (D, D + 1):
        raise ValueError(f"{op}: theta must have shape (N, {D}, {D + 1}) for a {D + 2}-D size, "
                         f"got {tuple(theta.shape)}")
    check_unit_size(size, align_corners, op)
    check_batch(theta, "theta", size[0], op)
    check_finite(theta.data, "theta", op)
    return AffineGrid.apply(theta, sizes=size[2:], align_corners=align_corners)


def check_unit_size(size, align_corners, op):
    """PyTorch's rule (docs §17.1, §18): with align_corners=True a spatial size of 1 warns, and
    then no size is checked further (so N = 0 gives an empty grid); otherwise every entry of
    size must be positive."""
    if align_corners and min(size[2:]) == 1:
        warnings.warn(f"{op}: size {size} has a spatial axis of size 1 with align_corners=True: "
                      f"its base value is 0 and the grid does not vary along it (the convention "
                      f"for unit-size grids changed in PyTorch 1.3; see docs §18)", UserWarning,
                      stacklevel=3)
    elif min(size) == 0:
        raise ValueError(f"{op}: size entries must be positive, got {size}")
