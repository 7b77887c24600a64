"""Hypothesis strategies for the foundation ops: shapes, options and inputs built away from kinks.

Values come from a NumPy generator seeded by hypothesis (fast, and shrinks to small shapes and
seeds). Inputs near non-differentiable points are never filtered out: they are never produced.

    away_from_zero:   |x| >= margin, for relu (kink at 0), with margin >> gradcheck's eps
    well_separated:   a random permutation of values spaced `gap` apart, so every max-pool
                      window has a unique maximum that a +-eps perturbation cannot change
    positive:         x in [low, high], low > 0, for log, division, fractional powers
"""
import numpy as np
from hypothesis import strategies as st

seeds = st.integers(0, 2**32 - 1)


def generator(seed):
    return np.random.default_rng(seed)


def normal(rng, shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def away_from_zero(rng, shape, margin=0.1, dtype=np.float64):
    """Values in +-[margin, margin + 2]: never within margin of relu's kink."""
    magnitude = margin + 2 * rng.random(shape)
    return (np.where(rng.random(shape) < 0.5, -1, 1) * magnitude).astype(dtype)


def well_separated(rng, shape, gap=0.1, dtype=np.float64):
    """All values distinct and at least ``gap`` apart (a shuffled, centred arithmetic sequence)."""
    size = int(np.prod(shape))
    values = (rng.permutation(size) - size / 2) * gap
    return values.reshape(shape).astype(dtype)


def positive(rng, shape, low=0.5, high=2.0, dtype=np.float64):
    return rng.uniform(low, high, shape).astype(dtype)


@st.composite
def shapes(draw, min_dims=0, max_dims=3, max_side=4):
    return tuple(draw(st.lists(st.integers(1, max_side), min_size=min_dims, max_size=max_dims)))


@st.composite
def broadcast_shapes(draw):
    """Two shapes that broadcast together: y drops leading axes of x and squeezes some to 1."""
    x_shape = draw(shapes(min_dims=1))
    dropped = draw(st.integers(0, len(x_shape)))
    y_shape = tuple(1 if draw(st.booleans()) else n for n in x_shape[dropped:])
    return (x_shape, y_shape) if draw(st.booleans()) else (y_shape, x_shape)


@st.composite
def reductions(draw, shape):
    """An ``axis`` argument for sum/mean on ``shape`` (None, an int, negative ints, or a tuple)."""
    ndim = len(shape)
    if ndim == 0 or draw(st.booleans()):
        return None
    axes = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                         unique_by=lambda a: a % ndim))
    return axes[0] if len(axes) == 1 else tuple(axes)


@st.composite
def conv_cases(draw, max_side=6):
    """Shapes and options of a conv2d call whose kernel fits the padded input."""
    N, C, F = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding, stride = draw(st.integers(0, 2)), draw(st.integers(1, 3))
    H = draw(st.integers(max(1, kh - 2 * padding), max_side))
    W = draw(st.integers(max(1, kw - 2 * padding), max_side))
    return dict(x_shape=(N, C, H, W), w_shape=(F, C, kh, kw), stride=stride, padding=padding,
                bias=draw(st.booleans()), seed=draw(seeds))


@st.composite
def pool_cases(draw, max_side=7):
    """Shapes and options of a pooling call; padding <= kernel // 2 as PyTorch requires."""
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.integers(0, min(kh, kw) // 2))
    stride = draw(st.none() | st.integers(1, 3))
    H = draw(st.integers(max(1, kh - 2 * padding), max_side))
    W = draw(st.integers(max(1, kw - 2 * padding), max_side))
    kernel_size = kh if kh == kw and draw(st.booleans()) else (kh, kw)
    return dict(x_shape=(N, C, H, W), kernel_size=kernel_size, stride=stride, padding=padding,
                seed=draw(seeds))


@st.composite
def classification_cases(draw):
    """Logits (N, classes), integer targets and a reduction name.

    Logits lie in [-2, 2], so no probability is below e^-4 / K: a loss on a confidently right
    sample has a gradient so small that central differences would measure rounding instead.
    """
    N, K = draw(st.integers(1, 5)), draw(st.integers(1, 6))
    seed = draw(seeds)
    rng = generator(seed)
    return dict(logits=rng.uniform(-2, 2, (N, K)), target=rng.integers(0, K, N),
                reduction=draw(st.sampled_from(["mean", "sum", "none"])), seed=seed)
