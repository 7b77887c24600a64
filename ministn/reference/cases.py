"""Float64 reference outputs and gradients for checking your own spatial kernels.

A *case* is a dict of arrays (what ``np.load`` returns for a ``.npz`` file); the result is
another dict, written back as ``.npz`` by ``python -m ministn reference OP --in CASE --out RESULT``.
Every array is computed in float64 with PyTorch's semantics (docs §12.3: outputs and gradients
agree with PyTorch to 1e-12 when fed the same arrays).

    op                case keys (optional in [brackets])                 result keys
    grid_sample       input (N,C,H,W), grid (N,H_out,W_out,2), or        output, grad_input, grad_grid
                      input (N,C,D,H,W), grid (N,D_out,H_out,W_out,3),   [grad_grad_output,
                      [grad_output], [mode], [padding_mode],              grad2_input, grad2_grid]
                      [align_corners], [grad_grad_input], [grad_grad_grid]
    affine_grid       theta (N,2,3), size (4 ints), or theta (N,3,4),    grid, grad_theta
                      size (5 ints), [grad_output], [align_corners],     [grad_grad_output,
                      [grad_grad_theta]                                   grad2_theta]
    perspective_grid  theta (N,3,3) or (N,8), size, [grad_output],       grid, grad_theta
                      [align_corners]
    tps_grid          offsets (N,K,2), size, [grad_output],              grid, grad_offsets
                      [grid_size] (default sqrt(K)), [align_corners]

grad_output is the upstream gradient dL/d(output or grid); it defaults to ones (the gradients
of the sum). mode is "bilinear" (trilinear on 5-D), "nearest" or "bicubic" (4-D only, as
PyTorch). Options default as in PyTorch (bilinear, zeros, align_corners=False); the result
repeats the options used and the grad_output, so one result file is self-describing.
The optional grad_grad_* keys, tangents of the first-order gradients, add the double backward's
results (double_backward.py). A bad case raises ``CaseError`` with a one-line message. Before
anything is converted or allocated, the keys and shapes are checked and the memory the op would
need is estimated from the shapes (``needed_bytes``); a case over ``max_bytes`` (default 2 GiB)
is refused.
"""
import math

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..files import MAX_BYTES_DEFAULT, check_array_bytes
from ..errors import MinistnError
from .double_backward import double_backward, tangents_of


class CaseError(MinistnError, ValueError):
    """A case file that cannot be computed: missing key, wrong shape, bad option."""


