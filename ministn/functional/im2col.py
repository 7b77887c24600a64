"""im2col and col2im: the adjoint pair behind convolution and pooling.

im2col lays every kh x kw window of a padded image side by side:

    cols[n, c, i, j, oh, ow] = x_pad[n, c, i + stride*oh, j + stride*ow]

so a convolution becomes one matrix product. col2im is its adjoint (transpose): it adds each
window entry back to the pixel it came from, which is exactly the backward of im2col:

    dx_pad[n, c, i + stride*oh, j + stride*ow] += dcols[n, c, i, j, oh, ow]

Both loop over the kh*kw kernel taps only (at most 81 here), never over pixels or samples:
each tap is one strided slice, which runs unchanged on NumPy and CuPy.
"""
from ..backend import get_array_module


def output_size(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


def im2col(x, kh, kw, stride=1, padding=0, pad_value=0.0):
    """(N, C, H, W) -> (N, C, kh, kw, H_out, W_out) windows of the zero-padded image."""
    xp = get_array_module(x)
    N, C, H, W = x.shape
    H_out, W_out = output_size(H, kh, stride, padding), output_size(W, kw, stride, padding)
    if padding:
        x = xp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)),
                   constant_values=pad_value)
    cols = xp.empty((N, C, kh, kw, H_out, W_out), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride]
    return cols


def col2im(cols, x_shape, stride=1, padding=0):
    """Adjoint of im2col: (N, C, kh, kw, H_out, W_out) -> (N, C, H, W), overlaps summed."""
    xp = get_array_module(cols)
    N, C, kh, kw, H_out, W_out = cols.shape
    H, W = x_shape[2], x_shape[3]
    x_pad = xp.zeros((N, C, H + 2 * padding, W + 2 * padding), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            x_pad[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride] += cols[:, :, i, j]
    return x_pad[:, :, padding:padding + H, padding:padding + W] if padding else x_pad
