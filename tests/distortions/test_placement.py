"""Translation onto a larger canvas and clutter: digits land whole, pieces where they are put."""
import numpy as np
import pytest

from ministn.distortions.placement import _paste_max, _translate, clutter, translate


def test_whole_pixel_translation_copies_the_digit_exactly(digits):
    canvas = _translate(digits[:2], np.array([[3.0, 10.0], [32.0, 0.0]]), 60)
    np.testing.assert_allclose(canvas[0, 0, 10:38, 3:31], digits[0, 0], atol=1e-5)
    np.testing.assert_allclose(canvas[1, 0, 0:28, 32:60], digits[1, 0], atol=1e-5)
    assert np.allclose(canvas.sum(axis=(1, 2, 3)), digits[:2].sum(axis=(1, 2, 3)), rtol=1e-5)


def test_translate_keeps_every_digit_whole_on_the_canvas(digits):
    canvas = translate(digits, np.random.default_rng(0))
    np.testing.assert_allclose(canvas.sum(axis=(1, 2, 3)), digits.sum(axis=(1, 2, 3)), rtol=1e-4)


def test_clutter_adds_pieces_around_the_translated_digit(digits):
    plain = translate(digits, np.random.default_rng(5))
    cluttered = clutter(digits, np.random.default_rng(5))      # same first draws: same placement
    assert np.all(cluttered >= plain - 1e-6)
    assert np.all((cluttered - plain).sum(axis=(1, 2, 3)) > 0)


def test_paste_max_puts_each_piece_at_its_place():
    canvas = np.zeros((2, 1, 10, 10), np.float32)
    canvas[1, 0, 0, 0] = 0.9
    pieces = np.full((2, 1, 3, 3), 0.5, np.float32)
    out = _paste_max(canvas, pieces, np.array([[1, 2], [0, 0]]))   # (x, y)
    assert out[0, 0, 2:5, 1:4].min() == 0.5 and out[0].sum() == pytest.approx(4.5)
    assert out[1, 0, 0, 0] == pytest.approx(0.9) and out[1].sum() == pytest.approx(0.9 + 8 * 0.5)
