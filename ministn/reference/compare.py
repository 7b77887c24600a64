"""Compare a kernel's result with the float64 reference: ``python -m ministn reference check``.

    report = check_result("grid_sample", case, theirs)       # dicts of arrays, as np.load gives
    report.passed, report.arrays[0].max_abs, format_report(report)

The reference is recomputed in float64 from the case (run_case); every array the candidate
holds (output, grad_input, grad_grid, grad_theta, ...) is compared element by element:

    err = |theirs - ref|,  rel = err / |ref|,  ulp = distance in units in the last place of
    theirs's dtype between theirs and ref rounded to that dtype (0: correctly rounded)
    within tolerance  <=>  err <= atol + rtol |ref|        (as numpy.isclose; equal infinities
                                                           and NaN against NaN count as equal)

The worst element is the one furthest out of tolerance, err / (atol + rtol |ref|); locate.py
and delicate.py say where it was sampled and why it may be delicate.

Default tolerances follow the rounding error of a kernel that computes in the candidate's dtype
(eps: 2^-10 float16, 2^-23 float32, 2^-52 float64). Its pixel coordinate i = ((g + 1) n - 1)/2
is off by about eps n pixels, which moves the output by eps n times the image's slope; the grid
gradient multiplies that by the scale n/2 once more. So, with n the largest image side,

    rtol = atol = 8 eps n     output, grad_input, grid
    rtol = atol = 8 eps n^2   grad_grid, grad_theta, grad_offsets (a sum over n^2 grid points)

and for the double backward (double_backward.py) one factor n more per derivative in the grid
(each multiplies by the scale n/2 once more):

    rtol = atol = 8 eps n^2   grad_grad_output, grad2_input      (one grid derivative)
    rtol = atol = 8 eps n^3   grad2_grid, grad2_theta            (two)

PyTorch's own float32 and float64 kernels stay below 1.5 eps n^k (1 + |ref|) on random cases of
4 to 256 pixels a side (docs/reference.md, "Default tolerances"): 8 is a margin of five.
"""
from dataclasses import dataclass, field

import numpy as np

from ..errors import MinistnError
from ..files import MAX_BYTES_DEFAULT, check_array_bytes
from .cases import run_case
from .double_backward import TANGENT_KEYS
from .locate import locate

TOLERANCE_FACTOR = 8
FLOATS = ("float16", "float32", "float64")
POWERS = {"grad_grid": 2, "grad_theta": 2, "grad_offsets": 2, "grad_grad_output": 2,
          "grad2_input": 2, "grad2_grid": 3, "grad2_theta": 3}    # n^power in the tolerance


class ResultError(MinistnError, ValueError):
    """A candidate result that cannot be compared: unknown key, wrong dtype or shape."""


@dataclass
class ArrayCheck:
    key: str
    dtype: str
    shape: tuple
    rtol: float
    atol: float
    max_abs: float = 0.0
    max_rel: float = 0.0
    max_ulp: float = 0.0
    failures: int = 0                   # elements out of tolerance
    worst: tuple = None                 # index of the worst element (None: empty array)
    theirs: float = None
    reference: float = None
    position: str = None                # where the worst element was sampled
    reasons: list = field(default_factory=list)

    @property
    def passed(self):
        return self.failures == 0


@dataclass
class CheckReport:
    op: str
    arrays: list
    ignored: list = field(default_factory=list)    # keys the reference only repeats
    notes: list = field(default_factory=list)

    @property
    def passed(self):
        return all(a.passed for a in self.arrays)


def computed_keys(op, reference):
    """The keys of a reference result that are computed (not repeated from the case)."""
    return [k for k in reference if k in ("output", "grid") or k.startswith("grad2_") or
            (k.startswith("grad_") and k != "grad_output" and k not in TANGENT_KEYS)]


def ulp_distance(a, b, dtype):
    """|a - b| in units in the last place of ``dtype`` (float16/32/64), both rounded to it."""
    dtype = np.dtype(dtype)
    signed = np.dtype(f"i{dtype.itemsize}")
    ordinals = []
    for v in (a, b):
        bits = np.asarray(v, dtype=np.float64).astype(dtype).view(signed).astype(np.int64)
        magnitude = bits & (2 ** (8 * dtype.itemsize - 1) - 1)
        ordinals.append(np.where(bits < 0, -magnitude, magnitude).astype(np.float64))
    distance = np.abs(ordinals[0] - ordinals[1])
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    return np.where(nan_a | nan_b, np.where(nan_a & nan_b, 0.0, np.inf), distance)


