"""The bench command runs every registered case and reports both libraries (smoke test only:
speed itself is measured by running the command, never asserted in a test)."""
import json

import numpy as np
import pytest

from ministn.cli import main
from ministn.backend import gpu_available
from ministn.bench import CASES, case


def test_bench_writes_a_row_per_case_with_times_and_ratio(tmp_path, capsys):
    pytest.importorskip("torch")
    out = tmp_path / "bench.json"
    assert main(["bench", "--repeats", "1", "--warmup", "0", "--threads", "1", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["threads"] == [1] and report["device"] == "cpu"
    assert report["cpu"] and report["cores"] >= 1 and report["allocator_tuned"] in (True, False)
    assert {"conv2d train", "conv2d inference"} <= {row["name"] for row in report["cases"]}
    for row in report["cases"]:
        assert row["ministn_ms"] > 0 and row["torch_ms"] > 0
        assert row["ratio"] == pytest.approx(row["ministn_ms"] / row["torch_ms"])
        assert row["ministn_peak_mib"] > 0 and row["runs"] == 1
    assert "conv2d train" in capsys.readouterr().out


def test_bench_without_torch_times_ministn_alone(capsys):
    assert main(["bench", "--no-torch", "--case", "conv2d inference", "--repeats", "1", "--warmup", "0"]) == 0
    table = capsys.readouterr().out
    assert "conv2d inference" in table and "conv2d train" not in table


def test_bench_rejects_an_unknown_case(capsys):
    assert main(["bench", "--case", "no such case"]) == 2
    assert "unknown case 'no such case'" in capsys.readouterr().err


@pytest.mark.skipif(gpu_available(), reason="a GPU is present")
def test_bench_on_gpu_without_cupy_skips_with_a_message(capsys):
    assert main(["bench", "--device", "gpu"]) == 0
    assert "needs CuPy and a CUDA device" in capsys.readouterr().err


def test_a_case_name_can_only_be_registered_once():
    case("test-only case", "a row")(lambda s: (None, None))
    try:
        with pytest.raises(ValueError, match="registered twice"):
            case("test-only case", "again")(lambda s: (None, None))
    finally:
        del CASES["test-only case"]



@pytest.mark.parametrize("name", ["tutorial", "tutorial-cnn"])
def test_bench_torch_network_is_ministns_network(name):
    """The model rows time the same network on both sides: same outputs from the same weights."""
    torch = pytest.importorskip("torch")
    from ministn.autograd import no_grad
    from ministn.bench import Setup
    from ministn.bench.models import _models
    setup = Setup("cpu", torch)
    ours, theirs = _models(setup, name)
    if name == "tutorial":  # a transform away from the identity, so that the sampler matters
        ours.transformer.regression.bias.data[...] = [0.9, 0.1, 0.05, -0.1, 1.1, -0.05]
        theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    ours.eval(), theirs.eval()
    x = setup.uniform(4, 1, 28, 28)
    with no_grad():
        expected = ours(x).numpy()
    with torch.no_grad():
        np.testing.assert_allclose(theirs(torch.from_numpy(x)).numpy(), expected, atol=1e-5)
