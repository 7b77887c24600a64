"""save_png: a PNG written whole or not at all, and the figure closed either way."""
import matplotlib.pyplot as plt
import pytest

from ministn.plotting.png import save_png

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_the_figure_is_written_as_a_png_and_closed(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    save_png(fig, tmp_path / "f.png", dpi=50)
    assert (tmp_path / "f.png").read_bytes()[:8] == PNG_MAGIC
    assert not plt.fignum_exists(fig.number)
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]


def test_a_failed_drawing_keeps_the_old_file_and_closes_the_figure(tmp_path, monkeypatch):
    (tmp_path / "f.png").write_bytes(b"old")
    fig, _ = plt.subplots()

    def broken(*args, **kwargs):
        raise RuntimeError("renderer failed")
    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError, match="renderer failed"):
        save_png(fig, tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]         # no temporary left
    assert not plt.fignum_exists(fig.number)
