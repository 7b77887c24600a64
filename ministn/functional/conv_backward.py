"""conv2d's backward as two ops, so that conv2d is differentiable to any order.

conv2d's output y = conv(x, W) is bilinear in (x, W). Its backward is two more bilinear maps,

    dx = conv_input_grad(dy, W)  = col2im(Wm^T @ dy)      (the transposed convolution)
    dW = conv_weight_grad(x, dy) = dy @ im2col(x)^T       (the correlation of x with dy)

and each is the adjoint of conv in one argument: <dy, conv(x, W)> = <conv_input_grad(dy, W), x>
= <conv_weight_grad(x, dy), W>. Differentiating <G, conv_input_grad(dy, W)> for a tangent G of
dx therefore gives

    d/d(dy) = conv(G, W),          d/dW = conv_weight_grad(G, dy)

and for a tangent G of dW, <G, conv_weight_grad(x, dy)>:

    d/dx = conv_input_grad(dy, G), d/d(dy) = conv(x, G)

So Conv2d, Conv2dInputGrad and Conv2dWeightGrad are each other's backward passes: the family is
closed and every order is exact (as PyTorch's convolution_backward double backward). The bias
gradient db = sum of dy over (n, h, w) is a sum.
"""
from ..autograd import Function
from . import basic as B
from .basic_backward import differentiable_backward_of
from .conv import Conv2d
from .im2col import col2im_batch_last, from_batch_last, im2col_batch_last, to_batch_last


def _columns(x, kernel, stride, padding):
    """im2col of x (N, C, H, W) as the (kh*kw*C, H_out*W_out*N) matrix, batch last."""
    cols = im2col_batch_last(to_batch_last(x), *kernel, stride, padding)
    return cols.reshape(-1, cols.shape[3] * cols.shape[4] * cols.shape[5]), cols.shape[3:]


def conv_array(x, weight, stride, padding):
    """y = Wm @ im2col(x), (N, F, H_out, W_out), no bias."""
    F = weight.shape[0]
    cols, (H_out, W_out, N) = _columns(x, weight.shape[2:], stride, padding)
    w_mat = weight.transpose(0, 2, 3, 1).reshape(F, -1)
    return from_batch_last((w_mat @ cols).reshape(F, H_out, W_out, N))


def conv_input_grad_array(grad_out, weight, x_shape, stride, padding):
    """dx = col2im(Wm^T @ dy), (N, C, H, W)."""
    N, F, H_out, W_out = grad_out.shape
    _, C, kh, kw = weight.shape
    dy = to_batch_last(grad_out).reshape(F, -1)
    w_mat = weight.transpose(0, 2, 3, 1).reshape(F, -1)
    dcols = (w_mat.T @ dy).reshape(kh, kw, C, H_out, W_out, N)
    return from_batch_last(col2im_batch_last(dcols, (C, *x_shape[2:], N), stride, padding))


def conv_weight_grad_array(x, grad_out, kernel, stride, padding):
    """dW = dy @ im2col(x)^T, (F, C, kh, kw)."""
    F, C = grad_out.shape[1], x.shape[1]
    cols, _ = _columns(x, kernel, stride, padding)
    dy = to_batch_last(grad_out).reshape(F, -1)
    return (cols @ dy.T).reshape(*kernel, C, F).transpose(3, 2, 0, 1).copy()


class Conv2dInputGrad(Function):
    """dx = conv_input_grad(dy, W);  backward: (conv(G, W), conv_weight_grad(G, dy))."""
    @staticmethod
    def forward(ctx, grad_out, weight, *, x_shape, stride, padding):
        ctx.save(grad_out=grad_out, weight=weight, stride=stride, padding=padding)
        return conv_input_grad_array(grad_out, weight, x_shape, stride, padding)

    @staticmethod
    def backward(ctx, G):
        needs, kernel = ctx.needs_input_grad, ctx.weight.shape[2:]
        return (conv_array(G, ctx.weight, ctx.stride, ctx.padding) if needs[0] else None,
                conv_weight_grad_array(G, ctx.grad_out, kernel, ctx.stride, ctx.padding)
                if needs[1] else None)


class Conv2dWeightGrad(Function):
    """dW = conv_weight_grad(x, dy);  backward: (conv_input_grad(dy, G), conv(x, G))."""
    @staticmethod
    def forward(ctx, x, grad_out, *, kernel, stride, padding):
        ctx.save(x=x, grad_out=grad_out, stride=stride, padding=padding)
        return conv_weight_grad_array(x, grad_out, kernel, stride, padding)

    @staticmethod
    def backward(ctx, G):
        needs = ctx.needs_input_grad
        return (conv_input_grad_array(ctx.grad_out, G, ctx.x.shape, ctx.stride, ctx.padding)
                if needs[0] else None,
                conv_array(ctx.x, G, ctx.stride, ctx.padding) if needs[1] else None)


def _input_grad(grad_out, weight, x_shape, stride, padding):
    return Conv2dInputGrad.apply(grad_out, weight, x_shape=x_shape, stride=stride, padding=padding)


def _weight_grad(x, grad_out, kernel, stride, padding):
    return Conv2dWeightGrad.apply(x, grad_out, kernel=kernel, stride=stride, padding=padding)


@differentiable_backward_of(Conv2d)
def _conv2d(ctx, inputs, output, g):
    x, w = inputs[:2]
    needs, s, p = ctx.needs_input_grad, ctx.stride, ctx.padding
    return (_input_grad(g, w, x.shape, s, p) if needs[0] else None,
            _weight_grad(x, g, w.shape[2:], s, p) if needs[1] else None,
            B.sum(g, axis=(0, 2, 3)) if len(needs) > 2 and needs[2] else None)


@differentiable_backward_of(Conv2dInputGrad)
def _conv2d_input_grad(ctx, inputs, output, G):
    grad_out, w = inputs
    s, p = ctx.stride, ctx.padding
    return (Conv2d.apply(G, w, stride=s, padding=p) if grad_out.requires_grad else None,
            _weight_grad(G, grad_out, w.shape[2:], s, p) if w.requires_grad else None)


@differentiable_backward_of(Conv2dWeightGrad)
def _conv2d_weight_grad(ctx, inputs, output, G):
    x, grad_out = inputs
    s, p = ctx.stride, ctx.padding
    return (_input_grad(grad_out, G, x.shape, s, p) if x.requires_grad else None,
            Conv2d.apply(x, G, stride=s, padding=p) if grad_out.requires_grad else None)
