"""Where an element of a result was sampled, in pixel units, and why it may be delicate.

For grid_sample every element belongs to grid points:

    output[n, c, *p], grad_grid[n, *p, a]   the grid point grid[n, *p] (a: its x, y or z part)
    grad_input[n, c, *q]                    pixel q, and the grid points whose taps read it;
                                            the first delicate one among them is described
    grad_grad_output, grad2_input,          as output, grad_input and grad_grid (their shapes)
    grad2_grid

For the grid generators an element grid[n, *p, a] belongs to output pixel p; their parameters'
gradients (grad_theta, grad_offsets) belong to no single position.
"""
import numpy as np

from .delicate import AXES, delicate_points, describe, nonfinite_taps, readers


def _index(name, index):
    return f"{name}[{', '.join(map(str, index))}]"


def _grid_sample(case, reference, key, index, eps):
    U = np.asarray(case["input"], dtype=np.float64)
    grid = np.asarray(case["grid"], dtype=np.float64)
    options = (reference["mode"], reference["padding_mode"], bool(reference["align_corners"]))
    sizes = U.shape[2:]
    if key in ("grad_input", "grad2_input"):
        n, c, *q = index
        pixel = tuple(q[::-1])
        points = grid[n].reshape(-1, grid.shape[-1])
        reads = np.flatnonzero(readers(points, sizes, pixel, *options))
        names = ", ".join(AXES[:len(pixel)])
        where = f"pixel ({names}) = ({', '.join(map(str, pixel))})"
        if reads.size == 0:
            return f"{where}, read by no grid point", []
        delicate = delicate_points(points[reads], sizes, *options, eps)
        chosen = reads[int(np.argmax(delicate))]
        p = np.unravel_index(chosen, grid.shape[1:-1])
        position, reasons = describe(points[chosen], sizes, *options, eps)
        count = "1 grid point" if reads.size == 1 else f"{reads.size} grid points"
        return (f"{where}, read by {count}, e.g. {_index('grid', (n, *p))} {position}",
                reasons)
    if key in ("output", "grad_grad_output"):
        n, c, *p = index
        channels, first_axis = c, None
    else:                                                     # grad_grid[n, *p, a]
        n, *p, first_axis = index
        channels = slice(None)
    point = grid[(n, *p)]
    position, reasons = describe(point, sizes, *options, eps, only_axis=first_axis)
    reasons += nonfinite_taps(U, n, channels, point, *options)
    return f"{_index('grid', (n, *p))} {position}", reasons


def locate(op, case, reference, key, index, eps=np.finfo(np.float64).eps):
    """(position, reasons) of element ``index`` of result array ``key``; (None, []) if none.

    case: the case dict; reference: its reference result (the options used); eps: the
    rounding unit of the candidate's dtype (what counts as 'within rounding')."""
    if op == "grid_sample":
        return _grid_sample(case, reference, key, index, eps)
    if key in ("grid", "grad_grad_output"):
        n, *p, _ = index
        names = ", ".join(AXES[:len(p)][::-1])                 # p is (h, w) or (d, h, w)
        return f"output pixel ({names}) = ({', '.join(map(str, p))}) of sample {n}", []
    return None, []
