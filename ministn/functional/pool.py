"""Max and average pooling over kh x kw windows, via im2col (see im2col.py).

    max:  y = max over the window;   dx = dy routed to the window's arg-max (first one on ties)
    avg:  y = mean over the window;  dx = col2im(dy / (kh*kw) copied to every tap)
"""
from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor, check_float, check_ndim, pair
from .im2col import col2im, im2col


class MaxPool2d(Function):
    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding):
        xp = get_array_module(x)
        kh, kw = kernel_size
        cols = im2col(x, kh, kw, stride, padding, pad_value=-xp.inf)
        N, C, _, _, H_out, W_out = cols.shape
        cols = cols.reshape(N, C, kh * kw, H_out, W_out)
        argmax = cols.argmax(axis=2)
        ctx.save(argmax=argmax, x_shape=x.shape, kernel_size=kernel_size, stride=stride,
                 padding=padding)
        return xp.take_along_axis(cols, argmax[:, :, None], axis=2)[:, :, 0]

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        N, C, H_out, W_out = grad_out.shape
        kh, kw = ctx.kernel_size
        # one-hot of the arg-max over the taps, times dy, then folded back (col2im)
        taps = xp.arange(kh * kw).reshape(1, 1, kh * kw, 1, 1)
        dcols = (taps == ctx.argmax[:, :, None]) * grad_out[:, :, None]
        dcols = dcols.astype(grad_out.dtype, copy=False).reshape(N, C, kh, kw, H_out, W_out)
        return col2im(dcols, ctx.x_shape, ctx.stride, ctx.padding)


class AvgPool2d(Function):
    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding):
        kh, kw = kernel_size
        cols = im2col(x, kh, kw, stride, padding)
        ctx.save(x_shape=x.shape, kernel_size=kernel_size, stride=stride, padding=padding)
        return cols.mean(axis=(2, 3))  # zero padding counted in the mean (PyTorch's default)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        N, C, H_out, W_out = grad_out.shape
        kh, kw = ctx.kernel_size
        share = grad_out[:, :, None, None] / grad_out.dtype.type(kh * kw)
        dcols = xp.broadcast_to(share, (N, C, kh, kw, H_out, W_out))
        return col2im(dcols, ctx.x_shape, ctx.stride, ctx.padding)


def _pool_args(name, input, kernel_size, stride, padding):
    x = as_tensor(input, "input")
    check_ndim(x, "input", 4, "(N, C, H, W)")
    check_float(x, "input")
    kernel_size = pair(kernel_size, "kernel_size")
    stride = kernel_size[0] if stride is None else stride
    if not isinstance(stride, int) or stride < 1:
        raise ValueError(f"{name}: stride must be an int >= 1, got {stride!r}")
    if not isinstance(padding, int) or not 0 <= padding <= min(kernel_size) // 2:
        raise ValueError(f"{name}: padding must be an int in [0, kernel_size // 2], got {padding!r}")
    Hp, Wp = x.shape[2] + 2 * padding, x.shape[3] + 2 * padding
    if kernel_size[0] > Hp or kernel_size[1] > Wp:
        raise ValueError(f"{name}: kernel_size {kernel_size} is larger than the padded input ({Hp}, {Wp})")
    return x, dict(kernel_size=kernel_size, stride=stride, padding=padding)


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """Max over each window of input (N, C, H, W); stride defaults to kernel_size."""
    x, options = _pool_args("max_pool2d", input, kernel_size, stride, padding)
    return MaxPool2d.apply(x, **options)


def avg_pool2d(input, kernel_size, stride=None, padding=0):
    """Mean over each window of input (N, C, H, W); stride defaults to kernel_size."""
    x, options = _pool_args("avg_pool2d", input, kernel_size, stride, padding)
    return AvgPool2d.apply(x, **options)
