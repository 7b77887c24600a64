"""ministn.experiments: the paper's experiments, run end to end and written up.

    python -m ministn table1            # Table 1 (left): 8 models x R/RTS/P/E (and TC)
    python -m ministn table1 --quick    # the same plumbing in seconds (CI)

table1.py       the cells, the paper's numbers, the scaled recipe, the job order
addition.py     MNIST addition (appendix A.1): five models, the paper's numbers, its claims
midnet.py       a transformer on the feature maps beside one on the input, on RTS
runner.py       resumable jobs (checkpoints, atomic result files, flock-claimed by workers)
workers.py      worker processes
shards.py       --shard I/N: a deterministic 1/N of a sweep, for job arrays
report.py       aggregation, the paper's bars checked, results/table1.md
rows_report.py  the one-column reports, results/addition.md and results/midnet.md
(The figures are drawn by ministn/plotting; the commands live in ministn/cli.)
"""
from .table1 import COLUMNS, PAPER, QUICK, RECIPE, ROWS, Job, jobs
