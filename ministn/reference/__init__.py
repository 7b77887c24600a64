"""ministn.reference: float64 reference outputs and gradients for checking your own kernels.

    result = ministn.reference.run_case("grid_sample", {"input": U, "grid": grid})
    report = ministn.reference.check_result("grid_sample", case, theirs)
    print(ministn.reference.format_report(report)); report.passed
    ministn.reference.write_cases("edge_cases")         # the bundle of edge cases

cases.py        run_case and one function per op (grid_sample_case, affine_grid_case, ...);
                the case keys and result keys of each op are listed there and in
                docs/reference.md
case_files.py   load_case / save_result: the .npz files of ``python -m ministn reference``
double_backward.py  the second-order results, from the case's optional grad_grad_* tangents
compare.py      check_result: a candidate result against the reference, per array the max
                absolute, relative and ulp errors and the worst element (default_tolerance)
locate.py       where that element was sampled, in pixel units
delicate.py     why it may be delicate: integer coordinates, ties, clips, folds, padding
report.py       format_report: the report as text
bundle.py       EDGE_CASES and write_cases: the named bundle of edge cases (docs/reference.md)
"""
from .case_files import load_case, save_result
from .cases import (OPS, CaseError, affine_grid_case, grid_sample_case, perspective_grid_case,
                    run_case, tps_grid_case)
from .compare import (ArrayCheck, CheckReport, ResultError, check_result, compare_array,
                      computed_keys, default_tolerance, ulp_distance)
from .double_backward import SECOND_ORDER, TANGENT_KEYS
from .report import format_report
from .bundle import EDGE_CASES, EdgeCase, write_cases
