"""ministn.reference: float64 reference outputs and gradients for checking your own kernels.

    result = ministn.reference.run_case("grid_sample", {"input": U, "grid": grid})

cases.py        run_case and one function per op (grid_sample_case, affine_grid_case, ...);
                the case keys and result keys of each op are listed there and in
                docs/reference.md
case_files.py   load_case / save_result: the .npz files of ``python -m ministn reference``
"""
from .case_files import load_case, save_result
from .cases import (OPS, CaseError, affine_grid_case, grid_sample_case, perspective_grid_case,
                    run_case, tps_grid_case)
