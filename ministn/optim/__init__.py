"""ministn.optim: optimisers and learning-rate schedules, as torch.optim."""
from .adam import Adam
from .lr_scheduler import StepLR
from .optimizer import Optimizer
from .sgd import SGD
