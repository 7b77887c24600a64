"""The pools' backward passes as ops, so that pooling is differentiable to any order.

Both backward passes are linear in dy and (almost everywhere) independent of x:

    max: dx = scatter(dy) to each window's arg-max     (MaxPoolScatter)
    avg: dx = col2im(dy / (kh*kw) at every tap)        (AvgPoolBackward)

so their own backward passes are their adjoints: for max, gather G at each window's arg-max
(MaxPoolGather: max_pool2d with the selection frozen), for avg, avg_pool2d itself. The
derivative of dx with respect to x is 0: max-pool's selection is piecewise constant (it is
undefined only where two entries of a window tie, as PyTorch's), and avg-pool's backward does
not read x. PyTorch's double backward of max_pool2d routes the same way.
"""
import numpy as np

from ..autograd import Context, Function
from ..backend import get_array_module
from .basic_backward import differentiable_backward_of
from .im2col import from_batch_last, im2col_batch_last, to_batch_last
from .pool import AvgPool2d, MaxPool2d


def gather_winners(G, pool):
    """y[n, c, oh, ow] = G at the window's arg-max (``pool``: the MaxPool2d's context)."""
    kh, kw = pool.kernel_size
    cols = im2col_batch_last(to_batch_last(G), kh, kw, pool.stride, pool.padding)
    taps = cols.reshape(kh * kw, *cols.shape[2:])                       # (kh*kw, C, Ho, Wo, N)
    winner = pool.winner.astype(np.intp)[None]
    return from_batch_last(get_array_module(G).take_along_axis(taps, winner, axis=0)[0])


class MaxPoolScatter(Function):
    """dx = dy scattered to the arg-max (max_pool2d's backward);  backward: gather_winners."""
    @staticmethod
    def forward(ctx, grad_out, *, pool):
        ctx.save(pool=pool)
        return MaxPool2d.backward(pool, grad_out)

    @staticmethod
    def backward(ctx, G):
        return gather_winners(G, ctx.pool)


class MaxPoolGather(Function):
    """y = G at the arg-max of each window (the selection frozen);  backward: MaxPoolScatter."""
    @staticmethod
    def forward(ctx, G, *, pool):
        ctx.save(pool=pool)
        return gather_winners(G, pool)

    @staticmethod
    def backward(ctx, grad_out):
        return MaxPool2d.backward(ctx.pool, grad_out)


class AvgPoolBackward(Function):
    """dx = avg_pool2d's backward of dy;  backward: avg_pool2d of G (its adjoint)."""
    @staticmethod
    def forward(ctx, grad_out, *, pool):
        ctx.save(pool=pool)
        return AvgPool2d.backward(pool, grad_out)

    @staticmethod
    def backward(ctx, G):
        p = ctx.pool
        return AvgPool2d.forward(Context(()), G, kernel_size=p.kernel_size, stride=p.stride,
                                 padding=p.padding)


@differentiable_backward_of(MaxPool2d)
def _max_pool2d(ctx, inputs, output, g):
    return MaxPoolScatter.apply(g, pool=ctx)


@differentiable_backward_of(MaxPoolScatter)
def _max_pool_scatter(ctx, inputs, output, G):
    return MaxPoolGather.apply(G, pool=ctx.pool)


@differentiable_backward_of(MaxPoolGather)
def _max_pool_gather(ctx, inputs, output, g):
    return MaxPoolScatter.apply(g, pool=ctx.pool)


@differentiable_backward_of(AvgPool2d)
def _avg_pool2d(ctx, inputs, output, g):
    return AvgPoolBackward.apply(g, pool=ctx)


@differentiable_backward_of(AvgPoolBackward)
def _avg_pool_backward(ctx, inputs, output, G):
    p = ctx.pool
    return AvgPool2d.apply(G, kernel_size=p.kernel_size, stride=p.stride, padding=p.padding)
