"""Activations and dropout.

    relu:    y = max(x, 0);         dx = dy * [x > 0]   (0 at x = 0, as PyTorch)
    tanh:    y = tanh(x);           dx = dy * (1 - y^2)
    sigmoid: y = 1 / (1 + e^-x);    dx = dy * y (1 - y)
    dropout: y = x * m / (1 - p),   m ~ Bernoulli(1 - p);  dx = dy * m / (1 - p)  (inverted scaling)
"""
from ..autograd import Function
from ..backend import get_array_module, rng
from ._checks import as_tensor, check_float, check_ndim


class ReLU(Function):
    @staticmethod
    def forward(ctx, x):
        mask = x > 0
        ctx.save(mask=mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * ctx.mask


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).tanh(x)
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * (1 - ctx.y * ctx.y)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        xp = get_array_module(x)
        y = 0.5 * (xp.tanh(0.5 * x) + 1)  # = 1 / (1 + exp(-x)), without overflow
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * ctx.y * (1 - ctx.y)


class MaskedScale(Function):
    """y = x * scaled_mask, with a constant mask (dropout's mask divided by 1 - p)."""
    @staticmethod
    def forward(ctx, x, *, scaled_mask):
        ctx.save(scaled_mask=scaled_mask)
        return x * scaled_mask

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * ctx.scaled_mask


def relu(input):
    return ReLU.apply(as_tensor(input, "input"))


def _float_input(input):
    x = as_tensor(input, "input")
    check_float(x, "input")
    return x


def tanh(input):
    return Tanh.apply(_float_input(input))


def sigmoid(input):
    return Sigmoid.apply(_float_input(input))


def _dropout(x, p, training, mask_shape, name):
    if not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"{name}: p must be a probability in [0, 1], got {p!r}")
    if not training or p == 0:
        return x
    xp = get_array_module(x.data)
    keep = rng(xp).random(mask_shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return MaskedScale.apply(x, scaled_mask=(keep * scale).astype(x.dtype))


def dropout(input, p=0.5, training=True):
    """Zero each element with probability p and scale the survivors by 1 / (1 - p)."""
    x = _float_input(input)
    return _dropout(x, p, training, x.shape, "dropout")


def dropout2d(input, p=0.5, training=True):
    """Zero whole channels of input (N, C, H, W) with probability p; scale survivors by 1/(1-p)."""
    x = _float_input(input)
    check_ndim(x, "input", 4, "(N, C, H, W)")
    return _dropout(x, p, training, x.shape[:2] + (1, 1), "dropout2d")
