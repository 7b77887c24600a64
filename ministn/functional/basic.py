"""Elementwise arithmetic, reductions and shape operations.

Broadcasting: if ``z = x + y`` broadcasts ``x`` from shape s to shape t, then
dL/dx = sum of dL/dz over the broadcast axes, reshaped to s (``unbroadcast``).
Python numbers are weakly typed (float32 * 0.5 stays float32); two float tensors of different
dtypes are an error rather than a silent upcast.
"""
import numpy as np

from ..autograd import Function, Tensor
from ..backend import get_array_module


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: the adjoint of NumPy broadcasting."""
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def _operand(value, other):
    """A constant operand of the tensor ``other`` as a Tensor.

    A Python or NumPy number is weakly typed, as in NumPy 2: float32 * 0.5 stays float32, and
    an integer tensor * 0.5 becomes floating point (never truncated). A constant float array
    takes ``other``'s float dtype.
    """
    xp = get_array_module(other.data)
    if isinstance(value, (bool, int, float, np.generic)):
        value = value.item() if isinstance(value, np.generic) else value
        return Tensor(xp.asarray(value, dtype=np.result_type(other.dtype, value)))
    value = xp.asarray(value)
    if value.dtype.kind == "f" and other.dtype.kind == "f":
        value = value.astype(other.dtype, copy=False)
    return Tensor(value)


def _as_tensors(x, y):
    """Both operands as Tensors; two float tensors must share a dtype (no silent upcast)."""
    if not isinstance(x, Tensor):
        x = _operand(x, y)
    if not isinstance(y, Tensor):
        y = _operand(y, x)
    if x.dtype.kind == "f" and y.dtype.kind == "f" and x.dtype != y.dtype:
        raise TypeError(f"operands must have the same floating-point dtype, got {x.dtype} and "
                        f"{y.dtype}: convert one explicitly with .astype()")
    return x, y


class Add(Function):
    """z = x + y;  dx = dz, dy = dz (unbroadcast)."""
    @staticmethod
    def forward(ctx, x, y):
        ctx.save(x_shape=x.shape, y_shape=y.shape)
        return x + y

    @staticmethod
    def backward(ctx, grad_out):
        return unbroadcast(grad_out, ctx.x_shape), unbroadcast(grad_out, ctx.y_shape)


class Sub(Function):
    """z = x - y;  dx = dz, dy = -dz."""
    @staticmethod
    def forward(ctx, x, y):
        ctx.save(x_shape=x.shape, y_shape=y.shape)
        return x - y

    @staticmethod
    def backward(ctx, grad_out):
        return unbroadcast(grad_out, ctx.x_shape), unbroadcast(-grad_out, ctx.y_shape)


class Mul(Function):
    """z = x * y;  dx = dz * y, dy = dz * x."""
    @staticmethod
    def forward(ctx, x, y):
        ctx.save(x=x, y=y)
        return x * y

    @staticmethod
    def backward(ctx, grad_out):
        return (unbroadcast(grad_out * ctx.y, ctx.x.shape),
                unbroadcast(grad_out * ctx.x, ctx.y.shape))


class Div(Function):
    """z = x / y;  dx = dz / y, dy = -dz * x / y^2."""
    @staticmethod
    def forward(ctx, x, y):
        ctx.save(x=x, y=y)
        return x / y

    @staticmethod
    def backward(ctx, grad_out):
        x, y = ctx.x, ctx.y
        return unbroadcast(grad_out / y, x.shape), unbroadcast(-grad_out * x / (y * y), y.shape)


class Neg(Function):
    """z = -x;  dx = -dz."""
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad_out):
        return -grad_out


class Pow(Function):
    """z = x^p for a constant p;  dx = dz * p * x^(p-1)."""
    @staticmethod
    def forward(ctx, x, *, exponent):
        ctx.save(x=x, exponent=exponent)
        return x ** exponent

    @staticmethod
    def backward(ctx, grad_out):
        p = ctx.exponent
        return grad_out * (p * ctx.x ** (p - 1)).astype(grad_out.dtype, copy=False)


class Exp(Function):
    """z = exp(x);  dx = dz * z."""
    @staticmethod
    def forward(ctx, x):
        z = get_array_module(x).exp(x)
        ctx.save(z=z)
        return z

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * ctx.z


class Log(Function):
    """z = log(x);  dx = dz / x."""
    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return get_array_module(x).log(x)

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out / ctx.x


class MatMul(Function):
    """Z = X @ Y (batched like numpy.matmul);  dX = dZ @ Y^T,  dY = X^T @ dZ."""
    @staticmethod
    def forward(ctx, x, y):
        if x.ndim < 2 or y.ndim < 2:
            raise ValueError(f"matmul: both operands need ndim >= 2, got {x.shape} and {y.shape}")
        ctx.save(x=x, y=y)
        return x @ y

    @staticmethod
    def backward(ctx, grad_out):
        x, y = ctx.x, ctx.y
        grad_x = grad_out @ y.swapaxes(-1, -2) if ctx.needs_input_grad[0] else None
        grad_y = x.swapaxes(-1, -2) @ grad_out if ctx.needs_input_grad[1] else None
        return (None if grad_x is None else unbroadcast(grad_x, x.shape),
                None if grad_y is None else unbroadcast(grad_y, y.shape))


class Sum(Function):
    """z = sum of x over ``axis``;  dx = dz broadcast back to x's shape."""
    @staticmethod
    def forward(ctx, x, *, axis, keepdims):
        ctx.save(shape=x.shape, axis=axis, keepdims=keepdims)
        return x.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        if not ctx.keepdims and ctx.axis is not None:
            grad_out = xp.expand_dims(grad_out, ctx.axis)
        return xp.broadcast_to(grad_out, ctx.shape).copy()


