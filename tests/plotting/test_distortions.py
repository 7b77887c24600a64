"""The figure of the distorted data sets: one row per distortion, the same digits in each."""
import matplotlib.pyplot as plt
import numpy as np

from ministn.data import BUNDLED_DIR, load_mnist, to_float
from ministn.distortions import DISTORTIONS
from ministn.plotting.distortions import CAPTIONS, save_distortions_figure


def test_every_distortion_has_a_caption():
    assert list(CAPTIONS) == list(DISTORTIONS)


def test_the_figure_has_a_row_per_distortion(tmp_path, monkeypatch):
    images = to_float(load_mnist(BUNDLED_DIR, train_size=8, test_size=1).train_images)
    drawn = []
    real_subplots = plt.subplots

    def recording_subplots(*args, **kwargs):
        fig, axes = real_subplots(*args, **kwargs)
        drawn.append(axes)
        return fig, axes
    monkeypatch.setattr(plt, "subplots", recording_subplots)
    save_distortions_figure(images, tmp_path / "d.png", columns=4)
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"
    titles = [ax.get_title(loc="left") for ax in np.ravel(drawn[0])]
    assert titles == [CAPTIONS[name] for name in DISTORTIONS]
