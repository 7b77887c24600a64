"""Optimiser base class: a list of parameters, a learning rate, per-parameter state."""
from ..backend import get_array_module, to_numpy


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        self.lr = lr
        self.state = [dict() for _ in self.params]  # per-parameter arrays (momentum, moments)
        self.steps = 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        self.steps += 1
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self.update(p, p.grad, state)

    def update(self, p, grad, state):
        raise NotImplementedError

    def state_dict(self):
        return {"lr": self.lr, "steps": self.steps,
                "state": [{k: to_numpy(v).copy() for k, v in s.items()} for s in self.state]}

    def load_state_dict(self, state_dict):
        if len(state_dict["state"]) != len(self.params):
            raise ValueError(f"optimizer state has {len(state_dict['state'])} parameters, "
                             f"this optimizer has {len(self.params)}")
        self.lr, self.steps = state_dict["lr"], state_dict["steps"]
        for p, own, saved in zip(self.params, self.state, state_dict["state"]):
            xp = get_array_module(p.data)
            own.clear()
            own.update({k: xp.asarray(v, dtype=p.dtype) for k, v in saved.items()})
