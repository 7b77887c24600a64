"""Module: a container of Parameters and sub-modules, as torch.nn.Module.

Attributes that are Parameters or Modules are registered in the order they are set, so
``named_parameters`` yields names such as ``"features.0.weight"`` exactly as PyTorch does, and
a ``state_dict`` can be loaded into the matching PyTorch model and back.
"""
from ..autograd import Tensor
from ..backend import get_array_module, to_device, to_numpy


class Parameter(Tensor):
    """A Tensor that a Module owns and an optimiser updates (requires_grad=True)."""

    def __init__(self, data):
        super().__init__(data, requires_grad=True)

    def __repr__(self):
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


class Module:
    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.__init__ must call super().__init__() first")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *inputs):
        raise NotImplementedError

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    # ---- traversal -------------------------------------------------------------------------
    def named_modules(self, prefix=""):
        yield prefix, self
        for name, module in self._modules.items():
            yield from module.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        return [m for _, m in self.named_modules()]

    def children(self):
        return list(self._modules.values())

    def named_parameters(self):
        for prefix, module in self.named_modules():
            for name, p in module._parameters.items():
                yield (f"{prefix}.{name}" if prefix else name), p

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def num_parameters(self):
        return sum(p.size for p in self.parameters())

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    # ---- modes and devices ------------------------------------------------------------------
    def train(self, mode=True):
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def _apply(self, convert):
        # convert in place, so an optimiser built before .to()/.astype() still holds these Parameters
        for p in self.parameters():
            p.data = convert(p.data)
            p.grad = None if p.grad is None else convert(p.grad)
        return self

    def to(self, device):
        """Move every parameter to 'cpu' or 'gpu' (in place; returns self)."""
        return self._apply(lambda a: to_device(a, device))

    def astype(self, dtype):
        """Cast every parameter to ``dtype`` (float64 for gradient checks), in place."""
        return self._apply(lambda a: a.astype(dtype))

    def double(self):
        return self.astype("float64")

    # ---- saving and loading -------------------------------------------------------------------
    def state_dict(self):
        """{name: NumPy array copy} for every parameter."""
        return {name: to_numpy(p.data).copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy arrays into the parameters; every key must match, every shape must agree."""
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        if missing or unexpected:
            raise KeyError(f"load_state_dict for {type(self).__name__}: missing keys {missing}, "
                           f"unexpected keys {unexpected}")
        for name, p in own.items():
            value = state[name]
            if tuple(value.shape) != p.shape:
                raise ValueError(f"load_state_dict: {name} has shape {tuple(value.shape)} in the "
                                 f"state dict but {p.shape} in the model")
            xp = get_array_module(p.data)
            p.data = xp.asarray(to_numpy(value) if xp is not get_array_module(value) else value,
                                dtype=p.dtype).copy()
        return self

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, m in self._modules.items():
            lines.append(f"  ({name}): " + repr(m).replace("\n", "\n  "))
        return lines[0] + (")" if len(lines) == 1 else "\n" + "\n".join(lines[1:]) + "\n)")

    def extra_repr(self):
        return ""


class Sequential(Module):
    """Apply the given modules in order; they are named "0", "1", ..."""

    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x
