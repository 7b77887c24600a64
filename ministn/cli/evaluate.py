"""``python -m ministn evaluate --checkpoint FILE``: test loss and accuracy of a trained model."""
from ..training import load_trained
from .limits import add_max_mb, max_bytes


def add_arguments(parser):
    parser.add_argument("--checkpoint", required=True, help="a checkpoint.npz written by train")
    parser.add_argument("--data-dir", default=None, help="MNIST-format files (default: as trained)")
    parser.add_argument("--distortion", default=None,
                        help="test on this distortion instead (same input size)")
    parser.add_argument("--device", default=None, help="cpu or gpu (default: as trained)")
    add_max_mb(parser)


def run(args):
    trainer, checkpoint = load_trained(args.checkpoint, args.data_dir, args.distortion, args.device,
                                       max_bytes=max_bytes(args))
    config, state = trainer.config, checkpoint["state"]
    loss, accuracy = trainer.evaluate()
    print(f"checkpoint {args.checkpoint}: {config.model}"
          + (f" ({config.transform})" if trainer.model.has_transformer else "")
          + f", epoch {state['epoch']}" + (f" + {state['step']} batches" if state["step"] else ""))
    print(f"test ({config.distortion}, {len(trainer.test_y):,} images): loss {loss:.4f}, "
          f"accuracy {accuracy:.2f}% ({round(accuracy * len(trainer.test_y) / 100):,} correct)")
    return 0
