"""ministn: Spatial Transformer Networks from scratch, in NumPy (and CuPy)."""
from . import functional, nn, optim, reference
from .autograd import Function, Tensor, is_grad_enabled, no_grad, tensor
from .backend import gpu_available, manual_seed
from .errors import MinistnError
from .gradcheck import gradcheck
from .parallel import num_threads, set_num_threads

__version__ = "0.1.0"
