"""Concatenation along one axis: z = [x_1 | x_2 | ... | x_k].

Each input owns a slice of the output, so the backward pass cuts the upstream gradient back
into those slices:  dL/dx_i = (dL/dz)[..., o_i : o_i + n_i, ...],  o_i = n_1 + ... + n_{i-1}.
"""
from itertools import accumulate

from ..autograd import Function
from ..backend import get_array_module
from ._checks import as_tensor


class Cat(Function):
    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.save(axis=axis, sizes=[x.shape[axis] for x in xs])
        return get_array_module(xs[0]).concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        bounds = list(accumulate(ctx.sizes[:-1]))             # o_2, ..., o_k
        parts = xp.split(grad_out, bounds, axis=ctx.axis)
        return tuple(p if need else None for p, need in zip(parts, ctx.needs_input_grad))


def cat(tensors, dim=0):
    """torch.cat: tensors of one dtype and equal shapes except along ``dim``."""
    tensors = [as_tensor(t, f"tensors[{i}]") for i, t in enumerate(tensors)]
    if not tensors:
        raise ValueError("cat: tensors must be a non-empty sequence")
    first = tensors[0]
    if not -first.ndim <= dim < first.ndim:
        raise ValueError(f"cat: dim must be in [{-first.ndim}, {first.ndim}), got {dim}")
    axis = dim % first.ndim
    for i, t in enumerate(tensors[1:], start=1):
        same = t.ndim == first.ndim and all(
            a == b for k, (a, b) in enumerate(zip(t.shape, first.shape)) if k != axis)
        if not same or t.dtype != first.dtype:
            raise ValueError(f"cat: tensors[{i}] must match tensors[0] ({first.dtype}, "
                             f"{tuple(first.shape)}) except along dim {dim}; got {t.dtype}, "
                             f"{tuple(t.shape)}")
    return Cat.apply(*tensors, axis=axis)
