"""``python -m ministn bench``: ministn beside PyTorch, one row per registered case and thread count.

Adding a row is one small function in any module of this package (it is imported
automatically): decorate it with ``@case(name, description)``; it receives a ``Setup`` and
returns two zero-argument callables that do the same work, ministn's and PyTorch's:

    @case("relu train", "relu forward+backward on (64, 20, 8, 8), float32")
    def relu_train(s):
        x, grad = s.random(64, 20, 8, 8), s.random(64, 20, 8, 8)
        X0, G = s.array(x), s.array(grad)          # on the device once, outside the timing

        def ours():
            X, = s.leaves(X0)
            F.relu(X).backward(G)

        def theirs():
            X, = s.torch_leaves(TX0)
            s.torch.relu(X).backward(TG)

        if s.torch is not None:
            TX0, TG = s.torch_tensor(x), s.torch_tensor(grad)
        return ours, theirs

``theirs`` is only called when PyTorch is installed; return None for it when there is no
PyTorch equivalent. Each library is timed in a block of its own (runner.py), in a process
whose threads are pinned (process.py); report.py lays the results out and checks them.
"""
import importlib
import pkgutil

from .registry import CASES, Setup, case

__all__ = ["CASES", "Setup", "case", "load_cases"]


def load_cases():
    """Import every module of this package, so that each registers its cases; returns CASES."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return CASES
