"""Shared test setup: hypothesis profiles and the device fixtures (``xp``, ``gpu``)."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import fake_cupy

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", deadline=None, max_examples=300,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _real_cupy():
    """CuPy where it imports and sees a CUDA GPU, else None."""
    try:
        import cupy
        return cupy if cupy.cuda.runtime.getDeviceCount() > 0 else None
    except Exception:
        return None


REAL_CUPY = _real_cupy()
GPU_ID = "cupy" if REAL_CUPY is not None else "fake_cupy"


def use_gpu(monkeypatch):
    """The module that plays the GPU in this test: CuPy on a GPU, else tests/fake_cupy.py
    (NumPy arrays that refuse to mix with host arrays), installed for this test only."""
    if REAL_CUPY is not None:
        return REAL_CUPY
    fake_cupy.install(monkeypatch)
    return fake_cupy


@pytest.fixture(params=[pytest.param("cpu", id="numpy"), pytest.param("gpu", id=GPU_ID)])
def xp(request, monkeypatch):
    """The array module under test: numpy, then the GPU's (CuPy, or fake_cupy without a GPU)."""
    return np if request.param == "cpu" else use_gpu(monkeypatch)


@pytest.fixture
def gpu(monkeypatch):
    """For tests of the 'gpu' device: its array module (CuPy, or fake_cupy without a GPU)."""
    return use_gpu(monkeypatch)


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory):
    """An uninterrupted two-epoch run on rotated digits (dropout, shuffling, R distortion), trained
    once and shared by the tests of train --resume, evaluate, show and fit."""
    from tiny_runs import train
    out = tmp_path_factory.mktemp("runs") / "straight"
    assert train(out, "--epochs", "2", "--distortion", "R") == 0
    return out
