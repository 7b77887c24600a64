"""A stand-in for CuPy, so that CI (which has no GPU) runs ministn's device code path.

Its arrays are NumPy arrays of their own type, ``fake_cupy.ndarray``, and it keeps the rule of
CuPy that device-agnostic code breaks most often, that a device array never mixes with a host
(NumPy) array, and a few more. As in CuPy,

- ``fake_cupy.exp(host)``, ``device * host`` and ``numpy.add(device, host)`` raise TypeError
  (CuPy: "Unsupported type <class 'numpy.ndarray'>"); NumPy scalars and Python numbers mix;
- ``numpy.<function>(device)`` runs on the device and returns a device array (CuPy implements
  ``__array_function__`` and ``__array_ufunc__``);
- ``asarray`` copies a host array to the device, ``asnumpy`` / ``.get()`` copy it back;
- reductions return 0-d device arrays, not NumPy scalars;
- a host array may index a device array, also through ``take`` (CuPy copies it over), and may
  be assigned into one only through an array index: ``device[1:3] = host`` raises (CuPy tries
  to ``fill`` with it);
- ``lib.stride_tricks``: ``as_strided`` gives a device view; ``sliding_window_view`` refuses
  ``writeable=True`` ("Writeable views are not supported", CuPy 14).

``install(monkeypatch)`` makes ``ministn.backend`` treat this module as CuPy with one GPU.
What it cannot catch: a function or keyword that NumPy has and CuPy lacks (a test in
test_device.py checks those names wherever CuPy imports), other rules of CuPy's not listed
here, and GPU-only behaviour (asynchronous kernels, atomics that reorder sums, memory pools).
For those, run the suite on a real GPU (``tools/gpu_check.sh``), where the ``gpu`` and ``xp``
fixtures (conftest.py) give real CuPy.
"""
import types

import numpy as _np

__all__ = ["ndarray", "asarray", "asnumpy", "install"]


class ndarray(_np.ndarray):
    """An array "on the device"."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _refuse_host_arrays(inputs + tuple(kwargs.get("out", ())), f"numpy.{ufunc.__name__}")
        if "out" in kwargs:
            kwargs["out"] = _to_host_view(kwargs["out"])
            getattr(ufunc, method)(*_to_host_view(inputs), **kwargs)
            out = kwargs["out"]
            return _to_device_view(out[0] if len(out) == 1 else out)
        return _to_device_view(getattr(ufunc, method)(*_to_host_view(inputs), **kwargs))

    def __array_function__(self, func, types, args, kwargs):
        _refuse_host_arrays((args, kwargs), f"numpy.{func.__name__}")
        return _to_device_view(func(*_to_host_view(args), **_to_host_view(kwargs)))

    def __setitem__(self, index, value):
        items = index if isinstance(index, tuple) else (index,)
        array_index = any(isinstance(i, (_np.ndarray, list)) for i in items)
        if _is_host_array(value) and value.ndim > 0 and not array_index:
            raise ValueError("non-scalar numpy.ndarray cannot be used for fill (CuPy: assign "
                             "xp.asarray(value) instead)")
        _np.ndarray.__setitem__(self, index, _to_host_view(value))

    def take(self, indices, *args, **kwargs):
        """A host index is copied over, as CuPy does; the result is on the device."""
        return _to_device_view(self.view(_np.ndarray).take(_to_host_view(indices), *args, **kwargs))

    def get(self):
        """A NumPy copy, as ``cupy.ndarray.get``."""
        return _np.array(self.view(_np.ndarray))


def _is_host_array(x):
    return isinstance(x, _np.ndarray) and not isinstance(x, ndarray)


def _leaves(x):
    if isinstance(x, (list, tuple)):
        for item in x:
            yield from _leaves(item)
    elif isinstance(x, dict):
        for item in x.values():
            yield from _leaves(item)
    else:
        yield x


def _refuse_host_arrays(args, where):
    for leaf in _leaves(args):
        if _is_host_array(leaf):
            raise TypeError(f"{where}: a NumPy (host) array was mixed with device arrays "
                            f"(CuPy: Unsupported type <class 'numpy.ndarray'>); move it with "
                            f"xp.asarray first")


def _to_host_view(x):
    """The same data as plain NumPy arrays, so that NumPy does the arithmetic (no copy)."""
    if isinstance(x, ndarray):
        return x.view(_np.ndarray)
    if isinstance(x, (list, tuple)):
        return type(x)(_to_host_view(item) for item in x)
    if isinstance(x, dict):
        return {key: _to_host_view(item) for key, item in x.items()}
    return x


def _to_device_view(x):
    if isinstance(x, _np.ndarray):
        return x.view(ndarray)
    if isinstance(x, _np.generic):
        return _np.asarray(x).view(ndarray)  # CuPy's reductions return 0-d arrays
    if isinstance(x, tuple):
        return tuple(_to_device_view(item) for item in x)
    if isinstance(x, list):
        return [_to_device_view(item) for item in x]
    return x


def _device_function(name, function, accepts_host=False):
    def run(*args, **kwargs):
        if not accepts_host:
            _refuse_host_arrays((args, kwargs), f"cupy.{name}")
        return _to_device_view(function(*_to_host_view(args), **_to_host_view(kwargs)))
    run.__name__ = name
    return run


class _Ufunc:
    """A NumPy ufunc whose call and methods (``at``, ``reduce``, ...) refuse host arrays."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return _device_function(self.__name__, self._ufunc)(*args, **kwargs)

    def __getattr__(self, method):
        return _device_function(f"{self.__name__}.{method}", getattr(self._ufunc, method))


