"""Maintainer's script: count a training step's GPU array calls, copies and waits, without a GPU.

On a GPU a small model's step is bound by how many kernels it launches (each costs the CPU some
microseconds, however little it computes) and by how often the CPU waits for the GPU (a sync,
e.g. ``float(loss)``), not by arithmetic. This runs a bench case on tests/fake_cupy.py, counting:

    array calls   each ufunc, array function, module function, write into a device array, and
                  astype / copy / take: about one kernel launch each on CuPy (views such as
                  slicing are free; a reshape that has to copy is not counted, so this is a
                  lower bound)
    to device     host arrays copied onto the device (asarray, assignment of a host array)
    waits         the CPU waiting for the device: bool/int/float/item/get/asnumpy of a device array

Usage:  python tools/count_device_calls.py ["st-cnn train 256" ...]   (default: the training steps)
"""
import collections
import pathlib
import sys
import traceback

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import fake_cupy  # noqa: E402
import numpy as np  # noqa: E402

from ministn import backend  # noqa: E402
from ministn.bench import Setup, load_cases  # noqa: E402

counts = collections.Counter()
sites = collections.Counter()


def count(kind):
    counts[kind] += 1
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "/ministn/" in frame.filename:
            sites[kind, f"{frame.filename.split('/ministn/')[1]}:{frame.lineno}"] += 1
            return


def counted(kind, function):
    def run(*args, **kwargs):
        count(kind)
        return function(*args, **kwargs)
    return run


def instrument():
    """Wrap fake_cupy's entry points with counters and install it as ministn's CuPy."""
    device = fake_cupy.ndarray
    make_function = fake_cupy._device_function
    fake_cupy._device_function = lambda *a, **k: counted("array calls", make_function(*a, **k))
    for name in ("__array_ufunc__", "__array_function__", "__setitem__", "astype", "copy", "take"):
        setattr(device, name, counted("array calls", getattr(device, name)))
    for name in ("__bool__", "__int__", "__float__", "__index__", "item", "tolist", "get"):
        method = getattr(device, name, None) or getattr(np.ndarray, name)
        setattr(device, name, counted("waits", method))
    asarray = fake_cupy.asarray
    fake_cupy.asarray = lambda a, dtype=None: (
        asarray(a, dtype) if isinstance(a, device) else counted("to device", asarray)(a, dtype))
    fake_cupy.asnumpy = counted("waits", fake_cupy.asnumpy)
    backend._cupy = fake_cupy


def main(names):
    instrument()
    cases = load_cases()
    for name in names:
        step, _ = cases[name][1](Setup("gpu", None))
        step()                                                 # build caches, first-call work
        counts.clear(), sites.clear()
        step()
        print(f"{name}: " + ", ".join(f"{counts[k]} {k}" for k in ("array calls", "to device", "waits")))
        for (kind, site), n in sites.most_common():
            if kind != "array calls" or n >= 10:
                print(f"    {n:4d} {kind:11s} {site}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["st-cnn train 64", "st-cnn train 256", "cnn train 256"])
