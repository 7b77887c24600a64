"""python -m ministn evaluate: a checkpoint's accuracy, and a checkpoint of another model refused."""
from ministn.cli import main
from ministn.models import build
from ministn.optim import Adam
from ministn.training import load_checkpoint, save_checkpoint

from tiny_runs import metrics, one_error_line


def test_evaluate_a_checkpoint(reference_run, capsys):
    checkpoint = reference_run / "checkpoint.npz"
    assert main(["evaluate", "--checkpoint", str(checkpoint)]) == 0
    out = capsys.readouterr().out
    final = metrics(reference_run)[-1]["test_acc"]
    assert f"accuracy {final:.2f}%" in out and "test (R, 100 images)" in out


def test_a_checkpoint_of_another_model_is_refused(reference_run, tmp_path, capsys):
    saved = load_checkpoint(reference_run / "checkpoint.npz")
    model, config = build("tutorial"), dict(saved["config"], model="tutorial-cnn")
    save_checkpoint(tmp_path / "c.npz", model, Adam(model.parameters()), config, saved["state"])
    one_error_line(capsys, main(["evaluate", "--checkpoint", str(tmp_path / "c.npz")]),
                   "holds weights of a different model")