def asarray(a, dtype=None):
    """Host to device: a copy, as in CuPy (a device array passes through unless cast)."""
    if isinstance(a, ndarray):
        return a if dtype is None or a.dtype == dtype else a.astype(dtype)
    return _np.array(_to_host_view(a), dtype=dtype, copy=True).view(ndarray)


def array(a, dtype=None, copy=True):
    return asarray(a, dtype).copy() if copy else asarray(a, dtype)


def asnumpy(a):
    """Device to host: a NumPy copy."""
    return _np.array(_to_host_view(a))


class _Generator:
    """``cupy.random.Generator``: NumPy's generator, with results on the device."""

    def __init__(self, seed=None):
        self._numpy = _np.random.default_rng(seed)

    def __getattr__(self, name):
        if name not in ("random", "standard_normal", "uniform", "integers", "normal"):
            raise AttributeError(f"cupy.random.Generator has no method {name!r} (fake_cupy)")
        return _device_function(f"Generator.{name}", getattr(self._numpy, name))


def _as_strided(x, shape=None, strides=None):
    """``cupy.lib.stride_tricks.as_strided``: a view of device memory (always writable)."""
    _refuse_host_arrays((x,), "cupy.lib.stride_tricks.as_strided")
    return _np.lib.stride_tricks.as_strided(x.view(_np.ndarray), shape, strides).view(ndarray)


def _sliding_window_view(x, window_shape, axis=None, *, writeable=False):
    if writeable:
        raise NotImplementedError("Writeable views are not supported.")  # CuPy 14's words
    _refuse_host_arrays((x,), "cupy.lib.stride_tricks.sliding_window_view")
    view = _np.lib.stride_tricks.sliding_window_view(x.view(_np.ndarray), window_shape, axis)
    return view.view(ndarray)


lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(
    as_strided=_as_strided, sliding_window_view=_sliding_window_view))
random = types.SimpleNamespace(default_rng=_Generator)
linalg = types.SimpleNamespace(**{name: _device_function(f"linalg.{name}", getattr(_np.linalg, name))
                                  for name in ("solve", "inv", "det", "norm")})
cuda = types.SimpleNamespace(
    runtime=types.SimpleNamespace(getDeviceCount=lambda: 1),
    Device=lambda device=None: types.SimpleNamespace(synchronize=lambda: None))


def __getattr__(name):
    """Any other NumPy name: dtypes and constants as they are, functions made device-only."""
    value = getattr(_np, name)
    if isinstance(value, _np.ufunc):
        return _Ufunc(value)
    if callable(value) and not isinstance(value, type):
        return _device_function(name, value)
    return value


def install(monkeypatch):
    """Make ministn see this module as CuPy, with one GPU, for the rest of a test."""
    import sys

    from ministn import backend
    monkeypatch.setattr(backend, "_cupy", sys.modules[__name__])
    monkeypatch.setitem(backend._rng, "gpu", None)