class Reshape(Function):
    """z = x viewed with a new shape;  dx = dz reshaped back."""
    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.save(shape=x.shape)
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out.reshape(ctx.shape)


class Permute(Function):
    """z = x with axes reordered by ``dims``;  dx = dz with the inverse permutation."""
    @staticmethod
    def forward(ctx, x, *, dims):
        ctx.save(dims=dims)
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad_out):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return grad_out.transpose(inverse)


class GetItem(Function):
    """z = x[index] (basic or integer-array indexing);  dx = zeros with dz scattered to index."""
    @staticmethod
    def forward(ctx, x, *, index):
        ctx.save(shape=x.shape, index=index)
        return x[index]

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        grad_x = xp.zeros(ctx.shape, dtype=grad_out.dtype)
        xp.add.at(grad_x, ctx.index, grad_out)  # add.at: repeated indices accumulate
        return grad_x


# ---- the public functions (torch.nn.functional / torch names) ------------------------------
def add(x, y): return Add.apply(*_as_tensors(x, y))
def sub(x, y): return Sub.apply(*_as_tensors(x, y))
def mul(x, y): return Mul.apply(*_as_tensors(x, y))
def div(x, y): return Div.apply(*_as_tensors(x, y))
def neg(x): return Neg.apply(x)
def exp(x): return Exp.apply(x)
def log(x): return Log.apply(x)
def matmul(x, y): return MatMul.apply(*_as_tensors(x, y))


def pow(x, exponent):
    if isinstance(exponent, Tensor):
        raise TypeError("pow: exponent must be a Python number (tensor exponents are not supported)")
    return Pow.apply(x, exponent=exponent)


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def sum(x, axis=None, keepdims=False):
    return Sum.apply(x, axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis``: sum(x) / (number of elements reduced)."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    total = sum(x, axis, keepdims)
    return total * (total.data.size / x.data.size) if x.data.size else total


def reshape(x, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Reshape.apply(x, shape=tuple(int(s) for s in shape))


def permute(x, *dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    ndim = x.ndim
    dims = tuple(d % ndim for d in dims)
    if sorted(dims) != list(range(ndim)):
        raise ValueError(f"permute: dims must be a permutation of 0..{ndim - 1}, got {dims}")
    return Permute.apply(x, dims=dims)


def transpose(x, dim0, dim1):
    dims = list(range(x.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permute(x, *dims)


def flatten(x, start_dim=0, end_dim=-1):
    shape = x.shape
    start, end = start_dim % len(shape), end_dim % len(shape)
    middle = 1
    for n in shape[start:end + 1]:
        middle *= n
    return reshape(x, *shape[:start], middle, *shape[end + 1:])


def getitem(x, index):
    if isinstance(index, Tensor):
        index = index.data
    return GetItem.apply(x, index=index)
