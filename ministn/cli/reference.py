"""``python -m ministn reference OP --in CASE.npz --out RESULT.npz``: float64 reference values.

OP is grid_sample, affine_grid, perspective_grid or tps_grid; the .npz keys are listed in
ministn/reference/cases.py and docs/reference.md. The case is read with every array's size
checked before it is inflated, the op's working memory is estimated from the shapes before
it runs (both refused over --max-mb), and the result is written atomically, never over CASE.
"""
from ..files import check_output
from .limits import add_max_mb, max_bytes
from ..reference import OPS, CaseError, load_case, run_case, save_result


def add_arguments(parser):
    parser.add_argument("op", choices=list(OPS), help="the operation to evaluate")
    parser.add_argument("--in", dest="case", required=True, metavar="CASE.npz",
                        help="input arrays and options")
    parser.add_argument("--out", dest="result", required=True, metavar="RESULT.npz",
                        help="where to write the outputs and gradients (float64)")
    add_max_mb(parser)


def run(args):
    limit = max_bytes(args)
    check_output(args.result, inputs=(args.case,))
    try:
        result = run_case(args.op, load_case(args.case, limit), limit)
    except CaseError as error:
        raise CaseError(f"{args.op} {args.case}: {error}") from None
    save_result(args.result, result)
    computed = [key for key in result if key in ("output", "grid") or key.startswith("grad_")]
    arrays = ", ".join(f"{key} {result[key].shape}" for key in computed if key != "grad_output")
    print(f"{args.op}: wrote {arrays} to {args.result}")
    return 0
