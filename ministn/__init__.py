"""ministn: Spatial Transformer Networks from scratch, in NumPy (and CuPy)."""
import os as _os
import sys as _sys

# OpenBLAS's idle threads busy-wait for about 0.1 s after each matrix product, holding the
# cores that ministn's own threads need next (docs/speed.md, "Using every core"); at 4 they
# sleep at once. OpenBLAS reads the variable once, when NumPy is first imported: so it is set
# only when ministn comes first, and never over the user's own value.
if "numpy" not in _sys.modules:
    _os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from . import functional, nn, optim, reference
from .autograd import Function, Tensor, grad, is_grad_enabled, no_grad, tensor
from .backend import gpu_available, manual_seed
from .errors import MinistnError
from .gradcheck import gradcheck, gradgradcheck
from .parallel import num_threads, set_num_threads

__version__ = "0.1.0"
