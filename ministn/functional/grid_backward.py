"""Differentiable backward passes of the grid generators (create_graph=True).

affine_grid and tps_grid are linear maps of their parameters, grid = A(theta) (+ a constant for
TPS), so their backward is the adjoint A^T and the adjoint's backward is A again: both are a
FixedLinearMap, whose backward swaps the pair. Their second derivative with respect to theta is
0 (as PyTorch's affine_grid); only the upstream gradient's tangent flows back.

perspective_grid is not linear. With (u, v, w) = H p and grid = (u/w, v/w), its backward

    dZ = (Gx / w, Gy / w, -(Gx X + Gy Y) / w),     dH = dZ^T B

is written here with Tensor ops from theta (w recomputed as B h3, the grid being the op's
output), so that it records a graph; the 8-parameter form enters and leaves the 3x3 homography
through constant selection matrices (products, no concatenation).
"""
from ..autograd import Function, Tensor
from ..backend import get_array_module
from . import basic as B
from .affine_grid import AffineGrid
from .basic_backward import differentiable_backward_of
from .perspective_grid import PerspectiveGrid
from .tps_grid import TPSGrid


class FixedLinearMap(Function):
    """y = apply(x) for a fixed linear map;  dx = adjoint(dy). Its own backward swaps the two."""
    @staticmethod
    def forward(ctx, x, *, apply, adjoint):
        ctx.save(apply=apply, adjoint=adjoint)
        return apply(x)

    @staticmethod
    def backward(ctx, grad_out):
        return ctx.adjoint(grad_out)


@differentiable_backward_of(FixedLinearMap)
def _fixed_linear_map(ctx, inputs, output, g):
    return FixedLinearMap.apply(g, apply=ctx.adjoint, adjoint=ctx.apply)


@differentiable_backward_of(AffineGrid)
def _affine_grid(ctx, inputs, output, g):
    N, *sizes, D = g.shape
    base = ctx.B

    def theta_to_grid(theta):              # grid[n] = B theta[n]^T, (N, *sizes, D), 2-D or 3-D
        planes = (theta.reshape(D * N, D + 1) @ base.T).reshape(N, D, *sizes)
        return planes.transpose(0, *range(2, D + 2), 1)

    return FixedLinearMap.apply(g, apply=lambda G: AffineGrid.backward(ctx, G),
                                adjoint=theta_to_grid)


@differentiable_backward_of(TPSGrid)
def _tps_grid(ctx, inputs, output, g):
    N, H, W, _ = g.shape
    M = ctx.M
    xp = get_array_module(M)
    return FixedLinearMap.apply(g, apply=lambda G: TPSGrid.backward(ctx, G),
                                adjoint=lambda off: xp.matmul(M, off).reshape(N, H, W, 2))


@differentiable_backward_of(PerspectiveGrid)
def _perspective_grid(ctx, inputs, output, g):
    theta = inputs[0]
    N, eight = theta.shape[0], theta.ndim == 2
    xp = get_array_module(theta.data)
    eye = xp.eye(9, dtype=theta.dtype)
    const = lambda a: Tensor(xp.ascontiguousarray(a))  # noqa: E731
    # the homography's 9 entries, row-major; (N, 8) -> (N, 9) with h33 = 1
    H9 = theta @ const(eye[:8]) + const(eye[8]) if eight else B.reshape(theta, N, 9)
    base = const(ctx.B)                                                  # (P, 3) rows (x, y, 1)
    Z = base @ B.transpose(B.reshape(H9, N, 3, 3), 1, 2)                 # (N, P, 3) rows (u, v, w)
    w = Z[:, :, 2:]
    G, grid = B.reshape(g, N, -1, 2), B.reshape(output, N, -1, 2)
    dZ_uv = G / w
    dZ_w = -B.sum(G * grid, axis=2, keepdims=True) / w
    dH_uv = B.transpose(dZ_uv, 1, 2) @ base                               # (N, 2, 3)
    dH_w = B.transpose(dZ_w, 1, 2) @ base                                 # (N, 1, 3)
    dH9 = B.reshape(dH_uv, N, 6) @ const(eye[:6]) + B.reshape(dH_w, N, 3) @ const(eye[6:])
    return dH9 @ const(eye[:8].T) if eight else B.reshape(dH9, N, 3, 3)
