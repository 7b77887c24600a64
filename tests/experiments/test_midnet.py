"""python -m ministn midnet: quick plumbing and the report's placeholders and claims."""
import json

from ministn.cli import main
from ministn.experiments import midnet
from ministn.experiments.report import aggregate


def test_quick_run_trains_the_three_models_and_writes_the_report(tmp_path):
    assert main(["midnet", "--quick", "--seeds", "1", "--out", str(tmp_path)]) == 0
    names = sorted(p.stem for p in (tmp_path / "midnet").glob("*.json"))
    assert names == ["small-cnn_RTS_s0", "small-st-feature_RTS_s0", "small-st-input_RTS_s0"]
    record = json.loads((tmp_path / "midnet" / "small-st-feature_RTS_s0.json").read_text())
    assert record["config"]["model"] == "small-st-feature" and record["distortion"] == "RTS"
    md = (tmp_path / "midnet.md").read_text()
    assert "| ST on the feature maps | " in md and "3 of 3 runs finished" in md


def test_report_before_any_run_says_not_yet_run(tmp_path):
    assert main(["midnet", "--report-only", "--out", str(tmp_path)]) == 0
    md = (tmp_path / "midnet.md").read_text()
    assert md.count("| not yet run |") == 3 and "undecided" in md


def test_claims_compare_both_places_with_the_cnn_and_each_other():
    records = []
    for row, errors in (("CNN", [6.0, 6.4]), ("ST on the input", [3.0, 3.2]),
                        ("ST on the feature maps", [5.0, 5.6])):
        records += [{"row": row, "distortion": "RTS", "test_error": e, "seed": s,
                     "train_seconds": 1.0} for s, e in enumerate(errors)]
    verdicts = [holds for _, holds, _ in midnet.claims(aggregate(records))]
    assert verdicts == [True, True, False, True]


def test_another_localisation_rate_needs_its_own_folder(tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    quick = ["midnet", "--quick", "--seeds", "1", "--rows", "ST on the input"]
    assert main(quick + ["--out", str(first)]) == 0
    result = first / "midnet" / "small-st-input_RTS_s0.json"
    before = result.read_bytes(), (first / "midnet.md").read_bytes()
    capsys.readouterr()
    # the same folder holds a run at the recipe's rate: refused in one line, nothing touched
    assert main(quick + ["--out", str(first), "--localisation-lr-factor", "0.1"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "localisation_lr_factor 1.0, not 0.1" in error
    assert (result.read_bytes(), (first / "midnet.md").read_bytes()) == before
    assert main(quick + ["--out", str(second), "--localisation-lr-factor", "0.1"]) == 0
    record = json.loads((second / "midnet" / "small-st-input_RTS_s0.json").read_text())
    assert record["config"]["localisation_lr_factor"] == 0.1
    assert "learn at 0.1 times that rate" in (second / "midnet.md").read_text()
    assert main(quick + ["--out", str(first)]) == 0       # the first recipe's folder still works
    assert result.read_bytes() == before[0]
