"""Figures of a run: the tiling of digits, pixel units for display, and every figure written."""
import numpy as np

from ministn import manual_seed
from ministn.data import normalize_pixels
from ministn.models import build
from ministn.plotting.run_figures import (save_curves, save_padding_figure, save_transform_figure,
                                          tile, to_pixels)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_tile_lays_digits_out_row_by_row_with_grey_gaps():
    images = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 1, 2, 3)
    sheet = tile(images, columns=2)                      # 3 rows of 2; the sixth place is empty
    assert sheet.shape == (3 * 3 - 1, 2 * 4 - 1) and sheet.dtype == np.float32
    np.testing.assert_array_equal(sheet[0:2, 0:3], images[0, 0])
    np.testing.assert_array_equal(sheet[0:2, 4:7], images[1, 0])
    np.testing.assert_array_equal(sheet[6:8, 0:3], images[4, 0])
    assert (sheet[2] == 0.5).all() and (sheet[:, 3] == 0.5).all()      # the 1-pixel gaps
    assert (sheet[6:8, 4:7] == 0.5).all()                               # the empty place


def test_to_pixels_undoes_the_mnist_normalisation_only_when_the_model_was_fed_it():
    x = np.random.default_rng(0).random((2, 1, 4, 4), dtype=np.float32)
    np.testing.assert_allclose(to_pixels(normalize_pixels(x), True), x, atol=1e-6)
    assert np.array_equal(to_pixels(x, False), x)


def test_curves_transform_and_padding_figures_are_written(tmp_path):
    history = [dict(epoch=e, train_loss=1 / e, test_loss=1.1 / e, train_acc=90 + e, test_acc=89 + e)
               for e in (1, 2, 3)]
    save_curves(history, tmp_path / "curves.png")
    manual_seed(0)
    digits = np.random.default_rng(1).random((3, 1, 28, 28), dtype=np.float32)
    save_transform_figure(build("tutorial"), digits, tmp_path / "transform.png")
    save_padding_figure(digits, tmp_path / "padding.png")
    for name in ("curves.png", "transform.png", "padding.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC, name
