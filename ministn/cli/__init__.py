"""The command line, ``python -m ministn COMMAND ...`` (also installed as ``ministn``).

This is the only layer that reads ``sys.argv``, prints errors and picks matplotlib's backend;
nothing in the library imports it. Each command is a module here that defines
``add_arguments(parser)`` and ``run(args) -> exit code``. Every error a user can cause is a
``ministn.errors.MinistnError``: ``main`` prints it as one line, ``error: ...``, and returns 2.
"""
import argparse
import importlib
import sys

from ..errors import MinistnError

COMMANDS = {
    "train": "train a model (default: the tutorial ST-CNN on the bundled MNIST)",
    "evaluate": "test accuracy of a checkpoint",
    "show": "figures of a checkpoint: test digits before and after its spatial transformer",
    "download": "fetch the full MNIST files, checking their md5",
    "reference": "float64 reference outputs and gradients for .npz cases (affine_grid, grid_sample, ...)",
    "bench": "speed of ministn beside PyTorch",
    "table1": "the paper's Table 1 (distorted MNIST): every cell trained, resumably, and written up",
    "addition": "MNIST addition (paper appendix A.1): FCN, CNN, ST-FCN, 2xST-FCN, 2xST-CNN",
    "midnet": "a transformer on the feature maps beside one on the input, on RTS digits",
}


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m ministn",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="command", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"{__name__}.{name}")
        command = sub.add_parser(name, help=help_text, description=module.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(module=module)
    return parser


def main(argv=None):
    """Run one command; returns its exit code (0 done, 2 user error, 130 interrupted)."""
    from_command_line = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    import matplotlib
    if from_command_line:
        matplotlib.use("Agg")     # the commands write PNG files; no window is ever opened
    args = build_parser().parse_args(argv)
    args.argv, args.from_command_line = argv, from_command_line
    try:
        return args.module.run(args) or 0
    except MinistnError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
