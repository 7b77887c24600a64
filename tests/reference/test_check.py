"""``python -m ministn reference check`` and ministn.reference.check_result: a kernel's result
against the float64 reference, with the worst element located and explained."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ministn.cli import build_parser
from ministn.reference import check_result, format_report, ulp_distance
from ministn.reference.edge_cases import normalised

pytest.importorskip("torch")
from torch_oracle import torch_result  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def random_case(seed=0, dtype=np.float64, **options):
    rng = np.random.default_rng(seed)
    return dict(input=rng.standard_normal((2, 3, 5, 6)).astype(dtype),
                grid=rng.uniform(-1.2, 1.2, (2, 4, 3, 2)).astype(dtype),
                grad_output=rng.standard_normal((2, 3, 4, 3)).astype(dtype), **options)


def run(args, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
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


# ---- the command: exit 0, 1, 2 ----------------------------------------------------------------

def test_pytorchs_own_result_passes_and_a_perturbed_gradient_fails_naming_it(tmp_path):
    case = random_case(padding_mode="border")
    theirs = torch_result("grid_sample", case)
    save(tmp_path, "case.npz", case)
    save(tmp_path, "theirs.npz", theirs)
    passed = run(["check", "grid_sample", "--case", "case.npz", "--result", "theirs.npz"], tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "ok: 3 array(s) within tolerance" in passed.stdout
    theirs["grad_grid"][0, 2, 1, 0] += 1e-3
    save(tmp_path, "theirs.npz", theirs)
    failed = run(["check", "grid_sample", "--case", "case.npz", "--result", "theirs.npz"], tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "worst grad_grid[0, 2, 1, 0]" in failed.stdout
    assert "FAIL (1 of 48)" in failed.stdout and "FAIL: grad_grid out of tolerance" in failed.stdout
    assert failed.stderr == ""


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode, volume", [("bilinear", False), ("nearest", False),
                                          ("bicubic", False), ("bilinear", True),
                                          ("nearest", True)])
def test_pytorch_passes_the_default_tolerances_of_its_dtype(dtype, mode, volume):
    for seed, padding in enumerate(["zeros", "border", "reflection"]):
        case = random_case(seed, dtype, mode=mode, padding_mode=padding, align_corners=seed == 1)
        if volume:
            rng = np.random.default_rng(seed)
            case.update(input=rng.standard_normal((2, 3, 4, 5, 6)).astype(dtype),
                        grid=rng.uniform(-1.2, 1.2, (2, 3, 2, 4, 3)).astype(dtype),
                        grad_output=rng.standard_normal((2, 3, 3, 2, 4)).astype(dtype))
        report = check_result("grid_sample", case, torch_result("grid_sample", case, dtype))
        assert report.passed, format_report(report)
        assert report.notes == []                      # the case is exactly in the result's dtype


def test_a_float32_result_of_a_float64_case_gets_a_note():
    case = random_case(3)
    report = check_result("grid_sample", case, torch_result("grid_sample", case, "float32"))
    assert any("not exactly float32" in note for note in report.notes)


def test_one_grad_input_element_off_is_named_with_its_pixel():
    case = random_case(4)
    theirs = torch_result("grid_sample", case)
    theirs["grad_input"][1, 2, 3, 4] -= 1e-3
    report = check_result("grid_sample", case, theirs)
    check = {a.key: a for a in report.arrays}["grad_input"]
    assert not report.passed and check.failures == 1 and check.worst == (1, 2, 3, 4)
    assert check.position.startswith("pixel (x, y) = (4, 3)")
    assert "worst grad_input[1, 2, 3, 4]" in format_report(report)


def test_affine_grid_results_are_checked_too():
    case = dict(theta=np.array([[[0.9, 0.2, 0.1], [-0.3, 1.1, 0.0]]]), size=np.array([1, 1, 4, 6]))
    theirs = torch_result("affine_grid", case)
    assert check_result("affine_grid", case, theirs).passed
    theirs["grad_theta"][0, 1, 2] += 1e-3
    report = check_result("affine_grid", case, theirs)
    assert [a.passed for a in report.arrays] == [True, False]
    assert report.arrays[1].worst == (0, 1, 2)


def corrupt_inputs(folder):
    good = random_case()
    save(folder, "case.npz", good)
    save(folder, "theirs.npz", torch_result("grid_sample", good))
    (folder / "broken.npz").write_bytes((folder / "theirs.npz").read_bytes()[:300])
    save(folder, "no_grid.npz", {k: v for k, v in good.items() if k != "grid"})
    theirs = torch_result("grid_sample", good)
    save(folder, "wrong_shape.npz", dict(theirs, grad_grid=theirs["grad_grid"][:, :, :2]))
    save(folder, "unknown.npz", dict(theirs, grad_inptu=theirs["grad_input"]))
    save(folder, "integers.npz", dict(output=theirs["output"].astype(np.int64)))
    save(folder, "nothing.npz", dict(mode="bilinear"))


@pytest.mark.parametrize("case, result, extra, message", [
    ("case.npz", "broken.npz", [], r"result broken.npz: .*(corrupt|not an \.npz)"),
    ("broken.npz", "theirs.npz", [], r"case broken.npz: "),
    ("missing.npz", "theirs.npz", [], r"case missing.npz: no such file"),
    ("no_grid.npz", "theirs.npz", [], r"grid_sample no_grid.npz: missing key 'grid'"),
    ("case.npz", "wrong_shape.npz", [], r"'grad_grid' has shape \(2, 4, 2, 2\); the reference's is \(2, 4, 3, 2\)"),
    ("case.npz", "unknown.npz", [], r"unknown key\(s\) 'grad_inptu'"),
    ("case.npz", "integers.npz", [], r"'output' has dtype int64; expected float16, float32 or float64"),
    ("case.npz", "nothing.npz", [], r"holds none of output, grad_input, grad_grid"),
    ("case.npz", "theirs.npz", ["--rtol", "-1"], r"--rtol must be a finite number >= 0"),
    ("case.npz", "theirs.npz", ["--max-mb", "0.0001"], r"limit"),
])
def test_bad_input_is_one_error_line_and_exit_2(tmp_path, case, result, extra, message):
    import re
    corrupt_inputs(tmp_path)
    line = one_error_line(run(["check", "grid_sample", "--case", case, "--result", result, *extra],
                              tmp_path))
    assert re.search(message, line), line


def help_text(capsys, *argv):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["reference", *argv, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_help_explains_every_form_the_tolerances_and_the_exit_status(capsys):
    text = help_text(capsys)
    assert "reference OP --in CASE.npz --out RESULT.npz" in text
    assert "reference check OP --case CASE.npz --result THEIRS.npz" in text
    assert "reference cases DIR" in text
    assert "Exit status 0: every array within tolerance; 1: one is not; 2: bad input" in text
    text = help_text(capsys, "check")
    assert "rtol = atol = 8 eps n for output, grad_input and grid, and 8 eps n^2 for grad_grid" in text
    assert "float16 9.8e-4, float32 1.2e-7, float64 2.2e-16" in text
    assert "Exit status: 0 every array within tolerance, 1 at least one is not, 2 bad input" in text
    assert "--force" in help_text(capsys, "cases")


# ---- the report's reasons on hand-made cases ----------------------------------------------------

def hand_case(x, y, mode="bilinear", padding_mode="zeros", align_corners=False, sizes=(4, 8)):
    """One grid point at pixel coordinates (x, y) of a 4 x 8 image (exact: W and H powers of 2)."""
    H, W = sizes
    rng = np.random.default_rng(7)
    grid = np.array([normalised(x, W, align_corners), normalised(y, H, align_corners)])
    return dict(input=rng.standard_normal((1, 2, H, W)), grid=grid.reshape(1, 1, 1, 2),
                grad_output=np.ones((1, 2, 1, 1)), mode=mode, padding_mode=padding_mode,
                align_corners=align_corners)


def reasons_of_perturbed(case, key, index):
    theirs = torch_result("grid_sample", case)
    theirs[key][index] += 1e-3
    report = check_result("grid_sample", case, theirs)
    check = {a.key: a for a in report.arrays}[key]
    assert not check.passed and check.worst == index
    return check.position, " | ".join(check.reasons)


@pytest.mark.parametrize("x, y, options, key, index, position, reason", [
    (3, 1.25, {}, "grad_grid", (0, 0, 0, 0), "at (x, y) = (3, 1.25) px",
     "x = 3 is an integer pixel coordinate (one-sided derivative"),
    (2.5, 1.25, dict(mode="nearest"), "output", (0, 1, 0, 0), "at (x, y) = (2.5, 1.25) px",
     "x = 2.5 is a nearest-mode tie (.5; rounds half to even, to 2)"),
    (7, 1.25, dict(padding_mode="border"), "grad_grid", (0, 0, 0, 0), "at (x, y) = (7, 1.25) px",
     "x lies on the clip boundary x = 7 (derivative 0 there)"),
    (9.5, 1.25, dict(padding_mode="border"), "grad_grid", (0, 0, 0, 0), "padded to (7, 1.25)",
     "x = 9.5 is clipped to the edge x = 7 (derivative 0)"),
    (-2.25, 1.25, dict(padding_mode="reflection"), "grad_grid", (0, 0, 0, 0),
     "at (x, y) = (-2.25, 1.25) px, padded to (1.25, 1.25)",
     "x = -2.25 is folded by reflection to x = 1.25"),
    (-0.75, 1.25, {}, "output", (0, 0, 0, 0), "at (x, y) = (-0.75, 1.25) px",
     "x = -0.75 is outside the image: its taps read the zero padding"),
])
def test_the_worst_element_is_explained(x, y, options, key, index, position, reason):
    where, reasons = reasons_of_perturbed(hand_case(x, y, **options), key, index)
    assert position in where, where
    assert reason in reasons, reasons


def test_a_grad_grid_component_names_only_its_own_axis():
    _, reasons = reasons_of_perturbed(hand_case(3, 2, padding_mode="border"), "grad_grid",
                                      (0, 0, 0, 1))
    assert "y = 2 is an integer" in reasons and "x = 3" not in reasons


def test_an_inf_behind_a_dropped_tap_is_named():
    case = hand_case(-1.5, 1.25)
    case["input"][:, :, :, 0] = np.inf
    where, reasons = reasons_of_perturbed(case, "output", (0, 0, 0, 0))
    assert "dropped by zero padding, would clamp onto a non-finite input at pixel (0, 1)" in reasons


def test_a_near_integer_is_named_within_the_dtypes_rounding():
    case = hand_case(3 + 2e-7, 1.25)                    # float32 rounding of x = 3 is ~2.4e-7
    case = {k: (v.astype(np.float32) if isinstance(v, np.ndarray) else v) for k, v in case.items()}
    theirs = torch_result("grid_sample", case, "float32")
    theirs["grad_grid"][0, 0, 0, 0] += 0.1
    check = check_result("grid_sample", case, theirs).arrays[2]
    assert any("within rounding of an integer pixel coordinate" in r for r in check.reasons)


# ---- ulps --------------------------------------------------------------------------------------

def test_ulp_distance():
    one_up = np.nextafter(np.float32(1), np.float32(2))
    assert ulp_distance(np.array([float(one_up)]), np.array([1.0]), np.float32)[0] == 1
    assert ulp_distance(np.array([0.0]), np.array([-0.0]), np.float64)[0] == 0
    tiny = np.finfo(np.float16).smallest_subnormal
    assert ulp_distance(np.array([float(tiny)]), np.array([-float(tiny)]), np.float16)[0] == 2
    assert ulp_distance(np.array([np.nan]), np.array([np.nan]), np.float64)[0] == 0
    assert ulp_distance(np.array([np.nan]), np.array([1.0]), np.float64)[0] == np.inf
    # the reference is rounded to the dtype first: a correctly rounded result is 0 ulp away
    assert ulp_distance(np.array([float(np.float32(0.1))]), np.array([0.1]), np.float32)[0] == 0


# ---- any candidate: a report or one MinistnError line -------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from ministn.errors import MinistnError  # noqa: E402

CANDIDATES = st.dictionaries(
    st.sampled_from(["output", "grad_input", "grad_grid", "grad_output", "mode", "other"]),
    hnp.arrays(st.one_of(hnp.floating_dtypes(sizes=(16, 32, 64)), hnp.integer_dtypes(),
                         hnp.complex_number_dtypes(), hnp.unicode_string_dtypes(max_len=4)),
               hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)),
    max_size=4)


@settings(max_examples=60, deadline=None)
@given(CANDIDATES)
def test_any_candidate_gives_a_report_or_one_error_line(theirs):
    case = dict(input=np.ones((1, 1, 2, 3)), grid=np.zeros((1, 2, 4, 2)))
    try:
        report = check_result("grid_sample", case, theirs)
    except MinistnError as error:
        assert "\n" not in str(error)
        return
    assert [a.key for a in report.arrays] == [k for k in ("output", "grad_input", "grad_grid")
                                               if k in theirs]
    format_report(report)


def test_ministns_own_generators_are_checked_against_their_float64_results():
    """perspective_grid and tps_grid have no PyTorch oracle: a float32 copy of the reference's
    own result passes, one element off fails and is located at its output pixel."""
    from ministn.reference import run_case
    rng = np.random.default_rng(9)
    for op, case in [("perspective_grid", dict(theta=np.eye(3) + 0.05 * rng.standard_normal((1, 3, 3)),
                                               size=np.array([1, 1, 4, 6]))),
                     ("tps_grid", dict(offsets=rng.uniform(-0.1, 0.1, (1, 9, 2)).astype(np.float32),
                                       size=np.array([1, 1, 4, 6])))]:
        result = run_case(op, case)
        theirs = {k: result[k].astype(np.float32) for k in result if k == "grid" or
                  (k.startswith("grad_") and k != "grad_output")}
        assert check_result(op, case, theirs).passed, op
        theirs["grid"][0, 3, 5, 1] += 1e-2
        check = check_result(op, case, theirs).arrays[0]
        assert check.worst == (0, 3, 5, 1)
        assert check.position == "output pixel (y, x) = (3, 5) of sample 0"


def test_a_float16_result_of_values_beyond_its_range_is_compared_quietly():
    import warnings
    case = dict(input=np.full((1, 1, 2, 2), 1e5), grid=np.zeros((1, 1, 1, 2)))
    theirs = dict(output=np.full((1, 1, 1, 1), np.inf, dtype=np.float16))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = check_result("grid_sample", case, theirs).arrays[0]
    assert check.max_ulp == 0 and check.max_abs == np.inf and not check.passed
# ---- volumes, bicubic and empty results ---------------------------------------------------------

def test_a_volume_element_is_located_in_x_y_z():
    rng = np.random.default_rng(8)
    point = [normalised(2.25, 8, False), normalised(1.5, 4, False), normalised(1, 4, False)]
    case = dict(input=rng.standard_normal((1, 2, 4, 4, 8)),
                grid=np.array(point).reshape(1, 1, 1, 1, 3), grad_output=np.ones((1, 2, 1, 1, 1)))
    theirs = torch_result("grid_sample", case)
    theirs["grad_grid"][0, 0, 0, 0, 2] += 1e-3
    check = check_result("grid_sample", case, theirs).arrays[2]
    assert check.worst == (0, 0, 0, 0, 2)
    assert check.position == "grid[0, 0, 0, 0] at (x, y, z) = (2.25, 1.5, 1) px"
    assert check.reasons == ["z = 1 is an integer pixel coordinate (one-sided derivative: the "
                             "right-hand one, floor and floor + 1)"]


def test_bicubic_taps_beyond_the_edge_are_named():
    _, reasons = reasons_of_perturbed(hand_case(0.5, 1.25, mode="bicubic", padding_mode="border"),
                                      "grad_grid", (0, 0, 0, 0))
    assert "x = 0.5: bicubic taps beyond the edge, padded one by one" in reasons


def test_empty_results_are_compared_by_shape():
    case = dict(input=np.ones((1, 2, 3, 4)), grid=np.zeros((1, 0, 3, 2)))
    report = check_result("grid_sample", case, torch_result("grid_sample", case))
    output, grad_input, grad_grid = report.arrays
    assert report.passed and output.worst is None and grad_grid.worst is None
    assert grad_input.shape == (1, 2, 3, 4) and grad_input.max_abs == 0
    assert "output is empty (1, 2, 0, 3): nothing to compare" in format_report(report)


def test_the_documented_report_is_what_the_check_prints():
    """docs/reference.md's example: the worked example's result in float32, with a one-sided
    gradient at the right edge where the clip's derivative is 0."""
    from ministn.reference import load_case, run_case
    case = load_case(REPO / "examples" / "reference" / "grid_sample_case.npz")
    result = run_case("grid_sample", case)
    theirs = {k: result[k].astype(np.float32) for k in ("output", "grad_input", "grad_grid")}
    theirs["grad_grid"][0, 0, 2, 0] = 1.5
    report = check_result("grid_sample", case, theirs)
    docs = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    command = ("$ python -m ministn reference check grid_sample --case grid_sample_case.npz "
               "--result theirs.npz\n")
    documented = docs.split(command, 1)[1].split("```", 1)[0]
    assert format_report(report, "grid_sample_case.npz", "theirs.npz") + "\n" == documented
