"""``python -m ministn show --checkpoint FILE``: test digits before and after the transformer."""
from pathlib import Path

from ..errors import MinistnError
from ..files import check_output
from ..plotting import save_transform_figure
from ..training import load_trained
from .limits import add_max_mb, max_bytes


def add_arguments(parser):
    parser.add_argument("--checkpoint", required=True, help="a checkpoint.npz written by train")
    parser.add_argument("--out", default=None,
                        help="the PNG to write (default: <checkpoint>-transform.png beside it)")
    parser.add_argument("--count", type=int, default=32, help="how many test digits (default 32)")
    parser.add_argument("--data-dir", default=None, help="MNIST-format files (default: as trained)")
    parser.add_argument("--distortion", default=None,
                        help="show this distortion's test digits instead (same input size)")
    add_max_mb(parser)


def run(args):
    if args.count < 1:
        raise MinistnError(f"--count must be positive, got {args.count}")
    checkpoint = Path(args.checkpoint)
    out = Path(args.out) if args.out else checkpoint.with_name(checkpoint.stem + "-transform.png")
    check_output(out, inputs=(checkpoint,))
    trainer, _ = load_trained(args.checkpoint, args.data_dir, args.distortion,
                               max_bytes=max_bytes(args))
    if not trainer.model.has_transformer:
        raise MinistnError(f"model {trainer.config.model!r} has no spatial transformer to show")
    if not trainer.model.warps_input:
        raise MinistnError(f"model {trainer.config.model!r} warps its feature maps, not its "
                           "input: there are no warped digits to show")
    save_transform_figure(trainer.model, trainer.test_x, out, trainer.config.normalization,
                          args.count)
    print(f"wrote {out}")
    return 0
