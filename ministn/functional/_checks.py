"""Argument checks shared by the ops: clear errors that name the argument and what was expected."""
import numbers

from ..autograd import Tensor


def as_tensor(x, name):
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return Tensor(x)
    raise TypeError(f"{name} must be a Tensor or an array, got {type(x).__name__}")


def check_float(x, name):
    if x.dtype.kind != "f":
        raise TypeError(f"{name} must have a floating-point dtype (float32 or float64), got {x.dtype}")


def check_ndim(x, name, ndim, layout):
    if x.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {layout}, got shape {tuple(x.shape)}")


def check_same_dtype(x, name_x, y, name_y):
    if x.dtype != y.dtype:
        raise TypeError(f"{name_y} must have the same dtype as {name_x} ({x.dtype}), got {y.dtype}")


def check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def pair(value, name):
    """An int or a pair of ints (Python or NumPy integers) -> a pair of Python ints."""
    if isinstance(value, numbers.Integral):
        return int(value), int(value)
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, numbers.Integral) for v in value)):
        return int(value[0]), int(value[1])
    raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
