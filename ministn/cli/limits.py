"""The --max-mb option shared by the commands that read .npz files."""
from ..errors import MinistnError
from ..files import MAX_BYTES_DEFAULT


def add_max_mb(parser):
    parser.add_argument("--max-mb", type=float, default=MAX_BYTES_DEFAULT / 2**20,
                        help="refuse inputs that need more memory than this (default %(default)g)")


def max_bytes(args):
    """--max-mb in bytes, after checking it is a positive number."""
    if not args.max_mb > 0:
        raise MinistnError(f"--max-mb must be a positive number, got {args.max_mb}")
    return int(min(args.max_mb, 2.0**50) * 2**20)
