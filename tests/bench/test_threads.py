"""Pinning NumPy's BLAS threads for a fair comparison: the environment a re-run gets, and how the
pinning was done (threadpoolctl, the variables, or not at all)."""
import sys

from ministn.bench.threads import BLAS_VARIABLES, blas_environment, pin_numpy


def test_the_environment_sets_every_blas_variable_and_keeps_the_rest(monkeypatch):
    monkeypatch.setenv("MINISTN_TEST_VARIABLE", "kept")
    env = blas_environment(3)
    assert all(env[name] == "3" for name in BLAS_VARIABLES)
    assert env["MINISTN_TEST_VARIABLE"] == "kept"


def test_without_threadpoolctl_the_variables_decide(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)          # import fails
    for name in BLAS_VARIABLES:
        monkeypatch.setenv(name, "2")
    assert pin_numpy(2) == "environment"
    assert pin_numpy(4) is None
    monkeypatch.delenv(BLAS_VARIABLES[0])
    assert pin_numpy(2) is None
