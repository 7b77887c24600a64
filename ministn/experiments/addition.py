"""MNIST addition (Jaderberg et al. 2015, appendix A.1): the sum of two RTS-distorted digits.

    input   (N, 2, 42, 42): each channel one digit, rotated, scaled and placed on its own
    target  their sum, 19 classes
    models  FCN, CNN, ST-FCN, 2xST-FCN, 2xST-CNN, about the same number of parameters each
            (ministn/models/addition.py); affine transformers

The paper reports test errors FCN 47.7%, CNN 14.7%, ST-FCN 18.5% and 2xST-FCN 5.8%: two
transformers in parallel co-adapt, each attending to one channel's digit. It gives no
2xST-CNN number; ministn trains one as the convolutional counterpart.

Recipe: Table 1's (table1.RECIPE), with task "addition": the bundled 6,000 training digits,
each paired every epoch with a fresh random partner and both distorted afresh; the test set is
the 10,000 test digits, each with a fixed partner, distorted once (distortions/pairs.py).
A job is one (model, seed); the jobs are the same Job records as Table 1's, on "RTS".
"""
from .report import beats
from .table1 import QUICK as TABLE1_QUICK, RECIPE as TABLE1_RECIPE, Job

ROWS = (("FCN", "fcn", "affine"), ("CNN", "cnn", "affine"), ("ST-FCN", "st-fcn", "affine"),
        ("2xST-FCN", "2xst-fcn", "affine"), ("2xST-CNN", "2xst-cnn", "affine"))
PAPER = {"FCN": 47.7, "CNN": 14.7, "ST-FCN": 18.5, "2xST-FCN": 5.8, "2xST-CNN": None}
PAPER_ROWS = ("FCN", "CNN", "ST-FCN", "2xST-FCN")   # the four the paper reports
RECIPE = dict(TABLE1_RECIPE, task="addition")
QUICK = dict(TABLE1_QUICK, task="addition")


def jobs(seeds, rows=None):
    """Every (model, seed), seed-major; rows: row labels to keep (default all five)."""
    keep = [r for r in ROWS if rows is None or r[0] in rows]
    return [Job(label, model, transform, "RTS", seed)
            for seed in range(seeds) for label, model, transform in keep]


def claims(cells):
    """The paper's ordering: 2xST-FCN lowest of its four models beyond the spread, FCN highest."""
    d = "RTS"
    present = {label: cells[(label, d)]["mean"] for label in PAPER_ROWS if (label, d) in cells}
    if len(present) < len(PAPER_ROWS):
        missing = ", ".join(sorted(set(PAPER_ROWS) - set(present)))
        return [("2xST-FCN has the lowest mean test error of the paper's four models, by more "
                 "than the seed spread", None, [f"not yet run: {missing}"]),
                ("FCN has the highest mean test error of the four", None,
                 [f"not yet run: {missing}"])]
    ranked = sorted(present, key=present.get)
    best, runner_up, worst = ranked[0], ranked[1], ranked[-1]
    holds, text = beats(cells, "2xST-FCN", best if best != "2xST-FCN" else runner_up, d)
    order = ", ".join(f"{label} {present[label]:.2f}%" for label in ranked)
    return [("2xST-FCN has the lowest mean test error of the paper's four models, by more "
             "than the seed spread", holds if best == "2xST-FCN" else False,
             [f"lowest to highest: {order}", text]),
            ("FCN has the highest mean test error of the four", worst == "FCN",
             [f"highest: {worst} {present[worst]:.2f}%"])]
