"""The argument checks shared by the spatial ops (docs §9): each names the op, the argument, what
was expected and what came (the ops' own bad-argument tests are in their test files)."""
import numpy as np
import pytest

from ministn.functional._spatial_checks import check_align_corners, check_batch, check_finite, check_size


def test_check_finite_names_the_first_non_finite_element():
    x = np.zeros((2, 3, 4))
    x[1, 2, 3], x[0, 1, 0] = np.inf, np.nan
    with pytest.raises(ValueError, match=r"^op: theta contains non-finite values \(NaN or inf\), "
                                         r"first at index \(0, 1, 0\)$"):
        check_finite(x, "theta", "op")
    check_finite(np.full(3, 1e308), "theta", "op")               # huge is finite


def test_check_finite_on_the_gpu(gpu):
    x = gpu.asarray(np.array([0.0, -np.inf]))
    with pytest.raises(ValueError, match=r"grid contains non-finite .* index \(1,\)"):
        check_finite(x, "grid", "grid_sample")


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), (None, False),
                                             (np.bool_(True), True)])
def test_align_corners_is_a_bool_and_none_means_false(value, expected):
    assert check_align_corners(value, "op") is expected


@pytest.mark.parametrize("value", [1, 0, "True", 1.0])
def test_align_corners_of_another_type_is_refused(value):
    with pytest.raises(TypeError, match=r"op: align_corners must be True or False"):
        check_align_corners(value, "op")


def test_size_becomes_a_tuple_of_python_ints():
    size = check_size(np.array([2, 1, 4, 5]), "op")
    assert size == (2, 1, 4, 5) and all(type(s) is int for s in size)


@pytest.mark.parametrize("size, error, message", [
    (7, TypeError, r"size must be a sequence \(N, C, H, W\), got 7"),
    ((1, 1, 4), ValueError, r"size must have 4 entries"),
    ((1, 1, 2, 4, 4), NotImplementedError, r"5-D \(volumetric\) sizes are not implemented"),
    ((1, 1, True, 4), TypeError, r"size entries must be ints"),
    ((1, 0, 4, 4), ValueError, r"size entries must be positive"),
])
def test_bad_sizes_are_named(size, error, message):
    with pytest.raises(error, match=r"^op: " + message):
        check_size(size, "op")


def test_check_batch_compares_the_first_dimension_with_size():
    check_batch(np.zeros((3, 2, 3)), "theta", 3, "op")
    with pytest.raises(ValueError, match=r"^op: theta has batch size 2 but size\[0\] is 3$"):
        check_batch(np.zeros((2, 2, 3)), "theta", 3, "op")
