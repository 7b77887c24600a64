"""Training: the loss falls, resume is exact (also after Ctrl-C), bad input is one clear line."""
import json
import signal

import numpy as np
import pytest

from ministn.cli import main
from ministn.data import BUNDLED_DIR, load_mnist, write_idx
from ministn.models import build
from ministn.training import Trainer, TrainConfig, fit, load_checkpoint, save_checkpoint
from ministn import gpu_available, manual_seed

TINY = ["--train-size", "192", "--test-size", "100", "--batch-size", "32", "--no-progress"]
TIMING = ("seconds", "images_per_s")


def train(out, *flags):
    return main(["train", "--out", str(out), *TINY, *flags])


def weights_and_state(out):
    with np.load(out / "checkpoint.npz") as npz:
        arrays = {k: npz[k] for k in npz.files if k != "meta"}
    return arrays, load_checkpoint(out / "checkpoint.npz")["state"]


def metrics(out):
    lines = (out / "metrics.jsonl").read_text().splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in TIMING} for line in lines]


def assert_same_run(a, b):
    arrays_a, state_a = weights_and_state(a)
    arrays_b, state_b = weights_and_state(b)
    assert arrays_a.keys() == arrays_b.keys()
    for key in arrays_a:                                        # weights and optimiser state
        assert np.array_equal(arrays_a[key], arrays_b[key]), key
    assert state_a["rng"] == state_b["rng"] and metrics(a) == metrics(b)


