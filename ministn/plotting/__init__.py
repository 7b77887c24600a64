"""ministn.plotting: every figure ministn draws. Nothing in the library imports it.

run_figures.py   a training run: learning curves, digits before and after the transformer,
                 the normalisation / zero-padding comparison
distortions.py   one row of examples per distorted-MNIST data set
table1.py        Table 1 beside the paper's, and what each ST-CNN's transformer learned
addition.py      MNIST addition: what each of the two parallel transformers outputs
png.py           save_png: a figure written atomically as PNG

No matplotlib backend is chosen here: the command line picks Agg (files only), and a
notebook or script keeps its own.
"""
from .distortions import save_distortions_figure
from .run_figures import save_curves, save_padding_figure, save_transform_figure, tile
