"""Optimiser base class: a list of parameters, a learning rate, per-parameter state.

params is a list of parameters, or, as in PyTorch, a list of groups
{"params": [...], "lr": group_lr} (a group without "lr" uses lr). A group's rate keeps its ratio
to lr: a schedule that changes lr changes every group's rate by the same factor, as
torch.optim.lr_scheduler.StepLR does to each group.
"""
from ..backend import get_array_module, to_numpy


def _groups(params, lr):
    """[(parameter, lr_scale)] from a parameter list or a list of {"params", "lr"} groups."""
    params = list(params)
    if not all(isinstance(g, dict) for g in params):
        return [(p, 1.0) for p in params]
    pairs = []
    for group in params:
        if set(group) - {"params", "lr"} or "params" not in group:
            raise ValueError(f"a parameter group has the keys 'params' and optionally 'lr', "
                             f"got {sorted(group)}")
        group_lr = group.get("lr", lr)
        if not group_lr > 0:
            raise ValueError(f"a group's lr must be positive, got {group_lr!r}")
        pairs += [(p, group_lr / lr) for p in group["params"]]
    return pairs


class Optimizer:
    def __init__(self, params, lr):
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        pairs = _groups(params, lr)
        if not pairs:
            raise ValueError("optimizer got an empty parameter list")
        self.params = [p for p, _ in pairs]
        self.lr_scales = [scale for _, scale in pairs]   # each parameter's rate is lr * scale
        self.lr = lr
        self.state = [dict() for _ in self.params]  # per-parameter arrays (momentum, moments)
        self.steps = 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        self.steps += 1
        for p, state, scale in zip(self.params, self.state, self.lr_scales):
            if p.grad is not None:
                self.update(p, p.grad, state, self.lr * scale)

    def update(self, p, grad, state, lr):
        """Change p.data by one step of rate lr."""
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