def _check_candidate(op, theirs, expected_keys):
    keys = list(theirs)
    allowed = set(expected_keys) | {"grad_output", "mode", "padding_mode", "align_corners",
                                    "size", "grid_size"} | set(TANGENT_KEYS)
    unknown = sorted(set(keys) - allowed)
    if unknown:
        raise ResultError(f"unknown key(s) {', '.join(map(repr, unknown))}; {op}'s result holds "
                          f"{', '.join(expected_keys)}")
    compared = [k for k in expected_keys if k in keys]
    if not compared:
        raise ResultError(f"holds none of {', '.join(expected_keys)}; nothing to compare")
    for key in compared:
        dtype = np.asarray(theirs[key]).dtype
        if dtype.name not in FLOATS:
            raise ResultError(f"{key!r} has dtype {dtype}; expected float16, float32 or float64")
    return compared


def image_side(op, case):
    """n of the default tolerances: the largest spatial side of the input, grid or size."""
    if op == "grid_sample":
        sides = np.shape(case["input"])[2:] + np.shape(case["grid"])[1:-1]
    else:
        sides = tuple(int(s) for s in np.asarray(case["size"]).reshape(-1)[2:])
    return max(sides + (1,))


def default_tolerance(dtype, key, n):
    """rtol = atol = 8 eps n^k: k = 1, 2 for the first-order gradients of grids and parameters
    and the double backward's grad_grad_output and grad2_input, 3 for grad2_grid/theta."""
    power = POWERS.get(key, 1)
    return TOLERANCE_FACTOR * float(np.finfo(dtype).eps) * float(n) ** power


def compare_array(key, theirs, ref, rtol=None, atol=None, n=1):
    """ArrayCheck of one candidate array against the float64 reference (same shape).

    rtol, atol: None for the default of the candidate's dtype with image side n."""
    dtype = np.asarray(theirs).dtype
    default = default_tolerance(dtype, key, n)
    rtol = default if rtol is None else rtol
    atol = default if atol is None else atol
    check = ArrayCheck(key, dtype.name, tuple(ref.shape), rtol, atol)
    if ref.size == 0:
        return check
    t = np.asarray(theirs, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        same = (t == ref) | (np.isnan(t) & np.isnan(ref))
        difference = np.abs(t - ref)                                   # NaN: inf - inf, or NaN
        err = np.where(same, 0.0, np.where(np.isnan(difference), np.inf, difference))
        scale = np.where(np.isfinite(ref), np.abs(ref), 0.0)
        rel = np.where(err == 0, 0.0,
                       np.where(scale > 0, err / np.where(scale > 0, scale, 1), np.inf))
        tol = atol + rtol * scale
        excess = np.where(err == 0, 0.0, np.where(tol > 0, err / np.where(tol > 0, tol, 1), np.inf))
        check.max_ulp = float(ulp_distance(t, ref, dtype).max())    # ref may overflow float16
    worst = np.unravel_index(int(np.argmax(excess)), ref.shape)
    check.max_abs, check.max_rel = float(err.max()), float(rel.max())
    check.failures = int((err > tol).sum())
    check.worst = tuple(int(k) for k in worst)
    check.theirs, check.reference = float(t[worst]), float(ref[worst])
    return check


def check_result(op, case, theirs, rtol=None, atol=None, max_bytes=MAX_BYTES_DEFAULT):
    """CheckReport of a candidate result dict against the reference recomputed from ``case``.

    rtol, atol: None for the defaults of each array's dtype (default_tolerance). Raises CaseError
    for a bad case and ResultError for a candidate with an unknown key, a dtype that is not
    float16/32/64 or a shape that differs from the reference's (one line each)."""
    reference = run_case(op, case, max_bytes)
    expected_keys = computed_keys(op, reference)
    compared = _check_candidate(op, theirs, expected_keys)
    report = CheckReport(op, [], ignored=[k for k in theirs if k not in expected_keys])
    for key in compared:
        shape = np.shape(theirs[key])
        if shape != reference[key].shape:
            raise ResultError(f"{key!r} has shape {shape}; the reference's is "
                              f"{reference[key].shape}")
        check_array_bytes((8 * reference[key].size,), np.float64, f"array {key!r}", max_bytes,
                          purpose="the comparison's working memory")
        check = compare_array(key, theirs[key], reference[key], rtol, atol, image_side(op, case))
        if check.worst is not None:
            eps = float(np.finfo(check.dtype).eps)
            check.position, check.reasons = locate(op, case, reference, key, check.worst, eps)
        report.arrays.append(check)
    report.notes += _rounding_notes(op, case, report)
    return report


def _rounding_notes(op, case, report):
    """A note when the case holds values the candidate's dtype cannot represent exactly."""
    notes = []
    floats = {k: np.asarray(v) for k, v in case.items() if np.asarray(v).dtype.kind == "f"}
    for dtype in sorted({a.dtype for a in report.arrays if a.dtype != "float64"}):
        with np.errstate(over="ignore"):
            inexact = [k for k, v in floats.items() if not np.array_equal(
                v.astype(dtype).astype(v.dtype), v, equal_nan=True)]
        if inexact:
            notes.append(f"the case's {', '.join(inexact)} are not exactly {dtype}: a {dtype} "
                         f"kernel saw rounded values; save the case in {dtype} for a fair check")
    return notes
