"""perspective_grid: a homography per sample -> a sampling grid (docs §4; the STN paper's
"projective" transform; PyTorch has no such op).

For each homogeneous base point p = (x, y, 1) of the output (coords.py) and H = theta[n] (3x3),

    (u, v, w) = H p,        grid = (X, Y) = (u / w, v / w)

With 8 parameters (h11, h12, h13, h21, h22, h23, h31, h32), h33 = 1 fixes the projective scale,
and h31 = h32 = 0 gives affine_grid of the first six. Backward, with Z = B H^T (rows (u, v, w))
and upstream G = (Gx, Gy) per grid point:

    dZ[:, 0:2] = G / w,     dZ[:, 2] = -(Gx X + Gy Y) / w,     dH = dZ^T B

(with 8 parameters, dtheta is the first eight entries of dH, row-major; h33 gets none).

The denominator w = h31 x + h32 y + h33 must stay positive: at w = 0 the point is sent to
infinity and for w < 0 the image is seen "from behind" (the warp folds). This op computes
exactly, with no epsilon, and raises ValueError naming theta and the sample when w <= 0 at
any output pixel. On the base square |x|, |y| <= 1, min w = h33 - |h31| - |h32|, so
|h31| + |h32| < h33 guarantees w > 0 (SpatialTransformer's projective parameterisation keeps
|h31|, |h32| < 1/2 with h33 = 1). Near w = 0 the gradients grow like 1/w and 1/w^2.
"""
from ..autograd import Function
from ..backend import get_array_module, to_numpy
from ._checks import as_tensor, check_float
from ._spatial_checks import check_align_corners, check_batch, check_finite, check_size
from .coords import base_grid

OP = "perspective_grid"


def homography(theta):
    """(N, 3, 3) as is; (N, 8) -> (N, 3, 3) with h33 = 1."""
    xp = get_array_module(theta)
    if theta.ndim == 3:
        return theta
    return xp.concatenate([theta, xp.ones((theta.shape[0], 1), dtype=theta.dtype)], axis=1).reshape(-1, 3, 3)


class PerspectiveGrid(Function):
    """grid = perspective_grid(theta): (N, 3, 3) or (N, 8) -> (N, H, W, 2)."""

    @staticmethod
    def forward(ctx, theta, *, H, W, align_corners):
        xp = get_array_module(theta)
        B = base_grid(H, W, align_corners, xp, theta.dtype)              # (H*W, 3)
        Z = xp.matmul(B, homography(theta).transpose(0, 2, 1))            # (N, H*W, 3)
        w = Z[..., 2:]
        _check_denominator(w, W)
        grid = Z[..., :2] / w
        check_finite(grid, "the grid computed from theta", OP)
        ctx.save(B=B, w=w, grid=grid, theta_shape=theta.shape)
        return grid.reshape(-1, H, W, 2)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        G = grad_out.reshape(grad_out.shape[0], -1, 2)                   # (N, H*W, 2)
        # dZ = (Gx / w, Gy / w, -(Gx X + Gy Y) / w);  dH = dZ^T B
        dZ = xp.concatenate([G, -(G * ctx.grid).sum(axis=2, keepdims=True)], axis=2) / ctx.w
        grad_H = xp.matmul(dZ.transpose(0, 2, 1), ctx.B)                 # (N, 3, 3)
        if len(ctx.theta_shape) == 2:
            return grad_H.reshape(-1, 9)[:, :8]
        return grad_H


def _check_denominator(w, W):
    xp = get_array_module(w)
    bad = ~(w > 0)  # also catches NaN
    if bool(bad.any()):
        n, pixel, _ = (int(k) for k in xp.argwhere(bad)[0])
        value = float(to_numpy(w[n, pixel, 0]))
        raise ValueError(f"{OP}: theta[{n}] gives a non-positive homogeneous denominator "
                         f"w = h31*x + h32*y + h33 = {value:.6g} at output pixel "
                         f"(h, w) = ({pixel // W}, {pixel % W}); keep |h31| + |h32| < h33")


def perspective_grid(theta, size, align_corners=False):
    """Sampling grid of a projective transform (homography), the STN paper's 8-parameter class.

    theta: (N, 3, 3) homographies, or (N, 8) = (h11, h12, h13, h21, h22, h23, h31, h32) with
           h33 = 1; (x_s, y_s) = (u / w, v / w) with (u, v, w) = H (x_t, y_t, 1).
    size:  (N, C, H, W) of the output; C is ignored.
    align_corners: as in affine_grid (same base grid).
    Returns grid (N, H, W, 2). Raises ValueError if w <= 0 at any output pixel of any sample.
    """
    theta = as_tensor(theta, "theta")
    N, _, H, W = check_size(size, OP)
    align_corners = check_align_corners(align_corners, OP)
    check_float(theta, "theta")
    if not (theta.shape[1:] == (3, 3) and theta.ndim == 3 or theta.shape[1:] == (8,) and theta.ndim == 2):
        raise ValueError(f"{OP}: theta must have shape (N, 3, 3) or (N, 8), got {tuple(theta.shape)}")
    check_batch(theta, "theta", N, OP)
    check_finite(theta.data, "theta", OP)
    return PerspectiveGrid.apply(theta, H=H, W=W, align_corners=align_corners)
