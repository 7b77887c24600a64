"""Maintainer's script: redraw figures/distortions.png and figures/normalisation_padding.png.

Run from the repo root (the figures land in ./figures):

    python tools/make_data_figures.py
"""
from pathlib import Path

from ministn.data import load_mnist, to_float
from ministn.plotting import save_distortions_figure
from ministn.plotting import save_padding_figure

out = Path("figures")
out.mkdir(exist_ok=True)
mnist = load_mnist()
digits = to_float(mnist.test_images[:200])
save_distortions_figure(digits, out / "distortions.png")
save_padding_figure(digits[:8], out / "normalisation_padding.png")
print("wrote", out / "distortions.png", "and", out / "normalisation_padding.png")
