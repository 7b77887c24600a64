"""Learning-rate schedules, as torch.optim.lr_scheduler.

StepLR: lr = base_lr * gamma ** (epoch // step_size); call ``step()`` once per epoch.
"""


class StepLR:
    def __init__(self, optimizer, step_size, gamma=0.1):
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive int, got {step_size!r}")
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.base_lr = optimizer.lr
        self.epoch = 0

    def step(self):
        self.epoch += 1
        self.optimizer.lr = self.base_lr * self.gamma ** (self.epoch // self.step_size)

    def get_last_lr(self):
        return [self.optimizer.lr]

    def state_dict(self):
        return {"base_lr": self.base_lr, "epoch": self.epoch}

    def load_state_dict(self, state):
        self.base_lr, self.epoch = state["base_lr"], state["epoch"]
