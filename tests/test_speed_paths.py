"""The fast paths of issue 7 keep their semantics: max pooling's tie rule, the batch-last views
between layers, the sampler's add.at scatter, and the allocator helper."""
import numpy as np
import pytest

import ministn.functional as F
from ministn import Tensor
from ministn.backend import tune_allocator
from ministn.functional.im2col import from_batch_last, to_batch_last
from ministn.functional.pool import first_maximum


def test_max_pool2d_gives_a_tie_to_the_first_maximum_in_the_window():
    # windows (row-major taps): all equal; max at taps 1 and 3; max at taps 2 and 3
    x = Tensor(np.array([[[[4.0, 4.0, 0.0, 9.0, 1.0, 2.0],
                           [4.0, 4.0, 0.0, 9.0, 7.0, 7.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).backward(np.array([[[[1.0, 2.0, 3.0]]]]))
    np.testing.assert_array_equal(x.grad, [[[[1.0, 0.0, 0.0, 2.0, 0.0, 0.0],
                                              [0.0, 0.0, 0.0, 0.0, 3.0, 0.0]]]])


def test_max_pool2d_tie_rule_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).integers(0, 3, (2, 3, 6, 6)).astype(np.float64)  # many ties
    upstream = np.random.default_rng(1).standard_normal((2, 3, 3, 3))
    ours = Tensor(x, requires_grad=True)
    F.max_pool2d(ours, 2).backward(upstream)
    theirs = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(theirs, 2).backward(torch.tensor(upstream))
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_first_maximum_counts_the_leading_taps_below_the_maximum():
    taps = np.array([[1, 5, 5, 0], [3, 5, 2, 0], [3, 1, 5, 0]], dtype=np.float32)  # (taps, 4)
    winner = first_maximum(taps, taps.max(axis=0))
    assert winner.dtype == np.uint8
    np.testing.assert_array_equal(winner, [1, 0, 0, 0])


def test_a_batch_last_view_goes_back_without_a_copy():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5, 2)
    view = from_batch_last(x)
    assert view.shape == (2, 3, 4, 5) and np.shares_memory(view, x)
    assert np.shares_memory(to_batch_last(view), x)
    np.testing.assert_array_equal(to_batch_last(np.ascontiguousarray(view)), x)


def test_sampler_input_gradient_keeps_the_dtype_and_equals_float64_in_float32():
    rng = np.random.default_rng(3)
    U, grid = rng.standard_normal((3, 4, 9, 7)), rng.uniform(-1.3, 1.3, (3, 8, 6, 2))
    upstream = rng.standard_normal((3, 4, 8, 6))
    grads = {}
    for dtype in (np.float32, np.float64):
        u = Tensor(U.astype(dtype), requires_grad=True)
        F.grid_sample(u, grid.astype(dtype)).backward(upstream.astype(dtype))
        assert u.grad.dtype == dtype
        grads[dtype] = u.grad
    np.testing.assert_allclose(grads[np.float32], grads[np.float64], rtol=1e-5, atol=1e-5)


def test_tune_allocator_is_a_harmless_yes_or_no():
    assert tune_allocator() in (True, False)
    assert F.relu(Tensor(np.ones(10**6, np.float32))).data.sum() == 10**6


@pytest.mark.parametrize("dtype, size, far", [(np.float32, 4096, 4095), (np.float64, 4096, 4095),
                                              (np.float16, 64, 63)])
def test_tap_corner_index_is_exact_past_the_floats_exact_integers(dtype, size, far):
    """The flat tap index (j + 2)(W + 4) + (i + 2) must be exact where the float type cannot hold
    it (float32 holds integers exactly only up to 2^24, float16 up to 2^11; 4097 * 4100 + 4097 =
    16,801,797 and 65 * 68 + 65 = 4485 are odd): each axis's position is converted to int64 on
    its own and the index formed in int64 (docs §11.3)."""
    from ministn.functional.sampler_taps import make_taps, tap_index
    grid = np.array([[[[1, 1], [-1, -1]]]], dtype)        # the far corner and pixel (0, 0)
    taps = make_taps(grid, "nearest", "zeros", True, (size, size), 1)
    W = size + 4
    assert tap_index(taps).dtype == np.int64
    assert tap_index(taps).reshape(-1).tolist() == [(far + 2) * W + far + 2, 2 * W + 2]
    taps = make_taps(grid.astype(dtype), "bilinear", "border", True, (27, 28), 3)  # a 27x28 image
    assert tap_index(taps)[0, :, 1].tolist() == [2 * 32 + 2, 2 * 32 + 3, 3 * 32 + 2, 3 * 32 + 3]
