"""Bad input gets a ValueError or TypeError that names the argument and what was expected."""
import numpy as np
import pytest

import ministn.functional as F
from ministn import Tensor


def f64(*shape):
    return np.zeros(shape)


def i64(*shape):
    return np.zeros(shape, dtype=np.int64)


X4, W4 = f64(2, 3, 8, 8), f64(4, 3, 3, 3)

CASES = {
    # wrong number of dimensions
    "conv2d input 3-D": (lambda: F.conv2d(f64(3, 8, 8), W4),
        ValueError, r"input must be 4-D \(N, C, H, W\)"),
    "conv2d weight 3-D": (lambda: F.conv2d(X4, f64(4, 3, 3)), ValueError, r"weight must be 4-D"),
    "max_pool2d input 3-D": (lambda: F.max_pool2d(f64(3, 8, 8), 2),
        ValueError, r"input must be 4-D"),
    "avg_pool2d input 5-D": (lambda: F.avg_pool2d(f64(1, 2, 3, 8, 8), 2),
        ValueError, r"input must be 4-D"),
    "dropout2d input 2-D": (lambda: F.dropout2d(f64(3, 8), 0.5), ValueError, r"input must be 4-D"),
    "nll_loss input 1-D": (lambda: F.nll_loss(f64(3), np.zeros(3, int)),
        ValueError, r"input must be 2-D"),
    "matmul 1-D": (lambda: F.matmul(Tensor(f64(3)), Tensor(f64(3, 2))), ValueError, r"ndim >= 2"),
    # channel and feature mismatches
    "conv2d channels": (lambda: F.conv2d(X4, f64(4, 2, 3, 3)),
        ValueError, r"input has 3 channels but weight expects 2"),
    "conv2d bias shape": (lambda: F.conv2d(X4, W4, f64(3)),
        ValueError, r"bias must have shape \(4,\)"),
    "linear features": (lambda: F.linear(f64(2, 5), f64(3, 4)),
        ValueError, r"input's last dimension must equal weight's in_features"),
    "linear bias shape": (lambda: F.linear(f64(2, 4), f64(3, 4), f64(4)),
        ValueError, r"bias must have shape \(3,\)"),
    "nll_loss target shape": (lambda: F.nll_loss(f64(3, 4), np.zeros(2, int)),
        ValueError, r"target must have shape \(3,\)"),
    "nll_loss target range": (lambda: F.nll_loss(f64(3, 4), np.array([0, 4, 1])),
        ValueError, r"target values must lie in \[0, 3\]"),
    # kernel larger than the padded input
    "conv2d kernel too big": (lambda: F.conv2d(f64(1, 3, 2, 8), W4),
        ValueError, r"kernel \(3, 3\) is larger than the padded input \(2, 8\)"),
    "max_pool2d kernel too big": (lambda: F.max_pool2d(f64(1, 1, 1, 1), 4, padding=1),
        ValueError, r"kernel_size \(4, 4\) is larger than the padded input \(3, 3\)"),
    "avg_pool2d kernel too big": (lambda: F.avg_pool2d(f64(1, 1, 3, 3), (1, 5)),
        ValueError, r"kernel_size \(1, 5\) is larger"),
    # bad options
    "conv2d stride 0": (lambda: F.conv2d(X4, W4, stride=0), ValueError, r"stride must be >= 1"),
    "conv2d negative padding": (lambda: F.conv2d(X4, W4, padding=-1),
        ValueError, r"padding must be >= 0"),
    "conv2d float stride": (lambda: F.conv2d(X4, W4, stride=1.5),
        TypeError, r"stride must be an int or a pair of ints"),
    "max_pool2d padding > kernel/2": (lambda: F.max_pool2d(X4, 2, padding=2),
        ValueError, r"padding must lie in \[0, kernel_size // 2\]"),
    "max_pool2d kernel list of 3": (lambda: F.max_pool2d(X4, [2, 2, 2]),
        TypeError, r"kernel_size must be an int or a pair"),
    "dropout p > 1": (lambda: F.dropout(f64(3), 1.5),
        ValueError, r"p must be a probability in \[0, 1\]"),
    "permute not a permutation": (lambda: Tensor(f64(2, 3)).permute(0, 0),
        ValueError, r"dims must be a permutation"),
    "pow tensor exponent": (lambda: Tensor(f64(2)) ** Tensor(f64(2)),
        TypeError, r"exponent must be a Python number"),
    # integer dtype where a float is needed
    "conv2d integer input": (lambda: F.conv2d(i64(2, 3, 8, 8), W4),
        TypeError, r"input must have a floating-point dtype"),
    "conv2d weight dtype": (lambda: F.conv2d(X4, W4.astype(np.float32)),
        TypeError, r"weight must have the same dtype as input \(float64\)"),
    "conv2d bias dtype": (lambda: F.conv2d(X4, W4, np.zeros(4, np.float32)),
        TypeError, r"bias must have the same dtype as input"),
    "linear integer input": (lambda: F.linear(i64(2, 4), f64(3, 4)),
        TypeError, r"input must have a floating-point dtype"),
    "linear bias dtype": (lambda: F.linear(f64(2, 4), f64(3, 4), np.zeros(3, np.float32)),
        TypeError, r"bias must have the same dtype as input"),
    "max_pool2d integer input": (lambda: F.max_pool2d(i64(1, 1, 4, 4), 2),
        TypeError, r"input must have a floating-point dtype"),
    "avg_pool2d integer input": (lambda: F.avg_pool2d(i64(1, 1, 4, 4), 2),
        TypeError, r"input must have a floating-point dtype"),
    "log_softmax integer input": (lambda: F.log_softmax(i64(2, 3)),
        TypeError, r"input must have a floating-point dtype"),
    "nll_loss integer input": (lambda: F.nll_loss(i64(2, 3), np.zeros(2, int)),
        TypeError, r"input must have a floating-point dtype"),
    "nll_loss float target": (lambda: F.nll_loss(f64(2, 3), np.zeros(2)),
        TypeError, r"target must hold integer class indices"),
    "dropout integer input": (lambda: F.dropout(i64(4), 0.5),
        TypeError, r"input must have a floating-point dtype"),
    "tanh integer input": (lambda: F.tanh(i64(4)),
        TypeError, r"input must have a floating-point dtype"),
    "requires_grad on integers": (lambda: Tensor(i64(3), requires_grad=True),
        TypeError, r"requires_grad needs a floating-point tensor"),
    "float32 + float64": (lambda: Tensor(np.ones(2, np.float32)) + Tensor(f64(2)),
        TypeError, r"same floating-point dtype"),
    "not an array": (lambda: F.relu([1.0, 2.0]),
        TypeError, r"input must be a Tensor or an array, got list"),
    # unknown reduction name
    "nll_loss reduction": (lambda: F.nll_loss(f64(2, 3), np.zeros(2, int), reduction="avg"),
        ValueError, r"reduction must be one of 'mean', 'sum', 'none'; got 'avg'"),
    "cross_entropy reduction": (lambda: F.cross_entropy(f64(2, 3), np.zeros(2, int), reduction="max"),
        ValueError, r"reduction must be one of"),
    # backward on a non-scalar without grad
    "backward non-scalar": (lambda: (Tensor(f64(3), requires_grad=True) * 2).backward(),
        ValueError, r"grad must be given for a non-scalar output of shape \(3,\)"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_raises_an_error_naming_the_argument(name):
    call, error, message = CASES[name]
    with pytest.raises(error, match=message):
        call()
