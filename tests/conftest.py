"""Shared test setup: hypothesis profiles and the array-module fixture."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", deadline=None, max_examples=300,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _backends():
    params = [pytest.param(np, id="numpy")]
    try:
        import cupy
        if cupy.cuda.runtime.getDeviceCount() > 0:
            params.append(pytest.param(cupy, id="cupy"))
    except Exception:
        pass
    return params


@pytest.fixture(params=_backends())
def xp(request):
    """The array module under test: numpy, and cupy where a GPU exists."""
    return request.param
