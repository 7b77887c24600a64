"""The float64 reference's cases (ministn.reference.run_case): each op's result equals the op's own
output and gradients, and a bad case is one CaseError line."""
import numpy as np
import pytest

from ministn import Tensor
from ministn.functional import grid_sample, perspective_grid, tps_grid
from ministn.reference import CaseError, run_case


def test_grid_sample_case_matches_the_op_with_defaults():
    rng = np.random.default_rng(0)
    case = dict(input=rng.standard_normal((2, 3, 4, 5)).astype(np.float32),
                grid=rng.uniform(-1.5, 1.5, (2, 3, 2, 2)))
    result = run_case("grid_sample", case)
    U, G = Tensor(case["input"].astype(np.float64), requires_grad=True), Tensor(case["grid"], requires_grad=True)
    V = grid_sample(U, G)
    V.backward(np.ones(V.shape))
    assert result["output"].dtype == result["grad_input"].dtype == result["grad_grid"].dtype == np.float64
    np.testing.assert_array_equal(result["output"], V.data)
    np.testing.assert_array_equal(result["grad_input"], U.grad)
    np.testing.assert_array_equal(result["grad_grid"], G.grad)
    assert (result["mode"], result["padding_mode"], result["align_corners"]) == ("bilinear", "zeros", False)


def test_generator_cases():
    rng = np.random.default_rng(1)
    upstream = rng.standard_normal((1, 3, 4, 2))
    H = np.eye(3) + 0.1 * rng.standard_normal((1, 3, 3))
    result = run_case("perspective_grid", dict(theta=H, size=[1, 1, 3, 4], grad_output=upstream,
                                               align_corners=True))
    theta = Tensor(H, requires_grad=True)
    perspective_grid(theta, (1, 1, 3, 4), True).backward(upstream)
    np.testing.assert_array_equal(result["grad_theta"], theta.grad)
    offsets = rng.uniform(-0.2, 0.2, (1, 9, 2))
    result = run_case("tps_grid", dict(offsets=offsets, size=np.array([1, 1, 3, 4])))
    assert result["grid_size"] == 3
    np.testing.assert_array_equal(result["grid"], tps_grid(offsets, (1, 1, 3, 4), grid_size=3).data)
    assert result["grad_offsets"].shape == (1, 9, 2)


@pytest.mark.parametrize("op, case, message", [
    ("grid_sample", dict(grid=np.zeros((1, 1, 1, 2))), "missing key 'input'"),
    ("grid_sample", dict(input=np.zeros((1, 4, 4)), grid=np.zeros((1, 1, 1, 2))), "'input' must be 4-D"),
    ("grid_sample", dict(input=np.zeros((1, 1, 4, 4)), grid=np.zeros((1, 1, 1, 2)),
                         grad_output=np.zeros((1, 1, 2, 2))), "'grad_output' must have the output's shape"),
    ("grid_sample", dict(input=np.zeros((1, 1, 4, 4)), grid=np.zeros((1, 1, 1, 2)), mode="cubic"),
     "'mode' must be one of"),
    ("grid_sample", dict(input=np.zeros((1, 1, 4, 4)), grid=np.full((1, 1, 1, 2), np.nan)),
     "grid contains non-finite"),
    ("grid_sample", dict(input=np.zeros((1, 1, 4, 4)), grid=np.zeros((1, 1, 1, 2)), grad_out=1),
     "unknown key"),
    ("affine_grid", dict(theta=np.zeros((1, 2, 3)), size=[1, 1, 2]), "'size' must be 4 non-negative integers"),
    ("affine_grid", dict(theta=np.zeros((1, 3, 3)), size=[1, 1, 2, 2]), "theta must have shape"),
    ("tps_grid", dict(offsets=np.zeros((1, 15, 2)), size=[1, 1, 2, 2]), "offsets must have shape"),
    ("rotate", dict(), "op must be one of"),
])
def test_bad_cases_raise_one_line_case_errors(op, case, message):
    with pytest.raises(CaseError, match=message) as error:
        run_case(op, case)
    assert "\n" not in str(error.value)
