"""2-D convolution (cross-correlation, as in PyTorch) by im2col and one matrix product.

With cols = im2col(x) reshaped to (N, C*kh*kw, L), L = H_out*W_out, and Wm = weight (F, C*kh*kw):

    y[n] = Wm @ cols[n] + b                         forward
    dWm  = sum_n dy[n] @ cols[n]^T                   weight gradient
    db   = sum over n and L of dy                    bias gradient
    dx   = col2im(Wm^T @ dy[n])                      input gradient (the adjoint of im2col)
"""
from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor, check_float, check_ndim, check_same_dtype
from .im2col import col2im, im2col


class Conv2d(Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=1, padding=0):
        xp = get_array_module(x)
        N = x.shape[0]
        F, C, kh, kw = weight.shape
        cols = im2col(x, kh, kw, stride, padding)            # (N, C, kh, kw, H_out, W_out)
        H_out, W_out = cols.shape[4:]
        cols = cols.reshape(N, C * kh * kw, H_out * W_out)
        y = xp.matmul(weight.reshape(F, -1), cols)           # (N, F, L)
        if bias is not None:
            y += bias[:, None]
        ctx.save(x_shape=x.shape, weight=weight, cols=cols, stride=stride, padding=padding)
        return y.reshape(N, F, H_out, W_out)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        N, F, H_out, W_out = grad_out.shape
        weight, cols = ctx.weight, ctx.cols
        dy = grad_out.reshape(N, F, H_out * W_out)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            # dx = col2im(Wm^T @ dy)
            dcols = xp.matmul(weight.reshape(F, -1).T, dy)
            dcols = dcols.reshape(N, *weight.shape[1:], H_out, W_out)
            grad_x = col2im(dcols, ctx.x_shape, ctx.stride, ctx.padding)
        if ctx.needs_input_grad[1]:
            # dWm = sum_n dy[n] @ cols[n]^T
            grad_w = xp.tensordot(dy, cols, axes=([0, 2], [0, 2])).reshape(weight.shape)
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            grad_b = dy.sum(axis=(0, 2))
        return grad_x, grad_w, grad_b


def conv2d(input, weight, bias=None, stride=1, padding=0):
    """Convolve input (N, C, H, W) with weight (F, C, kh, kw) and optional bias (F,).

    Returns (N, F, H_out, W_out), H_out = (H + 2*padding - kh) // stride + 1.
    """
    x, w = as_tensor(input, "input"), as_tensor(weight, "weight")
    check_ndim(x, "input", 4, "(N, C, H, W)")
    check_ndim(w, "weight", 4, "(out_channels, in_channels, kh, kw)")
    check_float(x, "input")
    check_same_dtype(x, "input", w, "weight")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"conv2d: input has {x.shape[1]} channels but weight expects "
                         f"{w.shape[1]} (weight shape {tuple(w.shape)})")
    for name, v, low in (("stride", stride, 1), ("padding", padding, 0)):
        if not isinstance(v, int) or v < low:
            raise ValueError(f"conv2d: {name} must be an int >= {low}, got {v!r}")
    Hp, Wp = x.shape[2] + 2 * padding, x.shape[3] + 2 * padding
    if w.shape[2] > Hp or w.shape[3] > Wp:
        raise ValueError(f"conv2d: kernel {tuple(w.shape[2:])} is larger than the padded "
                         f"input ({Hp}, {Wp})")
    if bias is None:
        return Conv2d.apply(x, w, stride=stride, padding=padding)
    b = as_tensor(bias, "bias")
    if b.shape != (w.shape[0],):
        raise ValueError(f"conv2d: bias must have shape ({w.shape[0]},), got {tuple(b.shape)}")
    return Conv2d.apply(x, w, b, stride=stride, padding=padding)
