"""Reverse-mode automatic differentiation: Tensor and Function (tensor.py), and the backward
pass, to first or any order (engine.py)."""
from .engine import grad, recorded_ops
from .tensor import Context, Function, Tensor, enable_grad, is_grad_enabled, no_grad, tensor
