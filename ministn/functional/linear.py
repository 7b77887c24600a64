"""Fully connected layer: y = x W^T + b.

    dx = dy W,   dW = dy^T x,   db = sum over the batch of dy
"""
from ..autograd import Function
from ._checks import as_tensor, check_float, check_same_dtype


class Linear(Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save(x=x, weight=weight)
        y = x @ weight.T
        return y + bias if bias is not None else y

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.x, ctx.weight
        needs = ctx.needs_input_grad
        grad_x = grad_out @ weight if needs[0] else None
        grad_w = grad_out.reshape(-1, grad_out.shape[-1]).T @ x.reshape(-1, x.shape[-1]) if needs[1] else None
        grad_b = grad_out.reshape(-1, grad_out.shape[-1]).sum(axis=0) if len(needs) > 2 and needs[2] else None
        return grad_x, grad_w, grad_b


def linear(input, weight, bias=None):
    """input (..., in_features), weight (out_features, in_features), bias (out_features,)."""
    x, w = as_tensor(input, "input"), as_tensor(weight, "weight")
    check_float(x, "input")
    check_same_dtype(x, "input", w, "weight")
    if w.ndim != 2 or x.ndim < 1 or x.shape[-1] != w.shape[1]:
        raise ValueError(f"linear: input's last dimension must equal weight's in_features; got "
                         f"input {tuple(x.shape)} and weight {tuple(w.shape)}")
    if bias is None:
        return Linear.apply(x, w)
    b = as_tensor(bias, "bias")
    check_same_dtype(x, "input", b, "bias")
    if b.shape != (w.shape[0],):
        raise ValueError(f"linear: bias must have shape ({w.shape[0]},), got {tuple(b.shape)}")
    return Linear.apply(x, w, b)
