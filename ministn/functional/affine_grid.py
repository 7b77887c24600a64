"""affine_grid: a 2x3 matrix theta per sample -> a sampling grid (docs §3; PyTorch's semantics).

With B the (H*W, 3) matrix of homogeneous base points (b_w, b_h, 1) of the output (coords.py),

    grid[n] = B theta[n]^T,  i.e.  (x_s, y_s) = theta[n] (x_t, y_t, 1)^T   (STN paper, eq. 1)

reshaped to (H, W, 2). The grid maps *output* pixels to *input* positions (inverse warping): a
positive x-translation theta[n, 0, 2] samples further right, so the content moves left.
The map is linear in theta, so the backward is one product per sample:

    dtheta[n] = G[n]^T B        (G = dL/dgrid reshaped to (H*W, 2))
"""
from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor, check_float
from ._spatial_checks import check_align_corners, check_batch, check_finite, check_size
from .coords import base_grid


class AffineGrid(Function):
    """grid = affine_grid(theta): (N, 2, 3) -> (N, H, W, 2)."""

    @staticmethod
    def forward(ctx, theta, *, H, W, align_corners):
        xp = get_array_module(theta)
        N = theta.shape[0]
        B = base_grid(H, W, align_corners, xp, theta.dtype)              # (H*W, 3)
        ctx.save(B=B)
        # One GEMM for the whole batch, (2N, 3) @ (3, H*W), rather than N products (H*W, 3) @
        # (3, 2): 6x faster. The result is an (N, 2, H, W) array of x and y planes, returned as
        # an (N, H, W, 2) view: grid_sample then reads each plane contiguously, and lays out
        # its gradient the same way, so the backward's GEMM reads it without a copy.
        planes = (theta.reshape(2 * N, 3) @ B.T).reshape(N, 2, H, W)
        return planes.transpose(0, 2, 3, 1)

    @staticmethod
    def backward(ctx, grad_out):
        N, H, W, _ = grad_out.shape
        G = grad_out.transpose(0, 3, 1, 2).reshape(2 * N, H * W)         # rows: (n, x or y)
        # dtheta[n] = G[n]^T B, all n in one GEMM
        return (G @ ctx.B).reshape(N, 2, 3)


def affine_grid(theta, size, align_corners=False):
    """Sampling grid of an affine transform, as ``torch.nn.functional.affine_grid`` (4-D).

    theta: (N, 2, 3) float Tensor, rows (x, y): x_s = theta[0] . (x_t, y_t, 1), likewise y_s.
    size:  (N, C, H, W) of the output; C is ignored.
    align_corners: whether -1 and +1 are corner-pixel centres (True) or image edges (False).
    Returns grid (N, H, W, 2), last axis (x, y), for ``grid_sample``.
    """
    op = "affine_grid"
    theta = as_tensor(theta, "theta")
    N, _, H, W = check_size(size, op)
    align_corners = check_align_corners(align_corners, op)
    check_float(theta, "theta")
    if theta.shape[1:] != (2, 3) or theta.ndim != 3:
        raise ValueError(f"{op}: theta must have shape (N, 2, 3) for a 4-D size, got {tuple(theta.shape)}")
    check_batch(theta, "theta", N, op)
    check_finite(theta.data, "theta", op)
    return AffineGrid.apply(theta, H=H, W=W, align_corners=align_corners)
