"""Tensor and Function: arrays that record the operations applied to them.

A ``Tensor`` wraps an array (``.data``, NumPy or CuPy) and remembers the ``Function`` call that
produced it, as ``_creator = (Function subclass, ctx, input tensors)``. The backward pass that
walks this record is in engine.py.
"""
import contextlib

from .. import backend

_grad_enabled = True


@contextlib.contextmanager
def no_grad():
    """Inside this block no graph is recorded (inference, optimiser updates)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


@contextlib.contextmanager
def enable_grad():
    """Inside this block graphs are recorded again (the engine's create_graph=True uses it)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, True
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled():
    return _grad_enabled


class Context:
    """What a Function's forward leaves for its backward: ``ctx.save(name=array)``, ``ctx.name``."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad

    def save(self, **arrays):
        self.__dict__.update(arrays)


class Function:
    """Base class of every differentiable operation (as ``torch.autograd.Function``).

    Subclasses define two static methods on raw arrays:
      forward(ctx, *inputs, **options) -> output array
      backward(ctx, grad_out) -> one gradient per positional input (None if not needed)
    and are called as ``MyOp.apply(*tensors, **options)``.
    """

    @staticmethod
    def forward(ctx, *inputs, **options):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out):
        raise NotImplementedError

    @staticmethod
    def differentiable_backward(ctx, inputs, output, grad_out):
        """The same gradients as ``backward``, but computed from Tensors with Tensor ops, so
        that they record a graph (``create_graph=True``). ``inputs`` are the input Tensors,
        ``output`` the output Tensor, ``grad_out`` a Tensor. An op defines it to be twice
        differentiable; without it the engine refuses create_graph=True with a clear error
        (never a wrong answer)."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **options):
        backend.tune_allocator_once()  # does its work on the first op only (docs/speed.md)
        tensors = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
        needs = tuple(t.requires_grad for t in tensors)
        record = _grad_enabled and any(needs)
        ctx = Context(needs)
        out = Tensor(cls.forward(ctx, *(t.data for t in tensors), **options), requires_grad=record)
        if record:
            out._creator = (cls, ctx, tensors)
        return out


class Tensor:
    """An array that can record the operations applied to it."""

    __array_priority__ = 100  # so that ndarray * Tensor calls Tensor.__rmul__

    def __init__(self, data, requires_grad=False):
        if isinstance(data, Tensor):
            data = data.data
        xp = backend.get_array_module(data)
        self.data = data if isinstance(data, xp.ndarray) else xp.asarray(data)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad needs a floating-point tensor, got dtype {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._creator = None  # (Function subclass, ctx, input tensors) of the op that made it

    # ---- array-like attributes -----------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    device = property(lambda self: backend.device_of(self.data))
    is_leaf = property(lambda self: self._creator is None)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({backend.to_numpy(self.data)!r}{grad})"

    def numpy(self):
        return backend.to_numpy(self.data)

    def item(self):
        return self.data.item()

    def detach(self):
        return Tensor(self.data)

    def to(self, device):
        """A copy on ``device`` ('cpu' or 'gpu'); a leaf keeps requires_grad."""
        return Tensor(backend.to_device(self.data, device), requires_grad=self.requires_grad)

    def astype(self, dtype):
        return Tensor(self.data.astype(dtype), requires_grad=self.requires_grad)

    def zero_grad(self):
        self.grad = None

    # ---- the backward pass (engine.py) ---------------------------------------------------
    def backward(self, grad=None, create_graph=False):
        """Accumulate dL/dx into ``.grad`` of every leaf x that requires grad.

        With create_graph=True each ``.grad`` is a Tensor that carries its own graph (it can be
        differentiated again) and the graph of ``self`` is kept; otherwise ``.grad`` is an array
        and the graph is freed as it is used."""
        engine.backward(self, grad, create_graph)

    # ---- operators, as in PyTorch (defined in ministn.functional) -----------------------
    def __add__(self, other): return F.add(self, other)
    def __radd__(self, other): return F.add(other, self)
    def __sub__(self, other): return F.sub(self, other)
    def __rsub__(self, other): return F.sub(other, self)
    def __mul__(self, other): return F.mul(self, other)
    def __rmul__(self, other): return F.mul(other, self)
    def __truediv__(self, other): return F.div(self, other)
    def __rtruediv__(self, other): return F.div(other, self)
    def __neg__(self): return F.neg(self)
    def __pow__(self, exponent): return F.pow(self, exponent)
    def __matmul__(self, other): return F.matmul(self, other)
    def __getitem__(self, index): return F.getitem(self, index)

    def sum(self, axis=None, keepdims=False): return F.sum(self, axis, keepdims)
    def mean(self, axis=None, keepdims=False): return F.mean(self, axis, keepdims)
    def exp(self): return F.exp(self)
    def log(self): return F.log(self)
    def relu(self): return F.relu(self)
    def reshape(self, *shape): return F.reshape(self, *shape)
    def view(self, *shape): return F.reshape(self, *shape)
    def transpose(self, dim0, dim1): return F.transpose(self, dim0, dim1)
    def permute(self, *dims): return F.permute(self, *dims)
    def flatten(self, start_dim=0, end_dim=-1): return F.flatten(self, start_dim, end_dim)

    @property
    def T(self):
        return F.permute(self, *reversed(range(self.ndim)))


def tensor(data, requires_grad=False, dtype=None):
    """Create a Tensor from a list, scalar or array (like ``torch.tensor``); a CuPy array stays
    on the GPU."""
    if dtype is not None:
        data = backend.get_array_module(data).asarray(data, dtype=dtype)
    return Tensor(data, requires_grad)


from .. import functional as F  # noqa: E402  (ops are defined with Function and Tensor above)
from . import engine  # noqa: E402  (the backward pass needs Tensor)
