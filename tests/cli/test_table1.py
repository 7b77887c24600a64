"""python -m ministn table1: a quick run writes every cell, the table and the figures, and retrains
nothing the second time (plumbing only: tiny data, one epoch)."""
import json

from ministn.cli import main
from ministn.experiments import QUICK, ROWS


def test_quick_run_writes_every_cell_table_and_figures(tmp_path, capsys):
    assert main(["table1", "--quick", "--seeds", "1", "--out", str(tmp_path)]) == 0
    results = sorted((tmp_path / "table1").glob("*.json"))
    assert len(results) == 32
    record = json.loads(results[0].read_text())
    assert record["config"]["epochs"] == 1 and record["test_images"] == QUICK["test_size"]
    assert 0 <= record["test_error"] <= 100
    md = (tmp_path / "table1.md").read_text()
    for label, _, _ in ROWS:
        assert f"| {label} |" in md
    assert "32 of 32 runs" in md
    assert (tmp_path / "table1.png").stat().st_size > 0
    assert (tmp_path / "table1_transformers.png").stat().st_size > 0
    mtimes = [p.stat().st_mtime_ns for p in results]
    capsys.readouterr()
    main(["table1", "--quick", "--seeds", "1", "--out", str(tmp_path)])   # nothing to retrain
    assert "test error" not in capsys.readouterr().out
    assert [p.stat().st_mtime_ns for p in results] == mtimes
