"""Command line: ``python -m ministn <command> ...`` (also installed as ``ministn``).

Each command lives in its own module under ministn/commands/, which defines
``add_arguments(parser)`` and ``run(args) -> exit code``.
"""
import argparse
import importlib
import sys

COMMANDS = {
    "train": "train a model (default: the tutorial ST-CNN on the bundled MNIST)",
    "evaluate": "test accuracy of a checkpoint",
    "show": "figures of a checkpoint: test digits before and after its spatial transformer",
    "download": "fetch the full MNIST files, checking their md5",
    "reference": "float64 reference outputs and gradients for .npz cases (affine_grid, grid_sample, ...)",
    "bench": "speed of ministn beside PyTorch",
}


class CommandError(Exception):
    """A user error: printed as one line, exit code 2, no traceback."""


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ministn", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="command", required=True)
    modules = {}
    for name, help_text in COMMANDS.items():
        try:
            modules[name] = importlib.import_module(f"ministn.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"ministn.commands.{name}":
                raise
            continue
        modules[name].add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    try:
        return modules[args.command].run(args) or 0
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # run the imported module's main, so that commands raise the same CommandError class that
    # main catches (``python -m`` executes this file a second time, as a module named __main__)
    from ministn.__main__ import main as package_main
    sys.exit(package_main())
