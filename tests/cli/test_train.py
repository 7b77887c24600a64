"""python -m ministn train: resume is exact (also after Ctrl-C), a run is never overwritten by
mistake, and bad input is one clear line that writes nothing."""
import json
import signal

import numpy as np
import pytest

from ministn import gpu_available
from ministn.data import BUNDLED_DIR, load_mnist, write_idx
from ministn.training import Trainer, load_checkpoint

from tiny_runs import assert_same_run, metrics, one_error_line, snapshot, train


def test_resume_from_an_epoch_checkpoint_is_bit_for_bit(reference_run, tmp_path):
    out = tmp_path / "resumed"
    assert train(out, "--epochs", "1", "--distortion", "R") == 0
    assert train(out, "--epochs", "2", "--resume") == 0
    assert_same_run(reference_run, out)


def test_ctrl_c_saves_a_checkpoint_mid_epoch_that_resumes_exactly(reference_run, tmp_path,
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
    assert_same_run(reference_run, out)


def test_an_existing_run_is_not_overwritten_without_resume_or_force(reference_run, capsys):
    before = snapshot(reference_run)
    one_error_line(capsys, train(reference_run, "--epochs", "1"), "already holds a run")
    one_error_line(capsys, train(reference_run, "--resume", "--model", "cnn"),
                   "written for --model tutorial, not cnn")
    one_error_line(capsys, train(reference_run, "--resume", "--force"), "contradict")
    assert snapshot(reference_run) == before


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
