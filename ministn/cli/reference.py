"""``python -m ministn reference ...``: float64 reference values, and checks of your own kernel.

  python -m ministn reference OP --in CASE.npz --out RESULT.npz
      the outputs and gradients of OP (grid_sample, affine_grid, perspective_grid, tps_grid)
      on the arrays of CASE, computed and written in float64
  python -m ministn reference check OP --case CASE.npz --result THEIRS.npz [--rtol R] [--atol A]
      recompute the reference from CASE and compare every array of THEIRS, your kernel's result
      (output, grad_input, grad_grid, grad_theta, ...): per array the max absolute, relative and
      ulp errors, the worst element, where it was sampled and why it is delicate.
      Exit status 0: every array within tolerance; 1: one is not; 2: bad input
  python -m ministn reference cases DIR [--force]
      write the bundle of edge cases, one CASE.npz each, and DIR/README.md on what each probes

The .npz keys are listed in docs/reference.md. Files are read with every array's size checked
before it is inflated, the working memory is estimated from the shapes before anything runs
(each refused over --max-mb), and every file is written atomically, never over an input.
"""
import argparse
import sys
import warnings

from ..errors import MinistnError
from ..files import check_output, read_npz
from .limits import add_max_mb, max_bytes
from ..reference import (OPS, CaseError, ResultError, check_result, computed_keys, format_report,
                         load_case, run_case, save_result, write_cases)

CHECK = """Recompute the float64 reference of OP from CASE.npz and compare every array of THEIRS.npz,
your kernel's result (output, grad_input, grad_grid, grad_theta, ...; with grad_grad_* tangents
in the case, the double backward's grad_grad_output, grad2_input, grad2_grid, grad2_theta too:
docs/reference.md, "Second order"). Per array: the max
absolute error, the max relative error, the max distance in units in the last place of THEIRS's
dtype, and the worst element's index, where it was sampled (pixel units) and why it is delicate
(an integer pixel coordinate, a nearest-mode tie, a clip boundary, a reflection fold, outside
the image, ...).

Default tolerances: rtol = atol = 8 eps n for output, grad_input and grid, and 8 eps n^2 for
grad_grid, grad_theta and grad_offsets (and grad_grad_output, grad2_input; 8 eps n^3 for
grad2_grid, grad2_theta), with eps of the result array's dtype (float16 9.8e-4,
float32 1.2e-7, float64 2.2e-16) and n the largest image side: a kernel computing in that dtype
is off by about eps n pixels (docs/reference.md says how the factor was measured).

Exit status: 0 every array within tolerance, 1 at least one is not, 2 bad input (one line,
error: ...)."""
TOLERANCE_HELP = ("default: 8 eps n for output, grad_input and grid, 8 eps n^2 for grad_grid and "
                  "grad_theta/grad_offsets, with eps of the result array's dtype (float16 9.8e-4, "
                  "float32 1.2e-7, float64 2.2e-16) and n the largest image side")


def _sub(sub, name, help_text, description):
    return sub.add_parser(name, help=help_text, description=description,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def add_arguments(parser):
    sub = parser.add_subparsers(dest="action", metavar="{OP,check,cases}", required=True)
    for op in OPS:
        compute = _sub(sub, op, f"float64 outputs and gradients of {op}: --in CASE --out RESULT",
                       f"The float64 reference of {op} on the arrays of CASE.npz, written to "
                       f"RESULT.npz (keys: docs/reference.md).")
        compute.add_argument("--in", dest="case", required=True, metavar="CASE.npz",
                             help="input arrays and options")
        compute.add_argument("--out", dest="result", required=True, metavar="RESULT.npz",
                             help="where to write the outputs and gradients (float64)")
        add_max_mb(compute)
        compute.set_defaults(op=op, action="compute")
    check = _sub(sub, "check", "compare your kernel's result with the reference; exit 0 ok, "
                 "1 out of tolerance, 2 bad input", CHECK)
    check.add_argument("op", choices=list(OPS), metavar="OP",
                       help=f"the operation the result is of: {', '.join(OPS)}")
    check.add_argument("--case", required=True, metavar="CASE.npz", help="the case your kernel ran")
    check.add_argument("--result", required=True, metavar="THEIRS.npz",
                       help="your kernel's arrays (output, grad_input, grad_grid, ...), in "
                            "float16, float32 or float64")
    check.add_argument("--rtol", type=float, help=f"relative tolerance ({TOLERANCE_HELP})")
    check.add_argument("--atol", type=float, help="absolute tolerance (default as --rtol)")
    add_max_mb(check)
    cases = _sub(sub, "cases", "write the bundle of edge cases (.npz) into DIR",
                 "Write the named bundle of edge cases into DIR, one .npz per case, with "
                 "DIR/README.md saying what each probes and which public bug reports it stems "
                 "from. Existing case files are not replaced without --force.")
    cases.add_argument("folder", metavar="DIR", help="folder to write into (created if missing)")
    cases.add_argument("--force", action="store_true", help="replace existing case files")


def _tolerance(value, flag):
    if value is not None and not (value >= 0 and value != float("inf")):
        raise MinistnError(f"{flag} must be a finite number >= 0, got {value}")
    return value


def run_compute(args):
    limit = max_bytes(args)
    check_output(args.result, inputs=(args.case,))
    try:
        result = run_case(args.op, load_case(args.case, limit), limit)
    except CaseError as error:
        raise CaseError(f"{args.op} {args.case}: {error}") from None
    save_result(args.result, result)
    arrays = ", ".join(f"{key} {result[key].shape}" for key in computed_keys(args.op, result))
    print(f"{args.op}: wrote {arrays} to {args.result}")
    return 0


def run_check(args):
    limit = max_bytes(args)
    rtol, atol = _tolerance(args.rtol, "--rtol"), _tolerance(args.atol, "--atol")
    case = load_case(args.case, limit)
    theirs = read_npz(args.result, what="result", max_bytes=limit)
    try:
        report = check_result(args.op, case, theirs, rtol, atol, limit)
    except CaseError as error:
        raise CaseError(f"{args.op} {args.case}: {error}") from None
    except ResultError as error:
        raise ResultError(f"result {args.result}: {error}") from None
    print(format_report(report, args.case, args.result))
    return 0 if report.passed else 1


def run_cases(args):
    written = write_cases(args.folder, force=args.force)
    print(f"wrote {len(written) - 1} cases and README.md to {args.folder}")
    return 0


def run(args):
    action = {"compute": run_compute, "check": run_check, "cases": run_cases}[args.action]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status = action(args)
    for warning in caught:                 # e.g. affine_grid's unit-size axis: one line each
        print(f"warning: {str(warning.message).splitlines()[0]}", file=sys.stderr)
    return status
