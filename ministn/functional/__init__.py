"""ministn.functional: every differentiable operation, named as in torch.nn.functional."""
from .activation import dropout, dropout2d, relu, sigmoid, tanh
from .basic import (add, div, exp, flatten, getitem, log, matmul, mean, mul, neg, permute, pow,
                    reshape, sub, sum, transpose)
from .concat import cat
from .conv import conv2d
from .linear import linear
from .loss import cross_entropy, log_softmax, nll_loss
from .pool import avg_pool2d, max_pool2d
from .affine_grid import affine_grid
from .grid_sample import grid_sample
from .perspective_grid import perspective_grid
from .tps_grid import tps_grid
# the differentiable backward passes (create_graph=True), attached to the ops above
from . import (basic_backward, conv_backward, grid_backward, grid_sample_backward,  # noqa: E402,F401
               loss_backward, pool_backward)
