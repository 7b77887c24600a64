"""A transformer inside the network, on RTS digits (42x42): where should it sit?

    CNN                     the tutorial's classifier, sized for 42x42 (models/midnet.py)
    ST on the input         an affine transformer before the first convolution
    ST on the feature maps  an affine transformer before the second convolution, warping the
                            10 feature maps of the first

The paper puts transformers on feature maps for street-view numbers (ST-CNN Multi, section
4.2); this experiment asks on digits whether one there helps the classifier, and by how much
beside one on the input. Public work argues a transformer on feature maps cannot in general
make them invariant (a warp of the maps is not a warp of the image once the maps are
pooled); this measures it. Recipe: Table 1's (table1.RECIPE) on RTS, 3 seeds.
"""
from .rows_report import claim_beats
from .table1 import QUICK, RECIPE, Job  # noqa: F401 (the recipe this experiment uses)

ROWS = (("CNN", "small-cnn", "affine"), ("ST on the input", "small-st-input", "affine"),
        ("ST on the feature maps", "small-st-feature", "affine"))
DISTORTION = "RTS"


def jobs(seeds, rows=None):
    """Every (model, seed), seed-major; rows: row labels to keep (default all three)."""
    keep = [r for r in ROWS if rows is None or r[0] in rows]
    return [Job(label, model, transform, DISTORTION, seed)
            for seed in range(seeds) for label, model, transform in keep]


def claims(cells):
    """Does a transformer help, on the input or on the feature maps, and which place is better?"""
    cnn, on_input, on_maps = (label for label, _, _ in ROWS)
    return [claim_beats(cells, on_input, cnn, DISTORTION),
            claim_beats(cells, on_maps, cnn, DISTORTION),
            claim_beats(cells, on_maps, on_input, DISTORTION),
            claim_beats(cells, on_input, on_maps, DISTORTION)]
