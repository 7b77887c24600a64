"""im2col and col2im: the adjoint pair behind convolution and pooling.

im2col lays every kh x kw window of a padded image side by side:

    cols[n, c, i, j, oh, ow] = x_pad[n, c, i + sh*oh, j + sw*ow]

so a convolution becomes one matrix product. col2im is its adjoint (transpose): it adds each
window entry back to the pixel it came from, which is exactly the backward of im2col:

    dx_pad[n, c, i + sh*oh, j + sw*ow] += dcols[n, c, i, j, oh, ow]

im2col is one copy of a strided view that holds every window (``as_strided``, in NumPy and
CuPy alike): one pass over memory, and one kernel on a GPU, where a loop over the
kh*kw taps would launch kh*kw kernels (its cost there is the launches, not the arithmetic).
col2im loops over the kh*kw taps, one strided slice-add each, never over pixels or samples,
because overlapping windows add into the same pixel; when windows do not overlap (pooling
with stride >= kernel) it is one write into the same strided view.

Memory layout. The work is done "batch last": images as (C, H, W, N) and columns as
(kh, kw, C, H_out, W_out, N). A tap's slice x[:, i:..., j:..., :] then moves runs of W_out*N
contiguous numbers (for stride 1) instead of W_out = 8 or so, which makes both the im2col copy
and col2im's slice-adds several times faster, and the columns reshape for free into the
(kh*kw*C, H_out*W_out*N) matrix of one large matrix product. conv2d and the pools call the ``*_batch_last`` functions;
``im2col``/``col2im`` present the same numbers with the batch first, as views.
"""
from ..backend import get_array_module
from ..parallel import contiguous
from ._checks import pair


def conv_output_length(size, kernel, stride, padding):
    """Windows along one axis: floor((size + 2 padding - kernel) / stride) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def to_batch_last(x):
    """(N, C, H, W) -> a contiguous (C, H, W, N) array: one pass over the image, or none when x
    is a ``from_batch_last`` view."""
    return contiguous(x.transpose(1, 2, 3, 0), get_array_module(x))


def from_batch_last(x):
    """(C, H, W, N) -> (N, C, H, W), as a view (no copy).

    The view matters for speed: the next conv or pool calls ``to_batch_last`` on it, which then
    finds its memory already batch last and copies nothing, and the elementwise ops between
    them (ReLU, dropout) keep that layout. Copying here cost a sixth of a training step."""
    return x.transpose(3, 0, 1, 2)


def im2col_batch_last(x, kh, kw, stride=(1, 1), padding=(0, 0), pad_value=0.0):
    """(C, H, W, N) -> (kh, kw, C, H_out, W_out, N) windows of the padded image."""
    return contiguous(windows_batch_last(x, kh, kw, stride, padding, pad_value),
                      get_array_module(x))


def windows_batch_last(x, kh, kw, stride=(1, 1), padding=(0, 0), pad_value=0.0):
    """The windows of ``im2col_batch_last`` as a view of the padded image, not copied."""
    xp = get_array_module(x)
    ph, pw = padding
    if ph or pw:
        x = xp.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)), constant_values=pad_value)
    windows = _windows(x, kh, kw, stride)                       # (C, H_out, W_out, N, kh, kw)
    return windows.transpose(4, 5, 0, 1, 2, 3)


def col2im_batch_last(cols, x_shape, stride=(1, 1), padding=(0, 0)):
    """Adjoint of im2col_batch_last: (kh, kw, C, H_out, W_out, N) -> (C, H, W, N), overlaps summed."""
    xp = get_array_module(cols)
    (sh, sw), (ph, pw) = stride, padding
    kh, kw, C, H_out, W_out, N = cols.shape
    H, W = x_shape[1], x_shape[2]
    x_pad = xp.zeros((C, H + 2 * ph, W + 2 * pw, N), dtype=cols.dtype)
    if sh >= kh and sw >= kw:       # no pixel is in two windows: nothing to add up
        _windows(x_pad, kh, kw, stride)[...] = cols.transpose(2, 3, 4, 5, 0, 1)
    else:
        for i in range(kh):
            for j in range(kw):
                # adds through the view; ``x_pad[...] += `` would then also copy the view onto
                # itself (Python's __setitem__), a second pass and a second GPU kernel
                tap = x_pad[:, i:i + sh * H_out:sh, j:j + sw * W_out:sw]
                tap += cols[i, j]
    return x_pad[:, ph:ph + H, pw:pw + W] if ph or pw else x_pad


def _windows(x, kh, kw, stride):
    """Every window of a (C, H, W, N) image as a view (C, H_out, W_out, N, kh, kw), no copy:

        view[c, oh, ow, n, i, j] = x[c, sh*oh + i, sw*ow + j, n]

    so the view's strides are x's, with the row and column steps repeated for i and j.
    (``sliding_window_view`` says the same, but CuPy's cannot be written through, and it waits
    for the GPU twice per call; ``as_strided`` is the same view in NumPy and CuPy.)
    """
    xp = get_array_module(x)
    (sh, sw), (C, H, W, N) = stride, x.shape
    s_c, s_h, s_w, s_n = x.strides
    shape = (C, conv_output_length(H, kh, sh, 0), conv_output_length(W, kw, sw, 0), N, kh, kw)
    return xp.lib.stride_tricks.as_strided(x, shape, (s_c, sh * s_h, sw * s_w, s_n, s_h, s_w))


def im2col(x, kh, kw, stride=1, padding=0, pad_value=0.0):
    """(N, C, H, W) -> (N, C, kh, kw, H_out, W_out) windows of the padded image (a view)."""
    cols = im2col_batch_last(to_batch_last(x), kh, kw, pair(stride, "stride"), pair(padding, "padding"), pad_value)
    return cols.transpose(5, 2, 0, 1, 3, 4)


def col2im(cols, x_shape, stride=1, padding=0):
    """Adjoint of im2col: (N, C, kh, kw, H_out, W_out) -> (N, C, H, W), overlaps summed."""
    N, C, H, W = x_shape
    x = col2im_batch_last(cols.transpose(2, 3, 1, 4, 5, 0), (C, H, W, N), pair(stride, "stride"), pair(padding, "padding"))
    return from_batch_last(x)
