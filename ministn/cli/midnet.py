"""``python -m ministn midnet``: a transformer inside the network versus on the input, on RTS.

The tutorial's classifier sized for 42x42 digits, three ways: without a transformer, with one on
the input, and with one on the 10 feature maps before its second convolution; every model
trained with every seed (seed-major), Table 1's recipe. Resumable as table1; --shard I/N runs
one N-th of the jobs.

Default paths: results/midnet/<model>_RTS_s<seed>.json, results/midnet.md, runs/midnet/; with
--out DIR under DIR; --quick uses a temporary DIR unless --out is given.
"""
from ..experiments import midnet
from ..experiments.rows_report import write_rows_report
from .sweep import add_sweep_arguments, run_sweep


def add_arguments(parser):
    add_sweep_arguments(parser, midnet.ROWS, midnet.RECIPE["epochs"])


def write_report(path, records, seeds, recipe):
    return write_rows_report(
        path, "A spatial transformer inside the network, on RTS digits",
        "Test error % on the 10,000 RTS-distorted MNIST test digits (42×42, distorted once) of "
        "the PyTorch tutorial's classifier sized for 42×42: without a transformer, with an "
        "affine transformer on the input, and with one on the 10 feature maps before its "
        "second convolution (ministn/models/midnet.py). Written by `python -m ministn midnet`.",
        midnet.ROWS, midnet.DISTORTION, records, seeds, recipe, midnet.claims,
        f"{recipe['train_size']:,} training digits (the bundled first 6,000 of MNIST), "
        f"RTS-distorted afresh every epoch; {recipe['test_size']:,} test digits distorted once "
        "(seed 2015). The tutorial's classifier keeps its two dropout layers.")


def run(args):
    return run_sweep(args, "midnet", midnet.ROWS, midnet.jobs, (midnet.RECIPE, midnet.QUICK),
                     write_report)
