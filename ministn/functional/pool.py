"""Max and average pooling over kh x kw windows, via im2col (see im2col.py).

    max:  y = max over the window;   dx = dy routed to the window's arg-max (first one on ties)
    avg:  y = mean over the window;  dx = col2im(dy / (kh*kw) copied to every tap)

Padding is -inf for max (it never wins) and 0 for avg, which divides by kh*kw including the
padding (PyTorch's count_include_pad=True). Windows are worked on batch last, (taps, C, H_out,
W_out, N), the layout im2col_batch_last produces; max pooling reads its taps as strided views
of the image instead of copying them.
"""
import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor, check_float, check_ndim, pair
from .im2col import (col2im_batch_last, from_batch_last, im2col_batch_last, to_batch_last,
                     windows_batch_last)


class MaxPool2d(Function):
    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding):
        kh, kw = kernel_size
        xp = get_array_module(x)
        windows = windows_batch_last(to_batch_last(x), kh, kw, stride, padding, pad_value=-np.inf)
        # the kh*kw taps as strided views of the image, (C, H_out, W_out, N) each, and their
        # elementwise maximum: no im2col copy (2x2 windows on (1000, 10, 24, 24): 5.8 ms against
        # 10.5 ms for the copy and max(axis=0)). argmax over a tap axis would be 10x slower
        taps = [windows[i, j] for i in range(kh) for j in range(kw)]
        y = taps[0].copy()
        for tap in taps[1:]:
            xp.maximum(y, tap, out=y)
        ctx.save(x_shape=x.shape, kernel_size=kernel_size, stride=stride, padding=padding,
                 winner=first_maximum(taps, y) if ctx.needs_input_grad[0] else None)
        return from_batch_last(y)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        N, C, H, W = ctx.x_shape
        kh, kw = ctx.kernel_size
        dy = to_batch_last(grad_out)                             # (C, H_out, W_out, N)
        # dcols = one-hot of the winning tap, times dy; then folded back (col2im). A product
        # with the boolean one-hot, as ReLU's backward: 8x faster than where() in NumPy 2.
        taps = xp.arange(kh * kw, dtype=ctx.winner.dtype).reshape(-1, 1, 1, 1, 1)
        dcols = (taps == ctx.winner[None]) * dy[None]
        dcols = dcols.reshape(kh, kw, *dy.shape)
        return from_batch_last(col2im_batch_last(dcols, (C, H, W, N), ctx.stride, ctx.padding))


def first_maximum(taps, y):
    """Index of the first of the ``taps`` (a sequence of arrays) equal to their maximum y, the
    one PyTorch routes the gradient to.

    It is the number of leading taps below the maximum: one pass per tap (kh*kw of them) with
    boolean and integer adds, which NumPy vectorises (xp.where in the same loop is 10x slower).
    uint8 (int32 past 255 taps) keeps it at a quarter of the output's memory.
    """
    xp = get_array_module(y)
    dtype = np.uint8 if len(taps) <= 255 else np.int32
    all_below = xp.ones(y.shape, dtype=bool)
    winner = xp.zeros(y.shape, dtype=dtype)
    for tap in taps[:-1]:
        all_below &= tap != y
        winner += all_below
    return winner


class AvgPool2d(Function):
    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding):
        kh, kw = kernel_size
        cols = im2col_batch_last(to_batch_last(x), kh, kw, stride, padding)
        ctx.save(x_shape=x.shape, kernel_size=kernel_size, stride=stride, padding=padding)
        return from_batch_last(cols.mean(axis=(0, 1)))

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        N, C, H, W = ctx.x_shape
        kh, kw = ctx.kernel_size
        # every tap of a window receives dy / (kh*kw)
        share = to_batch_last(grad_out) / grad_out.dtype.type(kh * kw)
        dcols = xp.broadcast_to(share, (kh, kw, *share.shape))
        return from_batch_last(col2im_batch_last(dcols, (C, H, W, N), ctx.stride, ctx.padding))


def _pool_args(name, input, kernel_size, stride, padding):
    x = as_tensor(input, "input")
    check_ndim(x, "input", 4, "(N, C, H, W)")
    check_float(x, "input")
    kernel_size = pair(kernel_size, "kernel_size")
    stride = kernel_size if stride is None else pair(stride, "stride")
    padding = pair(padding, "padding")
    if min(kernel_size) < 1 or min(stride) < 1:
        raise ValueError(f"{name}: kernel_size and stride must be >= 1, got {kernel_size} and {stride}")
    if not all(0 <= p <= k // 2 for p, k in zip(padding, kernel_size)):
        raise ValueError(f"{name}: padding must lie in [0, kernel_size // 2], got padding "
                         f"{padding} for kernel_size {kernel_size}")
    Hp, Wp = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if kernel_size[0] > Hp or kernel_size[1] > Wp:
        raise ValueError(f"{name}: kernel_size {kernel_size} is larger than the padded input ({Hp}, {Wp})")
    return x, dict(kernel_size=kernel_size, stride=stride, padding=padding)


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """Max over each window of input (N, C, H, W); kernel_size, stride, padding are ints or
    (height, width) pairs; stride defaults to kernel_size."""
    x, options = _pool_args("max_pool2d", input, kernel_size, stride, padding)
    return MaxPool2d.apply(x, **options)


def avg_pool2d(input, kernel_size, stride=None, padding=0):
    """Mean over each window of input (N, C, H, W); arguments as max_pool2d."""
    x, options = _pool_args("avg_pool2d", input, kernel_size, stride, padding)
    return AvgPool2d.apply(x, **options)
