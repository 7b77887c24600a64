"""ministn.experiments: the paper's experiments, run end to end and written up.

    python -m ministn.experiments table1            # Table 1 (left): 8 models x R/RTS/P/E
    python -m ministn.experiments table1 --quick    # the same plumbing in seconds (CI)

table1.py    the cells, the paper's numbers, the scaled recipe, the job order
runner.py    resumable jobs (checkpoints, atomic result files, flock-claimed by workers)
report.py    aggregation, the paper's bars checked, results/table1.md
figures.py   figures/table1.png and figures/table1_transformers.png
"""
from .table1 import COLUMNS, PAPER, QUICK, RECIPE, ROWS, Job, jobs
