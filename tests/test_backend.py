"""backend: which array module an array lives in, moving arrays between devices, the seeded
random streams, and the allocator tuning. The ``gpu`` fixture is CuPy on a GPU, else
tests/fake_cupy.py (see conftest.py)."""
import numpy as np
import pytest

import ministn.functional as F
from ministn import Tensor
from ministn.backend import (check_device, device_of, get_array_module, get_rng_state, gpu_available,
                             manual_seed, rng, set_rng_state, synchronize, to_device, to_numpy,
                             tune_allocator)


def test_numpy_arrays_and_python_values_belong_to_numpy():
    assert get_array_module(np.zeros(2)) is np and get_array_module(1.5, [1, 2]) is np
    assert device_of(np.zeros(2)) == "cpu"


def test_an_array_on_the_gpu_gives_the_gpus_module(gpu):
    on_gpu = gpu.asarray(np.arange(3.0))
    assert get_array_module(np.zeros(2), on_gpu) is gpu and device_of(on_gpu) == "gpu"


def test_to_device_and_to_numpy_move_arrays_and_keep_their_values(gpu):
    host = np.arange(6.0).reshape(2, 3)
    on_gpu = to_device(host, "gpu")
    assert type(on_gpu) is gpu.ndarray
    back = to_device(on_gpu, "cpu")
    assert type(back) is np.ndarray and np.array_equal(back, host)
    assert type(to_numpy(on_gpu)) is np.ndarray and to_numpy(host) is host
    synchronize()                                          # waits on a GPU; harmless without one


def test_an_unknown_device_is_named():
    with pytest.raises(ValueError, match=r"device must be one of \('cpu', 'gpu'\), got 'tpu'"):
        check_device("tpu")


@pytest.mark.skipif(gpu_available(), reason="a GPU is present")
def test_the_gpu_without_cupy_is_one_clear_error():
    with pytest.raises(RuntimeError, match="device='gpu' needs CuPy and a CUDA device"):
        to_device(np.zeros(2), "gpu")


def test_manual_seed_makes_the_stream_reproducible():
    manual_seed(7)
    first = rng().random(5)
    manual_seed(7)
    assert np.array_equal(rng().random(5), first)
    manual_seed(8)
    assert not np.array_equal(rng().random(5), first)


def test_rng_state_round_trip_resumes_the_stream():
    manual_seed(1)
    rng().random(3)
    state = get_rng_state()
    expected = rng().random(4)
    manual_seed(99)
    set_rng_state(state)
    assert np.array_equal(rng().random(4), expected)


def test_the_gpu_stream_lives_on_the_gpu_and_follows_manual_seed(gpu):
    manual_seed(5)
    first = rng(gpu).random(4)
    assert type(first) is gpu.ndarray
    manual_seed(5)
    assert np.array_equal(to_numpy(rng(gpu).random(4)), to_numpy(first))


def test_tune_allocator_is_a_harmless_yes_or_no():
    assert tune_allocator() in (True, False)
    assert F.relu(Tensor(np.ones(10**6, np.float32))).data.sum() == 10**6