def _array(case, key, ndim=None, layout=""):
    if key not in case:
        raise CaseError(f"missing key {key!r}" + (f": expected {layout}" if layout else ""))
    value = np.asarray(case[key])
    if value.dtype.kind not in "fiub":
        raise CaseError(f"{key!r} must be numeric, got dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise CaseError(f"{key!r} must be {ndim}-D {layout}, got shape {value.shape}")
    return value.astype(np.float64)


def _option(case, key, default, choices=None):
    if key not in case:
        return default
    value = np.asarray(case[key])
    if value.ndim != 0:
        raise CaseError(f"{key!r} must be a single value, got shape {value.shape}")
    value = value.item()
    if isinstance(default, bool):
        if value not in (0, 1):
            raise CaseError(f"{key!r} must be true/false (or 1/0), got {value!r}")
        return bool(value)
    if choices is not None and value not in choices:
        raise CaseError(f"{key!r} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def _size(case):
    """size: (N, C, H, W) or (N, C, D, H, W), non-negative integers."""
    size = _array(case, "size", 1, "(N, C, H, W) or (N, C, D, H, W)")
    expected = {5: "5 non-negative integers (N, C, D, H, W)"}.get(
        len(size), "4 non-negative integers (N, C, H, W) or 5 (N, C, D, H, W)")
    if (len(size) not in (4, 5) or not np.all(np.isfinite(size))
            or not np.all(size == np.round(size)) or np.any(size < 0) or np.any(size >= 2**62)):
        raise CaseError(f"'size' must be {expected}, got "
                        f"{np.asarray(case['size']).tolist()!r}")
    return tuple(int(s) for s in size)


# Working memory of each op, in float64 numbers, from the shapes alone: the arrays the case
# and result hold, plus the op's intermediates (sampler taps: T taps, 2^D for (tri)linear, 16 for
# bicubic, 1 for nearest, each an (index, weight) per output point, and per channel in the
# products; grids: a few per point; TPS: the (H W, K) kernel matrix, and the (K + 3)^2 spline
# system with its distances, identity and solve's copies, about 5 of them).
TAPS = {"bilinear": 4, "nearest": 1, "bicubic": 16}


def needed_numbers(op, shapes, mode="bilinear"):
    if op == "grid_sample":
        (N, C, *sizes), grid = shapes["input"], shapes["grid"]
        taps = TAPS.get(mode, 16) * 2 ** (len(sizes) - 2)
        points = N * math.prod(grid[1:-1])
        pixels = N * C * math.prod(n + 4 for n in sizes)             # padded by 2 on each side
        return 3 * pixels + 6 * taps * points + 3 * taps * C * points
    N, _, *sizes = shapes["size"]
    pixels = N * math.prod(sizes)
    if "offsets" not in shapes:
        return 16 * pixels
    K = shapes["offsets"][1]
    H, W = sizes[-2:]
    return 16 * pixels + 3 * H * W * (K + 3) + 5 * (K + 3) ** 2


def check_memory(op, shapes, max_bytes, mode="bilinear", second_order=False):
    """SizeError (one line, naming the size) when the op would need more than max_bytes.

    second_order: the double backward keeps the first backward's graph (per tap and channel:
    the gathered values, weighted products and their gradients); estimated at five times the
    first order's working memory (an allowance, not a measurement)."""
    what = {"grid_sample": "input and grid"}.get(op, f"size {tuple(shapes.get('size', ()))}")
    if "offsets" in shapes:
        what += f" with {shapes['offsets'][1]} control points"
    numbers = needed_numbers(op, shapes, mode) * (5 if second_order else 1)
    check_array_bytes((numbers,), np.float64, what, max_bytes,
                      purpose=f"{op}'s working memory")


def _check_keys(case, allowed):
    unknown = sorted(set(case) - set(allowed))
    if unknown:
        raise CaseError(f"unknown key(s) {', '.join(map(repr, unknown))}; this op reads "
                        f"{', '.join(allowed)}")


def _backward(out, case):
    """Seed the backward pass with the case's grad_output (ones by default); returns it."""
    if "grad_output" in case:
        grad_output = _array(case, "grad_output")
        if grad_output.shape != out.shape:
            raise CaseError(f"'grad_output' must have the output's shape {out.shape}, got "
                            f"{grad_output.shape}")
    else:
        grad_output = np.ones(out.shape)
    out.backward(grad_output)
    return grad_output


def _compute(fn):
    """Run an op, turning its argument errors into one-line CaseErrors."""
    try:
        return fn()
    except (ValueError, TypeError, NotImplementedError) as error:
        raise CaseError(str(error)) from None


def _shape(case, key, ndim, layout):
    """The shape of case[key], checked before the array is converted (nothing allocated).

    ndim: the number of dimensions required, or a tuple of those allowed."""
    if key not in case:
        raise CaseError(f"missing key {key!r}: expected {layout}")
    shape = np.shape(case[key])
    if len(shape) not in np.atleast_1d(ndim):
        dims = " or ".join(f"{n}-D" for n in np.atleast_1d(ndim))
        raise CaseError(f"{key!r} must be {dims} {layout}, got shape {shape}")
    return shape


INPUT_LAYOUT = "(N, C, H, W) or (N, C, D, H, W)"
GRID_LAYOUT = {4: "(N, H_out, W_out, 2)", 5: "(N, D_out, H_out, W_out, 3)"}


def grid_sample_case(case, max_bytes=MAX_BYTES_DEFAULT):
    _check_keys(case, ("input", "grid", "grad_output", "mode", "padding_mode", "align_corners",
                       "grad_grad_input", "grad_grad_grid"))
    options = dict(mode=_option(case, "mode", "bilinear", ("bilinear", "nearest", "bicubic")),
                   padding_mode=_option(case, "padding_mode", "zeros",
                                        ("zeros", "border", "reflection")),
                   align_corners=_option(case, "align_corners", False))
    ndim = len(_shape(case, "input", (4, 5), INPUT_LAYOUT))
    layout = GRID_LAYOUT[ndim]
    check_memory("grid_sample", {"input": np.shape(case["input"]),
                                 "grid": _shape(case, "grid", ndim,
                                                f"{layout} for a {ndim}-D input")},
                 max_bytes, options["mode"], second_order="grad_grad_input" in case or
                 "grad_grad_grid" in case)
    U = Tensor(_array(case, "input", ndim, INPUT_LAYOUT), requires_grad=True)
    grid = Tensor(_array(case, "grid", ndim, layout), requires_grad=True)
    out = _compute(lambda: F.grid_sample(U, grid, **options))
    grad_output = _backward(out, case)
    result = dict(output=out.data, grad_input=U.grad, grad_grid=grid.grad,
                  grad_output=grad_output, **options)
    tangents = tangents_of("grid_sample", case, (U, grid), _array, CaseError)
    if tangents is not None:
        result.update(double_backward("grid_sample", lambda u, g: F.grid_sample(u, g, **options),
                                      (U.data, grid.data), grad_output, tangents))
    return result


def _generator_case(case, op, parameter, layout, max_bytes, extra=()):
    second_order = ("grad_grad_theta",) if op is F.affine_grid else ()
    _check_keys(case, (parameter, "size", "grad_output", "align_corners") + extra + second_order)
    size = _size(case)
    shapes = {"size": size}
    if op is F.tps_grid:
        shapes["offsets"] = _shape(case, "offsets", 3, layout)
    check_memory(op.__name__, shapes, max_bytes, second_order="grad_grad_theta" in case)
    p = Tensor(_array(case, parameter, None, layout), requires_grad=True)
    options = dict(align_corners=_option(case, "align_corners", False))
    if op is F.tps_grid:
        K = p.shape[1] if p.ndim == 3 else 0
        grid_size = _option(case, "grid_size", math.isqrt(K))
        if isinstance(grid_size, (bool, str)) or grid_size != int(grid_size):
            raise CaseError(f"'grid_size' must be an integer, got {grid_size!r}")
        options["grid_size"] = int(grid_size)
    grid = _compute(lambda: op(p, size, **options))
    grad_output = _backward(grid, case)
    result = {"grid": grid.data, f"grad_{parameter}": p.grad, "grad_output": grad_output,
              "size": np.array(size), **options}
    tangents = tangents_of(op.__name__, case, (p,), _array, CaseError)
    if tangents is not None:
        result.update(double_backward(op.__name__, lambda t: op(t, size, **options), (p.data,),
                                      grad_output, tangents))
    return result


def affine_grid_case(case, max_bytes=MAX_BYTES_DEFAULT):
    return _generator_case(case, F.affine_grid, "theta", "(N, 2, 3) or (N, 3, 4)", max_bytes)


def perspective_grid_case(case, max_bytes=MAX_BYTES_DEFAULT):
    return _generator_case(case, F.perspective_grid, "theta", "(N, 3, 3) or (N, 8)", max_bytes)


def tps_grid_case(case, max_bytes=MAX_BYTES_DEFAULT):
    return _generator_case(case, F.tps_grid, "offsets", "(N, K, 2)", max_bytes,
                           extra=("grid_size",))


OPS = {"grid_sample": grid_sample_case, "affine_grid": affine_grid_case,
       "perspective_grid": perspective_grid_case, "tps_grid": tps_grid_case}


def run_case(op, case, max_bytes=MAX_BYTES_DEFAULT):
    """The result dict of ``op`` ('grid_sample', 'affine_grid', ...) on a case dict.

    max_bytes: refuse (SizeError) a case whose op would need more working memory."""
    if op not in OPS:
        raise CaseError(f"op must be one of {', '.join(OPS)}; got {op!r}")
    return OPS[op](dict(case), max_bytes)
