"""Check a backward pass against central finite differences, in float64.

For an op y = f(x1, ..., xk) and a random upstream gradient v (never all-ones, which hides
transposition errors), the analytic vector-Jacobian product is what backward returns,

    a_i = (J_i^T v) = d<v, f(x)>/dx_i,

and the numeric one perturbs each element of x_i by +-eps:

    n_i[j] = (<v, f(x + eps e_j)> - <v, f(x - eps e_j)>) / (2 eps).

``gradgradcheck`` checks second order the same way, on the gradient itself (see there).

They must agree tensor-wise: ||a - n||_inf / max(||a||_inf, ||n||_inf) <= rtol (1e-6 by
default; for smooth ops the truth is ~1e-9). When both are tiny (below ``atol``) they pass.
"""
import numpy as np

from .autograd import Tensor, grad
from .backend import get_array_module, to_numpy


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with finite differences."""


def _upstream_rng(seed):
    """The generator of the upstream vector: seeded by (seed, 1), not seed alone, so that it never
    replays a test's own default_rng(seed) input (v == x makes <Ax, v> == <x, A v> for any A)."""
    return np.random.default_rng((seed, 1))


def _inner(v, y):
    return float((v * y.data).sum())


def gradcheck(fn, inputs, eps=1e-6, rtol=1e-6, atol=1e-12, seed=0, upstream=None, numeric_fn=None):
    """True when fn's gradients w.r.t. every input that requires grad match central differences.

    fn:      a callable taking the Tensors in ``inputs`` and returning one Tensor.
    inputs:  a sequence of Tensors; those with requires_grad=True are checked. All float64.
    upstream: the vector v (shape of the output); a seeded random one by default.
    numeric_fn: the function whose values are differenced (default fn: the same one).
    Raises GradcheckError naming the input, the worst element, its index and both values.
    """
    inputs = list(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True; nothing to check")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(f"gradcheck: input {i} must be float64 (finite differences in "
                            f"float32 are too coarse), got {inputs[i].dtype}")
    for i in checked:
        inputs[i].grad = None

    out = fn(*inputs)
    xp = get_array_module(out.data)
    if upstream is None:
        v = xp.asarray(_upstream_rng(seed).standard_normal(out.shape))
    else:
        v = xp.asarray(upstream.data if isinstance(upstream, Tensor) else upstream, dtype=out.dtype)
    out.backward(v)

    numeric_fn = fn if numeric_fn is None else numeric_fn
    for i in checked:
        x = inputs[i]
        analytic = to_numpy(x.grad) if x.grad is not None else np.zeros(x.shape)
        numeric = np.zeros(x.shape)
        # contiguous, so that reshape(-1) below is a view, not a copy (and 0-d stays 0-d)
        x.data = xp.ascontiguousarray(x.data).reshape(x.shape)
        flat = x.data.reshape(-1)  # a view: perturbing it perturbs x
        for j in range(flat.size):
            original = flat[j].item()
            flat[j] = original + eps
            plus = _inner(v, numeric_fn(*inputs))
            flat[j] = original - eps
            minus = _inner(v, numeric_fn(*inputs))
            flat[j] = original
            numeric.flat[j] = (plus - minus) / (2 * eps)
        _compare(analytic, numeric, i, rtol, atol)
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, rtol=1e-6, atol=1e-12, seed=0):
    """True when the gradient of fn's gradient matches central differences (second order).

    With a random upstream gradient v (``grad_outputs``, else seeded) and random second-order
    tangents u_i, one per input x_i that requires grad, the scalar

        s(x, v) = sum_i <u_i, (J_i^T v)(x)>        (J_i^T v from grad(..., create_graph=True))

    is checked by ``gradcheck`` with respect to every x_i and to v: its analytic gradient is
    the double backward (Hessian-vector products and the Jacobian applied to u), its numeric one
    central differences of the first-order gradients of the plain array backward (as
    torch.autograd.gradgradcheck, but differencing the first-order code gradcheck vouches for,
    so a differentiable backward that is wrong away from the point is caught too). An input that
    fn's gradient does not depend on contributes 0. First, the gradients computed with
    create_graph=True (each op's differentiable backward) must equal those of the first-order
    array backward to rounding (relative 1e-10). Raises GradcheckError naming the worst
    element; inputs (fn's, then v last) are numbered as in gradcheck.
    """
    inputs = list(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradgradcheck: no input has requires_grad=True; nothing to check")
    out = fn(*inputs)
    xp = get_array_module(out.data)
    rng = np.random.default_rng((seed, 2))
    if grad_outputs is None:
        grad_outputs = rng.standard_normal(out.shape)
    v_data = grad_outputs.data if isinstance(grad_outputs, Tensor) else grad_outputs
    v = Tensor(xp.asarray(v_data, dtype=out.dtype), requires_grad=True)
    tangents = [Tensor(xp.asarray(rng.standard_normal(inputs[i].shape))) for i in checked]
    _same_first_order(fn, inputs, checked, v, atol=atol)

    def first_order_in_tangent_directions(*args, create_graph=True):
        xs, upstream = list(args[:-1]), args[-1]
        grads = grad(fn(*xs), [xs[i] for i in checked], upstream, create_graph=create_graph,
                     allow_unused=True)
        total = upstream.sum() * 0.0
        for g, u in zip(grads, tangents):
            total = total if g is None else total + (g * u).sum()
        return total

    # analytic: the double backward of the create_graph gradient; numeric: central differences
    # of the first-order array backward (which gradcheck vouches for), not of the former
    return gradcheck(first_order_in_tangent_directions, inputs + [v], eps=eps, rtol=rtol,
                     atol=atol, upstream=np.ones(()), numeric_fn=lambda *args:
                     first_order_in_tangent_directions(*args, create_graph=False))


def _same_first_order(fn, inputs, checked, v, rtol=1e-10, atol=0.0):
    """The gradients with and without create_graph=True agree (they are different code); a
    gradient whose every element is at most atol in both counts as zero in both."""
    wanted = [inputs[i] for i in checked]
    plain = grad(fn(*inputs), wanted, v.data, allow_unused=True)
    graph = grad(fn(*inputs), wanted, v, create_graph=True, allow_unused=True)
    for i, a, b in zip(checked, plain, graph):
        a = np.zeros(inputs[i].shape) if a is None else to_numpy(a.data)
        b = np.zeros(inputs[i].shape) if b is None else to_numpy(b.data)
        diff, scale = np.abs(a - b), max(np.abs(a).max(initial=0.0), 1e-300)
        if max(scale, np.abs(b).max(initial=0.0)) <= atol:
            continue
        if not diff.max(initial=0.0) <= rtol * scale:
            worst = tuple(int(k) for k in np.unravel_index(diff.argmax(), diff.shape))
            raise GradcheckError(
                f"gradient of input {i} with create_graph=True differs from the first-order "
                f"backward: worst element at index {worst}: {b[worst]:.12g} vs {a[worst]:.12g}")


def _compare(analytic, numeric, index, rtol, atol):
    scale = max(np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0))
    diff = np.abs(analytic - numeric)
    worst = np.unravel_index(diff.argmax(), diff.shape) if diff.size else ()
    if scale <= atol or diff.size == 0:
        return
    error = diff.max() / scale
    if not error <= rtol:  # also catches NaN
        raise GradcheckError(
            f"gradient of input {index} (shape {analytic.shape}) disagrees with central "
            f"differences: relative error {error:.3e} > {rtol:.0e}; worst element at index "
            f"{tuple(int(k) for k in worst)}: analytic {analytic[worst]:.12g}, "
            f"numeric {numeric[worst]:.12g}")


def check_adjoint(linear_fn, x, seed=0, rtol=1e-12):
    """For f linear in x: <f(x), y> == <x, f^T(y)> to rounding, where f^T is f's backward.

    Needs no eps, so it checks a scatter (grid_sample's input gradient, col2im) exactly.
    """
    rng = _upstream_rng(seed)
    xp = get_array_module(x.data)
    x = Tensor(x.data, requires_grad=True)
    y_out = linear_fn(x)
    y = xp.asarray(rng.standard_normal(y_out.shape), dtype=y_out.dtype)
    y_out.backward(y)
    lhs = _inner(y, y_out)
    rhs = float((x.data * x.grad).sum())
    if not abs(lhs - rhs) <= rtol * max(1.0, abs(lhs), abs(rhs)):
        raise GradcheckError(f"adjoint identity fails: <f(x), y> = {lhs!r} but <x, f^T(y)> = {rhs!r}")
    return True
