"""Case and result files: the shipped worked example holds the README's numbers, results round
trip through save_result and load_case, and a case over the size limit is refused unread."""
import os

import numpy as np
import pytest

from ministn.errors import MinistnError
from ministn.reference import load_case, save_result

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "reference")


def test_worked_example_values_by_hand():
    """README numbers: centre (3.5), a fold above the image (3.25), the right edge (4.875)."""
    result = load_case(os.path.join(EXAMPLES, "grid_sample_result.npz"))
    np.testing.assert_allclose(result["output"].reshape(-1), [3.5, 3.25, 4.875], atol=1e-15)
    np.testing.assert_allclose(result["grad_grid"].reshape(-1, 2), [[1, 1.5], [2, -3], [0, 4.5]], atol=1e-15)


def test_a_result_round_trips_through_save_result_and_load_case(tmp_path):
    result = {"grid": np.arange(12.0).reshape(1, 2, 3, 2), "size": np.array([1, 1, 2, 3]),
              "align_corners": False}
    save_result(tmp_path / "r.npz", result)
    back = load_case(tmp_path / "r.npz")
    assert sorted(back) == sorted(result) and back["grid"].dtype == np.float64
    for key in result:
        np.testing.assert_array_equal(back[key], result[key])
    assert [p.name for p in tmp_path.iterdir()] == ["r.npz"]          # no temporary left behind


def test_a_case_over_the_size_limit_is_refused_naming_the_array(tmp_path):
    np.savez(tmp_path / "big.npz", input=np.zeros((64, 64)))
    with pytest.raises(MinistnError, match=r"case .*big.npz: array 'input' declares shape \(64, 64\) "
                                           r"float64, 32.0 KB .*raise it with --max-mb"):
        load_case(tmp_path / "big.npz", max_bytes=1024)
    assert load_case(tmp_path / "big.npz", max_bytes=64 * 64 * 8)["input"].shape == (64, 64)
