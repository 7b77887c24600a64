"""Differentiable backward passes of the basic ops and activations (create_graph=True).

Each is the op's backward written with Tensor ops, so the gradient it returns records a graph
and can be differentiated again (engine.py). The equations are those of basic.py and
activation.py; what is new is only *what they are made of*:

    add, sub, neg, reshape, permute:  linear in dz, so their backward is add/neg/reshape/permute
    mul:  dx = dz * y,  dy = dz * x          (second derivatives: d(dx)/dy = dz, d(dx)/d(dz) = y)
    div:  dx = dz / y,  dy = -dz x / y^2
    pow:  dx = dz p x^(p-1)                  exp: dx = dz * exp(x)        log: dx = dz / x
    matmul: dX = dZ Y^T,  dY = X^T dZ
    sum:  dx = dz broadcast back (BroadcastTo, whose backward is unbroadcast: a sum)
    getitem: dx = dz scattered into zeros (IndexAdd, whose backward is getitem again)
    relu, dropout:  dx = dz * mask, a constant mask: the gradient is linear in dz and does not
          depend on x, so d(dx)/dx = 0 (relu's second derivative is 0 away from its kink at
          x = 0, where it is undefined; PyTorch returns 0 there too)
    tanh: dx = dz (1 - y^2)       sigmoid: dx = dz y (1 - y)      (y the output Tensor)
"""
from ..autograd import Function
from ..backend import get_array_module
from . import basic as B
from .activation import MaskedScale, ReLU, Sigmoid, Tanh
from .basic import unbroadcast


def differentiable_backward_of(function):
    """Attach the decorated function as ``function.differentiable_backward``."""
    def attach(backward):
        function.differentiable_backward = staticmethod(backward)
        return backward
    return attach


def unbroadcast_tensor(grad, shape):
    """``unbroadcast`` with Tensor ops (sums), so that it records a graph."""
    extra = grad.ndim - len(shape)
    if extra:
        grad = B.sum(grad, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return B.sum(grad, axis=axes, keepdims=True) if axes else grad


class BroadcastTo(Function):
    """z = x broadcast to ``shape``;  dx = unbroadcast(dz) (sum over the broadcast axes)."""
    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.save(shape=x.shape)
        return get_array_module(x).broadcast_to(x, shape).copy()

    @staticmethod
    def backward(ctx, grad_out):
        return unbroadcast(grad_out, ctx.shape)


@differentiable_backward_of(BroadcastTo)
def _broadcast_to(ctx, inputs, output, grad_out):
    return unbroadcast_tensor(grad_out, ctx.shape)


class IndexAdd(Function):
    """z = zeros(shape) with x added at ``index`` (getitem's backward);  dx = dz[index]."""
    @staticmethod
    def forward(ctx, x, *, shape, index):
        ctx.save(index=index)
        z = get_array_module(x).zeros(shape, dtype=x.dtype)
        get_array_module(x).add.at(z, index, x)  # repeated indices accumulate
        return z

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out[ctx.index]


@differentiable_backward_of(IndexAdd)
def _index_add(ctx, inputs, output, grad_out):
    return B.GetItem.apply(grad_out, index=ctx.index)


@differentiable_backward_of(B.GetItem)
def _getitem(ctx, inputs, output, grad_out):
    return IndexAdd.apply(grad_out, shape=ctx.shape, index=ctx.index)


def _if(needed, make):
    return make() if needed else None


@differentiable_backward_of(B.Add)
def _add(ctx, inputs, output, g):
    x, y = inputs
    return (_if(x.requires_grad, lambda: unbroadcast_tensor(g, x.shape)),
            _if(y.requires_grad, lambda: unbroadcast_tensor(g, y.shape)))


@differentiable_backward_of(B.Sub)
def _sub(ctx, inputs, output, g):
    x, y = inputs
    return (_if(x.requires_grad, lambda: unbroadcast_tensor(g, x.shape)),
            _if(y.requires_grad, lambda: unbroadcast_tensor(-g, y.shape)))


@differentiable_backward_of(B.Mul)
def _mul(ctx, inputs, output, g):
    x, y = inputs
    return (_if(x.requires_grad, lambda: unbroadcast_tensor(g * y, x.shape)),
            _if(y.requires_grad, lambda: unbroadcast_tensor(g * x, y.shape)))


@differentiable_backward_of(B.Div)
def _div(ctx, inputs, output, g):
    x, y = inputs
    return (_if(x.requires_grad, lambda: unbroadcast_tensor(g / y, x.shape)),
            _if(y.requires_grad, lambda: unbroadcast_tensor(-(g * x) / (y * y), y.shape)))


@differentiable_backward_of(B.Neg)
def _neg(ctx, inputs, output, g):
    return -g


@differentiable_backward_of(B.Pow)
def _pow(ctx, inputs, output, g):
    p = ctx.exponent
    return g * (B.pow(inputs[0], p - 1) * p)


@differentiable_backward_of(B.Exp)
def _exp(ctx, inputs, output, g):
    return g * output


@differentiable_backward_of(B.Log)
def _log(ctx, inputs, output, g):
    return g / inputs[0]


@differentiable_backward_of(B.MatMul)
def _matmul(ctx, inputs, output, g):
    x, y = inputs
    return (_if(x.requires_grad, lambda: unbroadcast_tensor(g @ B.transpose(y, -1, -2), x.shape)),
            _if(y.requires_grad, lambda: unbroadcast_tensor(B.transpose(x, -1, -2) @ g, y.shape)))


@differentiable_backward_of(B.Sum)
def _sum(ctx, inputs, output, g):
    shape, axis = ctx.shape, ctx.axis
    axes = range(len(shape)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    axes = {a % len(shape) for a in axes}
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
    return BroadcastTo.apply(B.reshape(g, kept), shape=shape)


@differentiable_backward_of(B.Reshape)
def _reshape(ctx, inputs, output, g):
    return B.reshape(g, ctx.shape)


@differentiable_backward_of(B.Permute)
def _permute(ctx, inputs, output, g):
    inverse = [0] * len(ctx.dims)
    for i, d in enumerate(ctx.dims):
        inverse[d] = i
    return B.permute(g, *inverse)


@differentiable_backward_of(MaskedScale)
def _masked_scale(ctx, inputs, output, g):
    return MaskedScale.apply(g, scaled_mask=ctx.scaled_mask)


@differentiable_backward_of(ReLU)
def _relu(ctx, inputs, output, g):
    # d(dx)/dx = 0: the mask [x > 0] is piecewise constant (PyTorch's threshold_backward agrees)
    return MaskedScale.apply(g, scaled_mask=ctx.mask)


@differentiable_backward_of(Tanh)
def _tanh(ctx, inputs, output, g):
    return g * (1 - output * output)


@differentiable_backward_of(Sigmoid)
def _sigmoid(ctx, inputs, output, g):
    return g * output * (1 - output)
