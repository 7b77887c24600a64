"""im2col and col2im, the adjoint pair behind convolution and pooling: the windows are the
definition, col2im is im2col's adjoint, and the batch-last views cost no copy."""
import numpy as np
import pytest
from hypothesis import given

from ministn.functional.im2col import (col2im, col2im_batch_last, conv_output_length, from_batch_last,
                                       im2col, im2col_batch_last, to_batch_last)
from strategies import conv_cases, generator, normal


@given(case=conv_cases())
def test_im2col_and_col2im_are_adjoint(case):
    """<im2col(x), c> == <x, col2im(c)> for every shape, stride and padding."""
    rng = generator(case["seed"])
    _, _, kh, kw = case["w_shape"]
    x = normal(rng, case["x_shape"])
    cols = im2col(x, kh, kw, case["stride"], case["padding"])
    c = normal(rng, cols.shape)
    back = col2im(c, x.shape, case["stride"], case["padding"])
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-12)


def test_im2col_windows_are_the_definition():
    x = np.arange(2 * 3 * 5 * 4, dtype=np.float64).reshape(2, 3, 5, 4)
    cols = im2col(x, 3, 2, stride=2, padding=1)   # (N, C, kh, kw, H_out, W_out)
    x_pad = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    assert cols.shape == (2, 3, 3, 2, 3, 3)
    for i in range(3):
        for j in range(2):
            for oh in range(3):
                for ow in range(3):
                    np.testing.assert_array_equal(cols[:, :, i, j, oh, ow],
                                                  x_pad[:, :, 2 * oh + i, 2 * ow + j])


def test_a_batch_last_view_goes_back_without_a_copy():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5, 2)
    view = from_batch_last(x)
    assert view.shape == (2, 3, 4, 5) and np.shares_memory(view, x)
    assert np.shares_memory(to_batch_last(view), x)
    np.testing.assert_array_equal(to_batch_last(np.ascontiguousarray(view)), x)


@pytest.mark.parametrize("size, kernel, stride, padding, expected", [
    (28, 5, 1, 0, 24), (28, 5, 1, 2, 28), (7, 3, 2, 1, 4), (6, 3, 2, 0, 2), (5, 5, 1, 0, 1), (5, 3, 3, 0, 1),
])
def test_conv_output_length_counts_the_windows(size, kernel, stride, padding, expected):
    assert conv_output_length(size, kernel, stride, padding) == expected
    starts = range(0, size + 2 * padding - kernel + 1, stride)     # every window's first row
    assert len(starts) == expected


def test_pad_value_fills_the_border_of_the_windows():
    """max pooling pads with -inf so that the border never wins a window."""
    cols = im2col(np.ones((1, 1, 2, 2)), 2, 2, stride=1, padding=1, pad_value=-np.inf)
    assert cols.shape == (1, 1, 2, 2, 3, 3)
    np.testing.assert_array_equal(cols[0, 0, :, :, 0, 0], [[-np.inf, -np.inf], [-np.inf, 1]])
    assert np.isfinite(cols[0, 0, :, :, 1, 1]).all()


@pytest.mark.parametrize("stride, kernel", [((1, 1), (3, 3)), ((2, 2), (2, 2)), ((3, 2), (2, 2))])
def test_col2im_adds_every_window_entry_back_to_its_pixel(stride, kernel):
    """Overlapping (slice-adds) and non-overlapping (one write) windows: each pixel's count of
    windows comes back when the columns are all ones."""
    x_shape, (kh, kw) = (1, 7, 8, 2), kernel
    H_out, W_out = (conv_output_length(n, k, s, 0) for n, k, s in zip((7, 8), kernel, stride))
    counts = col2im_batch_last(np.ones((kh, kw, 1, H_out, W_out, 2)), x_shape, stride)
    expected = np.zeros((7, 8))
    for oh in range(H_out):
        for ow in range(W_out):
            expected[stride[0] * oh:stride[0] * oh + kh, stride[1] * ow:stride[1] * ow + kw] += 1
    np.testing.assert_array_equal(counts[0, :, :, 0], expected)
    np.testing.assert_array_equal(counts[0, :, :, 1], expected)


def test_batch_last_functions_are_the_batch_first_ones_transposed():
    rng = generator(4)
    x = normal(rng, (2, 3, 6, 5))
    cols = im2col_batch_last(to_batch_last(x), 3, 2, (2, 1), (1, 0))
    np.testing.assert_array_equal(cols.transpose(5, 2, 0, 1, 3, 4), im2col(x, 3, 2, (2, 1), (1, 0)))
    back = col2im_batch_last(cols, (3, 6, 5, 2), (2, 1), (1, 0))
    np.testing.assert_array_equal(from_batch_last(back), col2im(im2col(x, 3, 2, (2, 1), (1, 0)), x.shape, (2, 1), (1, 0)))
