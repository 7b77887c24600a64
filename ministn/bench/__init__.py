"""``python -m ministn bench``: ministn beside PyTorch, one row per registered case.

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
PyTorch equivalent. Each callable is timed as the median of repeated runs after a warm-up,
with both libraries pinned to the same number of threads (see threads.py).
"""
from .registry import CASES, Setup, case

__all__ = ["CASES", "Setup", "case"]