def snapshot(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted two-epoch run on rotated digits (dropout, shuffling, R distortion)."""
    out = tmp_path_factory.mktemp("runs") / "straight"
    assert train(out, "--epochs", "2", "--distortion", "R") == 0
    return out


def test_loss_falls_in_one_tiny_epoch():
    mnist = load_mnist(BUNDLED_DIR, train_size=320, test_size=200)
    config = TrainConfig(epochs=1, batch_size=32, lr=3e-3, train_size=320, test_size=200)
    manual_seed(0)
    trainer = Trainer(build("tutorial"), mnist, config, progress=False, log=lambda *a: None)
    before, _ = trainer.evaluate()
    trainer.run()
    assert trainer.history[0]["test_loss"] < before - 0.05


def test_resume_from_an_epoch_checkpoint_is_bit_for_bit(reference, tmp_path):
    out = tmp_path / "resumed"
    assert train(out, "--epochs", "1", "--distortion", "R") == 0
    assert train(out, "--epochs", "2", "--resume") == 0
    assert_same_run(reference, out)


def test_ctrl_c_saves_a_checkpoint_mid_epoch_that_resumes_exactly(reference, tmp_path,
                                                                  monkeypatch, capsys):
    out, step = tmp_path / "interrupted", Trainer.train_step
    calls = []

    def interrupted_step(self, x, y):
        calls.append(1)
        if len(calls) == 3:                                     # Ctrl-C during the third batch
            signal.raise_signal(signal.SIGINT)
        return step(self, x, y)

    monkeypatch.setattr(Trainer, "train_step", interrupted_step)
    assert train(out, "--epochs", "2", "--distortion", "R") == 130
    assert "checkpoint saved" in capsys.readouterr().out
    assert load_checkpoint(out / "checkpoint.npz")["state"]["step"] == 3
    monkeypatch.setattr(Trainer, "train_step", step)
    assert train(out, "--resume") == 0
    assert_same_run(reference, out)


def one_error_line(capsys, code, expected):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert expected in lines[0], lines[0]


def test_an_existing_run_is_not_overwritten_without_resume_or_force(reference, capsys):
    before = snapshot(reference)
    one_error_line(capsys, train(reference, "--epochs", "1"), "already holds a run")
    one_error_line(capsys, train(reference, "--resume", "--model", "cnn"),
                   "written for --model tutorial, not cnn")
    one_error_line(capsys, train(reference, "--resume", "--force"), "contradict")
    assert snapshot(reference) == before


@pytest.mark.parametrize("flags, expected", [
    (["--model", "lenet"], "unknown model 'lenet'; choose one of tutorial"),
    (["--distortion", "Z"], "unknown distortion 'Z'"),
    (["--distortion", "TC"], "takes 28x28 inputs"),
    (["--optimizer", "rmsprop"], "unknown optimizer 'rmsprop'"),
    (["--epochs", "0"], "epochs must be a positive integer"),
    (["--resume"], "nothing to resume"),
    (["--device", "tpu"], "unknown device 'tpu'"),
])
def test_bad_flags_are_one_line_and_write_nothing(tmp_path, capsys, flags, expected):
    one_error_line(capsys, train(tmp_path / "run", *flags), expected)
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(gpu_available(), reason="a GPU is present: --device gpu would train")
def test_gpu_without_cupy_is_one_line(tmp_path, capsys):
    one_error_line(capsys, train(tmp_path / "run", "--device", "gpu"), "needs CuPy and a CUDA device")
    assert not (tmp_path / "run").exists()


def write_copy(directory, cut_images=False, drop_label=False):
    mnist = load_mnist(BUNDLED_DIR, train_size=50, test_size=20)
    write_idx(directory / "train-images-idx3-ubyte.gz", mnist.train_images)
    write_idx(directory / "train-labels-idx1-ubyte", mnist.train_labels[:49 if drop_label else 50]
              .astype(np.uint8))
    write_idx(directory / "t10k-images-idx3-ubyte", mnist.test_images)
    write_idx(directory / "t10k-labels-idx1-ubyte", mnist.test_labels.astype(np.uint8))
    if cut_images:
        path = directory / "t10k-images-idx3-ubyte"
        path.write_bytes(path.read_bytes()[:-100])
    return directory


@pytest.mark.parametrize("problem, expected", [
    ({}, "lacks the MNIST-format file(s) train-images-idx3-ubyte[.gz]"),
    ({"cut_images": True}, "t10k-images-idx3-ubyte is truncated"),
    ({"drop_label": True}, "train labels do not match the images: 50 images but 49 labels"),
])
def test_bad_data_is_one_line_and_writes_nothing(tmp_path, capsys, problem, expected):
    data = tmp_path / "data"
    data.mkdir()
    if problem:
        write_copy(data, **problem)
    one_error_line(capsys, train(tmp_path / "run", "--data-dir", str(data)), expected)
    assert not (tmp_path / "run").exists()


def test_force_starts_over(tmp_path):
    out = tmp_path / "run"
    assert train(out, "--epochs", "1", "--model", "tutorial-cnn") == 0
    assert train(out, "--epochs", "1", "--model", "tutorial-cnn", "--seed", "1", "--force") == 0
    assert json.loads((out / "config.json").read_text())["seed"] == 1
    assert len(metrics(out)) == 1 and not (out / "transform.png").exists()


def test_evaluate_and_show_a_checkpoint(reference, tmp_path, capsys):
    checkpoint = reference / "checkpoint.npz"
    assert main(["evaluate", "--checkpoint", str(checkpoint)]) == 0
    out = capsys.readouterr().out
    final = metrics(reference)[-1]["test_acc"]
    assert f"accuracy {final:.2f}%" in out and "test (R, 100 images)" in out
    assert main(["show", "--checkpoint", str(checkpoint), "--out", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_a_checkpoint_of_another_model_is_refused(reference, tmp_path, capsys):
    saved = load_checkpoint(reference / "checkpoint.npz")
    model, config = build("tutorial"), dict(saved["config"], model="tutorial-cnn")
    from ministn.optim import Adam
    save_checkpoint(tmp_path / "c.npz", model, Adam(model.parameters()), config, saved["state"])
    one_error_line(capsys, main(["evaluate", "--checkpoint", str(tmp_path / "c.npz")]),
                   "holds weights of a different model")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    one_error_line(capsys, main(["show", "--checkpoint", str(tmp_path / "junk.npz")]),
                   "is not an .npz file")


def test_fit_is_the_quick_api_for_lessons_and_matches_the_command(reference):
    mnist = load_mnist(BUNDLED_DIR, train_size=192, test_size=100)
    manual_seed(0)
    history = fit(build("tutorial"), mnist, distortion="R", epochs=2, batch_size=32,
                  progress=False, log=lambda *a: None)
    assert [{k: v for k, v in r.items() if k not in TIMING} for r in history] == metrics(reference)
