"""``python -m ministn addition``: MNIST addition (paper appendix A.1), every model, resumably.

Two RTS-distorted digits, one per channel of a 42x42x2 input; the target is their sum (19
classes). Five models of about the same size: FCN, CNN, ST-FCN, 2xST-FCN, 2xST-CNN, each
trained with every seed (seed-major, as table1). Finished runs are never retrained; a stopped
run continues from its checkpoint. --shard I/N runs one N-th of the jobs (a job array).

Default paths (relative to the current directory):
    results/addition/<model>_RTS_s<seed>.json    one finished run each
    results/addition.md                          the table beside the paper's, claims, recipe
    runs/addition/<model>_RTS_s<seed>/           checkpoints (not committed)
    figures/addition_transformers.png            what each of the two transformers outputs
With --out DIR all of them go under DIR; --quick uses a temporary DIR unless --out is given.
"""
from ..experiments import addition
from ..experiments.rows_report import write_rows_report
from ..plotting.addition import save_addition_figure
from .sweep import add_sweep_arguments, run_sweep

FIGURE = "addition_transformers"


def add_arguments(parser):
    add_sweep_arguments(parser, addition.ROWS, addition.RECIPE["epochs"])


def write_report(path, records, seeds, recipe):
    return write_rows_report(
        path, "MNIST addition (appendix A.1 of Jaderberg et al. 2015), reproduced with ministn",
        "Test error % of the sum of two digits, each RTS-distorted on its own in one channel of "
        "a 42×42×2 input (19 classes), on the 10,000 MNIST test digits each paired once with a "
        "fixed partner. The paper trained on 60,000 digits with SGD and gives no 2xST-CNN "
        "number. Written by `python -m ministn addition`.",
        addition.ROWS, "RTS", records, seeds, recipe, addition.claims,
        f"{recipe['train_size']:,} training digits (the bundled first 6,000 of MNIST), each "
        "paired every epoch with a fresh random partner, both RTS-distorted afresh; "
        f"{recipe['test_size']:,} test digits, each with one fixed partner, distorted once "
        "(seed 2015). Affine transformers, average-pooled by 2 after the transformer.",
        paper=addition.PAPER)


def run(args):
    return run_sweep(args, "addition", addition.ROWS, addition.jobs,
                     (addition.RECIPE, addition.QUICK), write_report,
                     draw=lambda paths: save_addition_figure(paths["runs"], paths[FIGURE]),
                     figures=(FIGURE,))
