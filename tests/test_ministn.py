"""``import ministn``: the public names the README and the lessons use, and the version."""
import importlib
import pathlib
import re

import ministn

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_the_public_names_are_at_the_top_level():
    from ministn import autograd, backend, errors
    gradcheck = importlib.import_module("ministn.gradcheck")   # the name ministn.gradcheck is the function
    assert ministn.Tensor is autograd.Tensor and ministn.tensor is autograd.tensor
    assert ministn.Function is autograd.Function and ministn.no_grad is autograd.no_grad
    assert ministn.is_grad_enabled is autograd.is_grad_enabled
    assert ministn.gradcheck is gradcheck.gradcheck and ministn.MinistnError is errors.MinistnError
    assert ministn.manual_seed is backend.manual_seed and ministn.gpu_available is backend.gpu_available
    for package in ("functional", "nn", "optim", "reference"):
        assert getattr(ministn, package).__name__ == f"ministn.{package}"


def test_the_version_is_the_packages():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^version = "([^"]+)"', pyproject, re.M)[1] == ministn.__version__
