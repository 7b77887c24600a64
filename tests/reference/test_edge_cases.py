"""``python -m ministn reference cases DIR``: the bundle of edge cases, each checked against PyTorch."""
import io
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from ministn.cli import main
from ministn.errors import MinistnError
from ministn.reference import check_result, format_report, load_case, run_case
from ministn.reference.bundle import EDGE_CASES, readme, write_cases

pytest.importorskip("torch")
from torch_oracle import torch_result  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle") / "edge"
    write_cases(folder)
    return folder


def test_the_bundle_is_every_case_and_a_readme(bundle):
    names = [case.name for case in EDGE_CASES]
    assert len(names) == len(set(names))
    assert sorted(p.name for p in bundle.iterdir()) == sorted([f"{n}.npz" for n in names] + ["README.md"])
    text = (bundle / "README.md").read_text()
    for case in EDGE_CASES:
        assert f"| `{case.name}` | {case.op} | {case.probes} |" in text
        for source in case.sources:
            assert source.startswith("https://github.com/") and source in text


def test_the_bundle_covers_what_it_promises():
    cases = {c.name: c.build() for c in EDGE_CASES if c.op == "grid_sample"}
    combos = {(c["mode"], c.get("padding_mode", "zeros"), bool(c.get("align_corners", False)),
               c["input"].ndim) for c in cases.values()}
    for mode, ndim in [("bilinear", 4), ("nearest", 4), ("bicubic", 4), ("bilinear", 5),
                       ("nearest", 5)]:
        for padding in ("zeros", "border", "reflection"):
            assert {(mode, padding, False, ndim), (mode, padding, True, ndim)} <= combos
    grids = np.concatenate([c["grid"].reshape(-1) for c in cases.values()])
    for value in (1.0, -1.0, 1 + 2.0**-51, 3.5, -3.5, 1e30, -1e30):
        assert value in grids, value
    shapes = [c["input"].shape[2:] for c in cases.values()]
    assert any(s[-2] == 1 for s in shapes) and any(s[-1] == 1 for s in shapes)
    assert any(len(s) == 3 and s[0] == 1 for s in shapes)
    assert any(s[-2] != s[-1] for s in shapes)
    assert any(c["grid"].shape[1:-1] != c["input"].shape[2:] for c in cases.values())
    assert sum(np.isinf(c["input"]).any() for c in cases.values()) == 4
    assert any(c["grid"].size == 0 for c in cases.values())
    assert any(c["input"].shape[0] == 0 for c in cases.values())
    generators = [c.build() for c in EDGE_CASES if c.op == "affine_grid"]
    assert {len(c["size"]) for c in generators} == {4, 5}


@pytest.mark.parametrize("case", EDGE_CASES, ids=lambda c: c.name)
def test_each_case_agrees_with_pytorch(bundle, case):
    arrays = load_case(bundle / f"{case.name}.npz")
    with warnings.catch_warnings(record=True) as caught:     # both warn on a unit axis
        warnings.simplefilter("always")
        theirs = torch_result(case.op, arrays)
        report = check_result(case.op, arrays, theirs, rtol=1e-12, atol=1e-12)
        reference = run_case(case.op, arrays)
    ours = [w for w in caught if str(w.message).startswith("affine_grid: size")]
    assert bool(ours) == ("unit_axis" in case.name), [str(w.message) for w in caught]
    assert report.passed, format_report(report)
    if arrays.get("mode") == "nearest":                 # nearest: exactly, NaN and inf included
        np.testing.assert_array_equal(reference["output"], theirs["output"])
    for key in ("output", "grid"):
        if key in reference and case.name.endswith("inf_dropped_taps"):
            assert np.isfinite(reference[key]).all() and np.isfinite(theirs[key]).all()


def test_each_case_runs_through_the_reference_command(bundle, tmp_path, capsys):
    for case in EDGE_CASES[::7]:
        assert main(["reference", case.op, "--in", str(bundle / f"{case.name}.npz"),
                     "--out", str(tmp_path / "result.npz")]) == 0
    assert capsys.readouterr().out.count(": wrote ") == len(EDGE_CASES[::7])


def test_existing_files_are_kept_unless_force(tmp_path):
    folder = tmp_path / "edge"
    write_cases(folder, cases=EDGE_CASES[:2])
    first = folder / f"{EDGE_CASES[0].name}.npz"
    first.write_bytes(b"mine")
    with pytest.raises(MinistnError, match=r"exists \(3 of the bundle's 3 files do\); use --force"):
        write_cases(folder, cases=EDGE_CASES[:2])
    assert first.read_bytes() == b"mine"
    write_cases(folder, force=True, cases=EDGE_CASES[:2])
    assert load_case(first)["grid"].shape == EDGE_CASES[0].build()["grid"].shape


def test_the_command_writes_the_bundle_then_refuses_to_overwrite_it(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-m", "ministn", "reference", "cases", "edge"]
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0 and first.stderr == "", first.stderr
    assert f"wrote {len(EDGE_CASES)} cases and README.md to edge" in first.stdout
    before = {p.name: p.read_bytes() for p in (tmp_path / "edge").iterdir()}
    second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert re.fullmatch(r"error: DIR edge: \S+\.npz exists .*use --force to replace them\n", second.stderr)
    assert {p.name: p.read_bytes() for p in (tmp_path / "edge").iterdir()} == before
    forced = subprocess.run(command + ["--force"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert forced.returncode == 0
    for name in before:                        # seeded: the same arrays (zip timestamps aside)
        if name.endswith(".npz"):
            again, first = load_case(tmp_path / "edge" / name), np.load(io.BytesIO(before[name]))
            for key in first:
                np.testing.assert_array_equal(again[key], first[key])


def test_a_warning_is_one_line_and_the_result_is_written(bundle, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    child = subprocess.run([sys.executable, "-m", "ministn", "reference", "affine_grid", "--in",
                            str(bundle / "affine_grid_unit_axis_ac1.npz"), "--out", "result.npz"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert child.returncode == 0 and (tmp_path / "result.npz").exists()
    assert re.fullmatch(r"warning: affine_grid: size \(1, 1, 1, 6\) has a spatial axis of size 1 "
                        r"with align_corners=True[^\n]*\n", child.stderr), child.stderr


def test_a_folder_under_a_file_is_one_error_line(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(MinistnError, match="is not a folder"):
        write_cases(tmp_path / "file" / "edge")


def test_readme_lists_the_command_for_each_case():
    assert "reference check OP --case NAME.npz --result theirs.npz" in readme(EDGE_CASES[:1])
    assert EDGE_CASES[0].command("edge") == (f"python -m ministn reference grid_sample --in "
                                             f"edge/{EDGE_CASES[0].name}.npz --out result.npz")
