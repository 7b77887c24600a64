"""2-D convolution (cross-correlation, as in PyTorch) by im2col and one matrix product.

With cols = im2col(x) as a (kh*kw*C, L) matrix, L = H_out*W_out*N (every window of every
sample is one column), and Wm = weight as an (F, kh*kw*C) matrix:

    y   = Wm @ cols + b                       forward, (F, L)
    dWm = dy @ cols^T                         weight gradient
    db  = sum over L of dy                    bias gradient
    dx  = col2im(Wm^T @ dy)                   input gradient (col2im is the adjoint of im2col)

The columns are built batch last (see im2col.py), so the whole batch is one large product.
"""
from ..autograd import Function
from ._checks import as_tensor, check_float, check_ndim, check_same_dtype, pair
from .im2col import col2im_batch_last, from_batch_last, im2col_batch_last, to_batch_last


class Conv2d(Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=(1, 1), padding=(0, 0)):
        F, C, kh, kw = weight.shape
        # batch last: each kernel tap then copies long contiguous runs (see im2col.py)
        cols = im2col_batch_last(to_batch_last(x), kh, kw, stride, padding)
        H_out, W_out, N = cols.shape[3:]
        # One GEMM for the whole batch, (F, kh*kw*C) @ (kh*kw*C, H_out*W_out*N), rather than
        # N small ones: BLAS reaches full speed only on large products.
        cols = cols.reshape(kh * kw * C, H_out * W_out * N)
        w_mat = weight.transpose(0, 2, 3, 1).reshape(F, kh * kw * C)  # columns (i, j, c), as cols
        y = w_mat @ cols
        if bias is not None:
            y += bias[:, None]
        # cols, the largest array here, is kept only when the weight gradient needs it
        ctx.save(x_shape=x.shape, w_mat=w_mat, kernel=(kh, kw), stride=stride, padding=padding,
                 cols=cols if ctx.needs_input_grad[1] else None)
        return from_batch_last(y.reshape(F, H_out, W_out, N))

    @staticmethod
    def backward(ctx, grad_out):
        N, F, H_out, W_out = grad_out.shape
        _, C, H, W = ctx.x_shape
        kh, kw = ctx.kernel
        dy = to_batch_last(grad_out).reshape(F, H_out * W_out * N)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[1]:
            # dWm^T = cols @ dy^T, rows ordered (i, j, c): back to (F, C, kh, kw). Computed
            # transposed because BLAS runs cols (C-ordered, long rows) @ dy^T about 1.7x faster
            # than dy @ cols^T, whose long operand it would have to read across rows.
            grad_w = (ctx.cols @ dy.T).reshape(kh, kw, C, F).transpose(3, 2, 0, 1).copy()
            # Free cols before dcols (the same size) is allocated: with one such array alive at
            # a time, malloc keeps reusing the same memory instead of returning it to the OS and
            # page-faulting it back in on every step (which cost more than the products here).
            ctx.cols = None
        if ctx.needs_input_grad[0]:
            # dx = col2im(Wm^T @ dy)
            dcols = (ctx.w_mat.T @ dy).reshape(kh, kw, C, H_out, W_out, N)
            grad_x = from_batch_last(col2im_batch_last(dcols, (C, H, W, N), ctx.stride, ctx.padding))
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            # db = dy summed over every position of every sample
            grad_b = dy.sum(axis=1)
        return grad_x, grad_w, grad_b


def conv2d(input, weight, bias=None, stride=1, padding=0):
    """Convolve input (N, C, H, W) with weight (F, C, kh, kw) and optional bias (F,).

    stride and padding are ints or (height, width) pairs. Returns (N, F, H_out, W_out),
    H_out = (H + 2*padding - kh) // stride + 1.
    """
    x, w = as_tensor(input, "input"), as_tensor(weight, "weight")
    check_ndim(x, "input", 4, "(N, C, H, W)")
    check_ndim(w, "weight", 4, "(out_channels, in_channels, kh, kw)")
    check_float(x, "input")
    check_same_dtype(x, "input", w, "weight")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"conv2d: input has {x.shape[1]} channels but weight expects "
                         f"{w.shape[1]} (weight shape {tuple(w.shape)})")
    stride, padding = pair(stride, "stride"), pair(padding, "padding")
    for name, v, low in (("stride", stride, 1), ("padding", padding, 0)):
        if min(v) < low:
            raise ValueError(f"conv2d: {name} must be >= {low}, got {v}")
    Hp, Wp = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if w.shape[2] > Hp or w.shape[3] > Wp:
        raise ValueError(f"conv2d: kernel {tuple(w.shape[2:])} is larger than the padded "
                         f"input ({Hp}, {Wp})")
    if bias is None:
        return Conv2d.apply(x, w, stride=stride, padding=padding)
    b = as_tensor(bias, "bias")
    check_same_dtype(x, "input", b, "bias")
    if b.shape != (w.shape[0],):
        raise ValueError(f"conv2d: bias must have shape ({w.shape[0]},), got {tuple(b.shape)}")
    return Conv2d.apply(x, w, b, stride=stride, padding=padding)
