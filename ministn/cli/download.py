"""``python -m ministn download mnist``: fetch the full MNIST, checking every md5."""
from ..data import download
from ..data.download import MD5


def add_arguments(parser):
    parser.add_argument("name", choices=sorted(MD5), help="the data set")
    parser.add_argument("--dest", default=None,
                        help="directory (default: the cache that train uses automatically, "
                             "$MINISTN_DATA or ~/.cache/ministn/mnist)")
    parser.add_argument("--mirror", action="append", default=None,
                        help="base URL to try (repeatable; default: the public mirrors)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request")


def run(args):
    dest = download(args.name, args.dest, args.mirror, timeout=args.timeout)
    print(f"{args.name} is complete in {dest}; train uses it when --data-dir is not given")
    return 0
