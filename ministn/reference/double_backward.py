"""Second-order reference results: the double backward of grid_sample and affine_grid.

A case may hold tangents of the first-order gradients, ``grad_grad_input`` and/or
``grad_grad_grid`` (grid_sample) or ``grad_grad_theta`` (affine_grid), each of the shape of the
gradient it perturbs (a missing one counts as zeros). With gV the case's grad_output and
dU = J_U^T gV, dG = J_G^T gV the first-order gradients, the scalar

    s = <grad_grad_input, dU> + <grad_grad_grid, dG>

is differentiated with respect to everything the backward pass read, as PyTorch's double
backward of grid_sample (``torch.autograd.grad`` with create_graph=True, then again) returns it:

    grad_grad_output = ds/dgV = J_U tU + J_G tG     (the output's derivative along the tangents)
    grad2_input      = ds/dU  = (d2V/dU dG)^T ...   (the grid tangent's effect on dU; U enters
                                                     V linearly, so tU contributes nothing)
    grad2_grid       = ds/dG                        (both tangents: d2V/dG2 and d2V/dG dU)

affine_grid is linear in theta, grid = A theta, so with tangent tT of grad_theta:

    grad_grad_output = A tT (the grid of theta = tT),  grad2_theta = 0 (identically)

Computed with ministn.grad (create_graph=True), in float64 (docs/second-order.md).
"""
import numpy as np

from ..autograd import Tensor, grad

TANGENTS = {"grid_sample": ("grad_grad_input", "grad_grad_grid"),
            "affine_grid": ("grad_grad_theta",)}
SECOND_ORDER = {"grid_sample": ("grad_grad_output", "grad2_input", "grad2_grid"),
                "affine_grid": ("grad_grad_output", "grad2_theta")}
TANGENT_KEYS = tuple(k for keys in TANGENTS.values() for k in keys)


def tangents_of(op, case, inputs, as_array, error):
    """The case's tangents (float64 arrays, or None where absent), shapes checked; None if none."""
    keys = TANGENTS.get(op, ())
    if not any(k in case for k in keys):
        return None
    tangents = []
    for key, x in zip(keys, inputs):
        if key not in case:
            tangents.append(None)
            continue
        t = as_array(case, key)
        if t.shape != x.shape:
            raise error(f"{key!r} must have the shape of the gradient it perturbs, {x.shape}; "
                        f"got {t.shape}")
        tangents.append(t)
    return tangents


def double_backward(op, fn, arrays, grad_output, tangents):
    """The second-order result dict of ``op``: ``fn(*inputs)`` differentiated twice (above)."""
    inputs = [Tensor(a, requires_grad=True) for a in arrays]
    upstream = Tensor(np.asarray(grad_output, dtype=np.float64), requires_grad=True)
    firsts = grad(fn(*inputs), inputs, upstream, create_graph=True, allow_unused=True)
    s = upstream.sum() * 0.0                       # keeps upstream in the graph of s
    for first, tangent in zip(firsts, tangents):
        if first is not None and tangent is not None:
            s = s + (first * Tensor(tangent)).sum()
    seconds = grad(s, [upstream] + inputs, allow_unused=True)
    shapes = [upstream.shape] + [x.shape for x in inputs]
    values = [np.zeros(shape) if g is None else np.asarray(g.data, dtype=np.float64)
              for g, shape in zip(seconds, shapes)]
    result = dict(zip(SECOND_ORDER[op], values))
    result.update({k: t for k, t in zip(TANGENTS[op], tangents) if t is not None})
    return result
