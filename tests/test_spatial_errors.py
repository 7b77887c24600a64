"""Bad arguments to the spatial ops raise clear errors that name the argument (docs §9)."""
import numpy as np
import pytest

from ministn.functional import affine_grid, grid_sample, perspective_grid, tps_grid

U = np.zeros((2, 3, 4, 5))
GRID = np.zeros((2, 3, 3, 2))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_grid_sample_rejects_non_finite_grid(bad):
    grid = GRID.copy()
    grid[1, 2, 0, 1] = bad
    with pytest.raises(ValueError, match=r"grid contains non-finite .* index \(1, 2, 0, 1\)"):
        grid_sample(U, grid)


@pytest.mark.parametrize("make, argument", [
    (lambda t: affine_grid(t, (2, 1, 3, 3)), np.zeros((2, 2, 3))),
    (lambda t: perspective_grid(t, (2, 1, 3, 3)), np.tile(np.eye(3), (2, 1, 1))),
    (lambda t: tps_grid(t, (2, 1, 3, 3)), np.zeros((2, 16, 2))),
])
def test_generators_reject_non_finite_parameters(make, argument):
    argument = argument.copy()
    argument.reshape(-1)[3] = np.nan
    with pytest.raises(ValueError, match=r"(theta|offsets) contains non-finite"):
        make(argument)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(input=np.zeros((3, 4, 5))), ValueError, r"input must be 4-D .* or 5-D"),
    (dict(grid=np.zeros((2, 3, 3, 3))), ValueError, r"grid's last dimension must be 2"),
    (dict(grid=np.zeros((2, 3, 3))), ValueError, r"grid must be 4-D"),
    (dict(grid=np.zeros((1, 3, 3, 2))), ValueError, r"grid has batch size 1 but input has 2"),
    (dict(input=np.zeros((2, 3, 0, 5))), ValueError, r"non-empty spatial dimensions"),
    (dict(grid=GRID.astype(np.float32)), TypeError, r"grid must have the same dtype as input"),
    (dict(input=U.astype(np.int64)), TypeError, r"input must have a floating-point dtype"),
    (dict(mode="cubic"), ValueError, r"mode must be one of 'bilinear', 'nearest', 'bicubic'"),
    (dict(padding_mode="wrap"), ValueError, r"padding_mode must be one of"),
    (dict(align_corners="yes"), TypeError, r"align_corners must be True or False"),
    (dict(input=[[1.0]]), TypeError, r"input must be a Tensor or an array"),
])
def test_grid_sample_argument_errors(kwargs, error, message):
    arguments = dict(input=U, grid=GRID) | kwargs
    with pytest.raises(error, match=message):
        grid_sample(**arguments)


@pytest.mark.parametrize("theta, size, error, message", [
    (np.zeros((2, 3, 3)), (2, 1, 4, 4), ValueError, r"theta must have shape \(N, 2, 3\)"),
    (np.zeros((3, 2, 3)), (2, 1, 4, 4), ValueError, r"theta has batch size 3 but size\[0\] is 2"),
    (np.zeros((2, 2, 3)), (2, 1, 0, 4), ValueError, r"size entries must be positive"),
    (np.zeros((2, 2, 3)), (2, 1, 4), ValueError, r"size must have 4 or 5 entries"),
    (np.zeros((2, 2, 3)), (2, 1, 4, 4, 4), ValueError, r"theta must have shape \(N, 3, 4\)"),
    (np.zeros((2, 2, 3)), (2, 1, 4.0, 4), TypeError, r"size entries must be ints"),
    (np.zeros((2, 2, 3), dtype=np.int64), (2, 1, 4, 4), TypeError, r"theta must have a floating-point"),
])
def test_affine_grid_argument_errors(theta, size, error, message):
    with pytest.raises(error, match=message):
        affine_grid(theta, size)


def test_perspective_grid_names_theta_and_the_sample_when_w_is_not_positive():
    theta = np.tile(np.eye(3), (3, 1, 1))
    theta[2, 2, 0] = 1.5                                     # w = 1.5 x + 1 <= 0 at x <= -2/3
    with pytest.raises(ValueError, match=r"theta\[2\] gives a non-positive homogeneous denominator"):
        perspective_grid(theta, (3, 1, 4, 6), align_corners=True)
    with pytest.raises(ValueError, match=r"theta must have shape \(N, 3, 3\) or \(N, 8\)"):
        perspective_grid(np.zeros((3, 6)), (3, 1, 4, 6))


def test_tps_grid_argument_errors():
    with pytest.raises(ValueError, match=r"offsets must have shape \(N, 9, 2\) for grid_size=3"):
        tps_grid(np.zeros((1, 16, 2)), (1, 1, 4, 4), grid_size=3)
    with pytest.raises(ValueError, match=r"grid_size must be an int >= 2"):
        tps_grid(np.zeros((1, 1, 2)), (1, 1, 4, 4), grid_size=1)
    with pytest.raises(ValueError, match=r"offsets has batch size 1 but size\[0\] is 2"):
        tps_grid(np.zeros((1, 16, 2)), (2, 1, 4, 4))
