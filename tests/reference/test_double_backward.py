"""The reference's double backward (grad_grad_* tangents in a case): equal to PyTorch 2.13's
double backward of grid_sample and affine_grid, and compared by `reference check` (exit 0, 1, 2)."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ministn.reference import CaseError, check_result, run_case

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

TOLERANCE = 1e-10
REPO = Path(__file__).resolve().parents[2]


def run(args, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO),
                                                                    os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "ministn", "reference", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def save(folder, name, arrays):
    np.savez(folder / name, **arrays)
    return name


def one_error_line(child):
    assert child.returncode == 2, child
    assert "Traceback" not in child.stdout + child.stderr
    lines = child.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), child.stderr
    return lines[0]


def torch_double_backward(op, case, dtype="float64"):
    """PyTorch's second-order results for a case with tangents: torch.autograd.grad with
    create_graph=True, then the gradient of <tangents, gradients> in (grad_output, inputs)."""
    cast = lambda a: torch.tensor(np.asarray(a, dtype=dtype))  # noqa: E731
    if op == "grid_sample":
        inputs = [cast(case["input"]).requires_grad_(), cast(case["grid"]).requires_grad_()]
        options = dict(mode=str(case.get("mode", "bilinear")),
                       padding_mode=str(case.get("padding_mode", "zeros")),
                       align_corners=bool(case.get("align_corners", False)))
        out = TF.grid_sample(*inputs, **options)
        keys, names = ("grad_grad_input", "grad_grad_grid"), ("grad2_input", "grad2_grid")
    else:
        inputs = [cast(case["theta"]).requires_grad_()]
        out = TF.affine_grid(inputs[0], [int(s) for s in case["size"]],
                             align_corners=bool(case.get("align_corners", False)))
        keys, names = ("grad_grad_theta",), ("grad2_theta",)
    upstream = cast(case["grad_output"]).requires_grad_()
    firsts = torch.autograd.grad(out, inputs, upstream, create_graph=True)
    s = sum((g * cast(case[k])).sum() for g, k in zip(firsts, keys) if k in case)
    seconds = torch.autograd.grad(s, [upstream] + inputs, allow_unused=True)
    arrays = [np.zeros(x.shape, dtype) if g is None else g.detach().numpy()
              for g, x in zip(seconds, [upstream] + inputs)]
    return dict(zip(("grad_grad_output",) + names, arrays))


def grid_sample_case(seed, volume, mode, padding_mode, align_corners, tangents=("input", "grid")):
    rng = np.random.default_rng(seed)
    U_shape, grid_shape = ((2, 2, 3, 5, 4), (2, 2, 3, 2, 3)) if volume else ((2, 3, 5, 6),
                                                                             (2, 4, 3, 2))
    case = dict(input=rng.standard_normal(U_shape), grid=rng.uniform(-1.2, 1.2, grid_shape),
                mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    case["grad_output"] = rng.standard_normal((U_shape[:2] + grid_shape[1:-1]))
    for name in tangents:
        case[f"grad_grad_{name}"] = rng.standard_normal(case[name].shape)
    return case


def assert_matches(ours, theirs):
    for key, expected in theirs.items():
        assert ours[key].shape == expected.shape, key
        np.testing.assert_allclose(ours[key], expected, rtol=TOLERANCE,
                                   atol=TOLERANCE * max(1.0, np.abs(expected).max()), err_msg=key)


COMBINATIONS = [(volume, mode, padding, align) for volume, modes in
                ((False, ("bilinear", "nearest", "bicubic")), (True, ("bilinear", "nearest")))
                for mode in modes for padding in ("zeros", "border", "reflection")
                for align in (False, True)]


@pytest.mark.parametrize("volume,mode,padding_mode,align_corners", COMBINATIONS)
def test_grid_sample_double_backward_matches_torch(volume, mode, padding_mode, align_corners):
    case = grid_sample_case([1, volume, len(mode), len(padding_mode), align_corners], volume,
                            mode, padding_mode, align_corners)
    ours = run_case("grid_sample", case)
    assert np.abs(ours["grad_grad_output"]).max() > 0
    assert_matches(ours, torch_double_backward("grid_sample", case))
    for key in ("grad_grad_input", "grad_grad_grid"):          # the tangents are repeated
        np.testing.assert_array_equal(ours[key], case[key])


@pytest.mark.parametrize("tangent", ["input", "grid"])
def test_one_tangent_alone_counts_the_other_as_zero(tangent):
    case = grid_sample_case(5, False, "bilinear", "border", False, tangents=(tangent,))
    ours = run_case("grid_sample", case)
    assert f"grad_grad_{'grid' if tangent == 'input' else 'input'}" not in ours
    assert_matches(ours, torch_double_backward("grid_sample", case))


def test_without_tangents_the_result_is_first_order_only():
    case = grid_sample_case(6, False, "bilinear", "zeros", False, tangents=())
    result = run_case("grid_sample", case)
    assert not {"grad_grad_output", "grad2_input", "grad2_grid"} & set(result)


@pytest.mark.parametrize("size", [(2, 1, 4, 3), (2, 1, 3, 4, 2)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_double_backward_matches_torch(size, align_corners):
    rng = np.random.default_rng(len(size))
    D = len(size) - 2
    case = dict(theta=rng.standard_normal((2, D, D + 1)), size=np.array(size),
                align_corners=align_corners, grad_output=rng.standard_normal((2, *size[2:], D)),
                grad_grad_theta=rng.standard_normal((2, D, D + 1)))
    ours = run_case("affine_grid", case)
    theirs = torch_double_backward("affine_grid", case)
    assert np.abs(theirs["grad_grad_output"]).max() > 0
    assert not np.any(ours["grad2_theta"])                 # affine_grid is linear in theta
    assert_matches(ours, theirs)


def test_a_tangent_of_the_wrong_shape_is_one_line():
    case = grid_sample_case(7, False, "bilinear", "zeros", False)
    case["grad_grad_grid"] = case["grad_grad_grid"][..., :1]
    with pytest.raises(CaseError, match=r"'grad_grad_grid' must have the shape .*\(2, 4, 3, 2\)"):
        run_case("grid_sample", case)


@pytest.mark.parametrize("volume,mode", [(False, "bilinear"), (False, "bicubic"),
                                         (True, "bilinear"), (True, "nearest")])
def test_pytorchs_float32_double_backward_passes_the_default_tolerances(volume, mode):
    case = grid_sample_case(8, volume, mode, "reflection", False)
    case = {k: v.astype(np.float32) if isinstance(v, np.ndarray) else v for k, v in case.items()}
    ours = run_case("grid_sample", case)
    theirs = dict(torch_double_backward("grid_sample", case, "float32"),
                  output=ours["output"].astype(np.float32))
    report = check_result("grid_sample", case, theirs)
    assert report.passed, [(a.key, a.max_abs, a.rtol) for a in report.arrays]
    assert {a.key for a in report.arrays} == {"output", "grad_grad_output", "grad2_input",
                                               "grad2_grid"}


def test_check_command_passes_pytorch_and_fails_a_perturbed_double_backward(tmp_path):
    case = grid_sample_case(9, False, "bicubic", "border", True)
    theirs = torch_double_backward("grid_sample", case)
    save(tmp_path, "case.npz", case)
    save(tmp_path, "theirs.npz", theirs)
    passed = run(["check", "grid_sample", "--case", "case.npz", "--result", "theirs.npz"], tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "ok: 3 array(s) within tolerance" in passed.stdout
    theirs["grad2_grid"][1, 2, 0, 1] += 1e-4
    save(tmp_path, "theirs.npz", theirs)
    failed = run(["check", "grid_sample", "--case", "case.npz", "--result", "theirs.npz"], tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "worst grad2_grid[1, 2, 0, 1]" in failed.stdout
    assert "FAIL: grad2_grid out of tolerance" in failed.stdout and failed.stderr == ""


def test_compute_command_writes_the_double_backward_and_check_reads_it_back(tmp_path):
    rng = np.random.default_rng(10)
    case = dict(theta=rng.standard_normal((1, 3, 4)), size=np.array([1, 1, 2, 3, 2]),
                grad_output=rng.standard_normal((1, 2, 3, 2, 3)),
                grad_grad_theta=rng.standard_normal((1, 3, 4)))
    save(tmp_path, "case.npz", case)
    wrote = run(["affine_grid", "--in", "case.npz", "--out", "ours.npz"], tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    assert "grad_grad_output (1, 2, 3, 2, 3)" in wrote.stdout
    assert "grad2_theta (1, 3, 4)" in wrote.stdout
    assert "grad_grad_theta" not in wrote.stdout                    # a tangent, not a result
    ours = dict(np.load(tmp_path / "ours.npz"))
    assert_matches(ours, torch_double_backward("affine_grid", case))
    ours["grad_grad_output"][0, 1, 2, 0, 2] *= 1.01
    save(tmp_path, "ours.npz", ours)
    failed = run(["check", "affine_grid", "--case", "case.npz", "--result", "ours.npz"], tmp_path)
    assert failed.returncode == 1 and "worst grad_grad_output[0, 1, 2, 0, 2]" in failed.stdout


@pytest.mark.parametrize("op,case,message", [
    ("grid_sample", "wrong_shape", "'grad_grad_input' must have the shape"),
    ("perspective_grid", "tangent", "unknown key(s) 'grad_grad_theta'"),
])
def test_bad_double_backward_cases_exit_2_with_one_line(tmp_path, op, case, message):
    if case == "wrong_shape":
        arrays = grid_sample_case(11, False, "bilinear", "zeros", False)
        arrays["grad_grad_input"] = arrays["grad_grad_input"][:1]
    else:
        arrays = dict(theta=np.eye(3)[None], size=np.array([1, 1, 2, 2]),
                      grad_grad_theta=np.ones((1, 3, 3)))
    save(tmp_path, "case.npz", arrays)
    line = one_error_line(run([op, "--in", "case.npz", "--out", "out.npz"], tmp_path))
    assert message in line
    assert not (tmp_path / "out.npz").exists()
