"""The paper's Table 1 (left): test error % of eight models on four distorted MNIST sets.

    rows     FCN, CNN, ST-FCN {Aff, Proj, TPS}, ST-CNN {Aff, Proj, TPS}    (8 models)
    columns  R, RTS, P, E                                                  (4 distortions)
             and, on request, TC (cluttered, 60x60), which the paper reports in its text

Jaderberg et al. train each cell for 150k iterations of batch 256 on 60k digits (640 epochs),
SGD lr 0.01 divided by 10 every 50k iterations, and report the mean of three seeds. That is
far beyond a 2-core NumPy budget, so ministn's recipe (RECIPE below) is scaled down: the
bundled 6,000 training digits, distorted afresh every epoch, a few dozen epochs of Adam, and
the 10,000 test digits distorted once with a fixed seed. Absolute errors are therefore higher
than the paper's; what must reproduce is the ordering (see report.py for the checks).

A *job* is one (cell, seed): it trains one model and records its final test error.
"""
from dataclasses import dataclass

COLUMNS = ("R", "RTS", "P", "E")   # the distortions of Table 1 (left), in its order
# and its cluttered column, trained on request (--distortions TC) and reported when it has runs
CLUTTERED = "TC"
ALL_COLUMNS = COLUMNS + (CLUTTERED,)
# (row label, model name, transform) in the paper's order
ROWS = (("FCN", "fcn", "affine"), ("CNN", "cnn", "affine"),
        ("ST-FCN Aff", "st-fcn", "affine"), ("ST-FCN Proj", "st-fcn", "projective"),
        ("ST-FCN TPS", "st-fcn", "tps"),
        ("ST-CNN Aff", "st-cnn", "affine"), ("ST-CNN Proj", "st-cnn", "projective"),
        ("ST-CNN TPS", "st-cnn", "tps"))
# the paper's test error %, per row, for R / RTS / P / E / TC (TC: from the paper's text, which
# gives it for the affine transformers only; None where the paper has no number)
PAPER = {"FCN": (2.1, 5.2, 3.1, 3.2, 13.2), "CNN": (1.2, 0.8, 1.5, 1.4, 3.5),
         "ST-FCN Aff": (1.2, 0.8, 1.5, 2.7, 2.0), "ST-FCN Proj": (1.3, 0.9, 1.4, 2.6, None),
         "ST-FCN TPS": (1.1, 0.8, 1.4, 2.4, None), "ST-CNN Aff": (0.7, 0.5, 0.8, 1.2, 1.7),
         "ST-CNN Proj": (0.8, 0.6, 0.8, 1.3, None), "ST-CNN TPS": (0.7, 0.5, 0.8, 1.1, None)}

# The scaled-down recipe: TrainConfig fields shared by every job (seed and cell are per job).
RECIPE = dict(epochs=40, batch_size=64, optimizer="adam", lr=1e-3, lr_step=20, lr_gamma=0.1,
              augment=False, normalization="inside", train_size=6000, test_size=10000)
# --quick: the same plumbing on a sliver of data, one epoch (CI only; the numbers mean nothing)
QUICK = dict(RECIPE, epochs=1, train_size=128, test_size=100)


def columns_of(cells):
    """The columns to report: Table 1's four, and TC once any (row, "TC") cell has a run."""
    has_tc = any(d == CLUTTERED for _, d in cells)
    return ALL_COLUMNS if has_tc else COLUMNS


def with_epochs(recipe, epochs):
    """The recipe shortened or lengthened to ``epochs``, the lr still divided by 10 halfway."""
    return dict(recipe, epochs=epochs, lr_step=max(1, epochs // 2))


@dataclass(frozen=True)
class Job:
    row: str            # the paper's row label, e.g. "ST-CNN TPS"
    model: str          # ministn model name, e.g. "st-cnn"
    transform: str
    distortion: str
    seed: int

    @property
    def cell(self):
        """File-name friendly cell id, e.g. 'st-cnn-tps_E' or 'cnn_RTS'."""
        name = self.model if not self.model.startswith("st-") else f"{self.model}-" + {
            "affine": "aff", "projective": "proj", "tps": "tps"}[self.transform]
        return f"{name}_{self.distortion}"

    @property
    def name(self):
        return f"{self.cell}_s{self.seed}"

    def config(self, recipe):
        """The TrainConfig fields of this job."""
        return dict(recipe, model=self.model, transform=self.transform,
                    distortion=self.distortion, seed=self.seed)


def jobs(seeds, rows=None, distortions=COLUMNS):
    """Every (cell, seed), seed-major: seed 0 of every cell first, then seed 1, ...

    Within a seed the order is distortion-major (all of R, then RTS, ...), so a stopped run
    still leaves whole columns. rows: row labels to keep (default all eight).
    """
    keep = [r for r in ROWS if rows is None or r[0] in rows]
    return [Job(label, model, transform, d, seed)
            for seed in range(seeds) for d in distortions for label, model, transform in keep]
