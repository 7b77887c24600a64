"""The registry of benchmark cases, and the Setup that every case function receives."""
import numpy as np

from ..autograd import Tensor
from ..backend import to_device

CASES = {}  # name -> (description, function(setup) -> (ours, theirs or None))


def case(name, description):
    """Register ``function(setup) -> (ours, theirs)`` as the benchmark row ``name``."""
    def register(function):
        if name in CASES:
            raise ValueError(f"benchmark case {name!r} is registered twice")
        CASES[name] = (description, function)
        return function
    return register


class Setup:
    """Inputs on the right device for both libraries.

    device: 'cpu' or 'gpu'; torch: the torch module, or None when it is not installed (or has
    no CUDA for device='gpu'). Random inputs are drawn once, from a fixed seed, as NumPy arrays;
    ``array``, ``tensor`` and ``torch_tensor`` put the same numbers on the device. A timed run
    should not copy its inputs there (on a GPU the copy can cost more than the op): copy them
    once, outside it, and make fresh leaves over them inside it with ``leaves`` and
    ``torch_leaves``.
    """

    def __init__(self, device="cpu", torch=None):
        self.device, self.torch = device, torch
        self.torch_device = "cuda" if device == "gpu" else "cpu"
        self._rng = np.random.default_rng(0)

    def random(self, *shape, scale=1.0, dtype=np.float32):
        """A NumPy array of standard normals times ``scale``."""
        return (scale * self._rng.standard_normal(shape)).astype(dtype)

    def uniform(self, *shape, dtype=np.float32):
        """A NumPy array of uniform numbers in [0, 1) (pixels)."""
        return self._rng.random(shape, dtype=dtype)

    def labels(self, count, classes=10):
        """A NumPy array of ``count`` random class indices in [0, classes)."""
        return self._rng.integers(0, classes, count)

    def array(self, array):
        return to_device(array, self.device)

    def tensor(self, array, requires_grad=False):
        return Tensor(self.array(array), requires_grad=requires_grad)

    def torch_tensor(self, array, requires_grad=False):
        return self.torch.tensor(array, device=self.torch_device, requires_grad=requires_grad)

    @staticmethod
    def leaves(*arrays):
        """Fresh ministn Tensors that require grad, over arrays already on the device (no copy)."""
        return [Tensor(a, requires_grad=True) for a in arrays]

    @staticmethod
    def torch_leaves(*tensors):
        """Fresh PyTorch leaves that require grad, sharing the tensors' storage (no copy)."""
        return [t.detach().requires_grad_(True) for t in tensors]
