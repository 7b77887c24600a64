"""The facts a measurement records about its machine: CPU model, usable cores, load."""
import os

import pytest

from ministn import machine


def test_cpu_model_is_a_name():
    name = machine.cpu_model()
    assert isinstance(name, str) and name and "\n" not in name


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity here")
def test_available_cores_are_those_of_the_affinity_mask(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5})
    assert machine.available_cores() == 3


def test_load_average_is_a_rounded_number_or_none_where_there_is_none(monkeypatch):
    monkeypatch.setattr(os, "getloadavg", lambda: (1.23456, 2.0, 3.0))
    assert machine.load_average() == 1.23

    def unavailable():
        raise OSError("no load average")
    monkeypatch.setattr(os, "getloadavg", unavailable)
    assert machine.load_average() is None


def test_describe_machine_names_cpu_cores_and_blas_threads(monkeypatch):
    monkeypatch.setattr(machine, "cpu_model", lambda: "Test CPU 3000")
    monkeypatch.setattr(machine, "available_cores", lambda: 4)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert machine.describe_machine() == "Test CPU 3000, 4 cores, BLAS threads 2"
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    assert machine.describe_machine().endswith("BLAS threads default")
