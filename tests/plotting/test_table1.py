"""Table 1's figures: the bars beside the paper's, and the transformers' outputs (with no run
trained yet, every panel says so)."""
import matplotlib.pyplot as plt

from ministn.experiments.table1 import COLUMNS, ROWS, Job
from ministn.plotting.table1 import save_table_figure, trained_model

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_table_figure_is_written_with_a_panel_per_distortion(tmp_path, monkeypatch):
    cells = {(label, d): {"mean": 2.0 + i, "errors": [1.5 + i, 2.5 + i]}
             for i, (label, _, _) in enumerate(ROWS) for d in COLUMNS}
    del cells[(ROWS[0][0], COLUMNS[0])]                        # a cell not finished yet
    panels = []
    real_subplots = plt.subplots

    def recording_subplots(*args, **kwargs):
        fig, axes = real_subplots(*args, **kwargs)
        panels.extend(axes)
        return fig, axes
    monkeypatch.setattr(plt, "subplots", recording_subplots)
    save_table_figure(cells, tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:8] == PNG_MAGIC
    assert [ax.get_title() for ax in panels] == list(COLUMNS)


def test_a_job_without_a_finished_checkpoint_has_no_trained_model(tmp_path):
    assert trained_model(tmp_path, Job("ST-CNN Aff", "st-cnn", "affine", "R", 0)) is None
