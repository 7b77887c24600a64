"""Table 1's cluttered column: table1 --distortions TC, the report's TC column and its bar."""
from ministn.cli import main
from ministn.experiments import jobs
from ministn.experiments.report import aggregate, check_bars, format_table


def test_tc_jobs_cover_the_eight_models():
    job_list = jobs(1, distortions=("TC",))
    assert len(job_list) == 8 and {j.distortion for j in job_list} == {"TC"}


def test_quick_tc_run_adds_the_column_to_report_and_figures(tmp_path):
    assert main(["table1", "--quick", "--seeds", "1", "--distortions", "TC", "--rows", "CNN",
                 "ST-CNN Aff", "--out", str(tmp_path)]) == 0
    md = (tmp_path / "table1.md").read_text()
    assert "| TC ours | TC paper |" in md
    assert "| 3.5 |" in md and "| 1.7 |" in md                   # the paper's CNN, ST-CNN Aff
    assert "2 of 40 runs" in md and "TC: the best ST-CNN beats CNN" in md
    assert (tmp_path / "table1.png").stat().st_size > 0
    assert (tmp_path / "table1_transformers.png").stat().st_size > 0


def fake(row, d, errors):
    return [{"row": row, "distortion": d, "test_error": e, "seed": s, "train_seconds": 1.0}
            for s, e in enumerate(errors)]


def test_tc_column_and_bar_appear_only_with_tc_runs():
    four = fake("CNN", "R", [1.0, 1.1])
    table, _, _ = format_table(aggregate(four), 2)
    assert "TC" not in table and not any(c.startswith("TC") for c, _, _ in
                                         check_bars(aggregate(four)))
    tc = (fake("CNN", "TC", [9.0, 9.5]) + fake("ST-CNN Aff", "TC", [4.0, 4.2])
          + fake("FCN", "TC", [30.0, 31.0]) + fake("ST-FCN TPS", "TC", [10.0, 11.0]))
    bars = {c: h for c, h, _ in check_bars(aggregate(tc))}
    assert bars["TC: the best ST-CNN beats CNN and the best ST-FCN beats FCN by more than the "
                "seed spread"] is True
