"""A user's own script gets the allocator the train command gets: ministn raises glibc's malloc
thresholds on its first op (not on import), unless MINISTN_TUNE_MALLOC=0.

The probe is behavioural: in a fresh process, allocate, touch and free 64 MiB. glibc with its
default settings maps so large a block on its own and unmaps it on free, so the resident size
falls back; with ministn's thresholds the block comes from the heap and stays in the process."""
import os
import pathlib
import platform
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or
                                not os.path.exists("/proc/self/status"),
                                reason="the probe needs glibc and Linux's /proc")

PROBE = """
import numpy as np
def resident_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
def kept_after_free():
    before = resident_mib()
    block = np.ones(8 * 2**20)          # 64 MiB, every page written
    del block
    return resident_mib() - before > 32
"""

USER_STEP = """
import ministn
from ministn import nn, optim, functional as F
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
optimizer = optim.SGD(model.parameters(), lr=0.1)
loss = F.cross_entropy(model(np.ones((5, 4), np.float32)), np.array([0, 1, 2, 0, 1]))
optimizer.zero_grad()
loss.backward()
optimizer.step()
"""


def kept(script, **environment):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **environment)
    env.pop("MALLOC_MMAP_THRESHOLD_", None), env.pop("MALLOC_TRIM_THRESHOLD_", None)
    done = subprocess.run([sys.executable, "-c", PROBE + script + "\nprint(kept_after_free())"],
                          env=env, capture_output=True, text=True, check=True)
    return done.stdout.split()[-1] == "True"


def test_the_probe_sees_glibcs_default_give_memory_back():
    assert not kept("")


def test_the_train_commands_setting_keeps_the_memory():
    assert kept("from ministn.backend import tune_allocator\nassert tune_allocator()")


def test_a_users_own_training_step_gets_the_same_setting():
    assert kept(USER_STEP + "assert ministn.backend.allocator_tuned()")


def test_importing_ministn_changes_nothing():
    assert kept("import ministn\nassert not ministn.backend.allocator_tuned()") is False


def test_ministn_tune_malloc_0_opts_out():
    assert not kept(USER_STEP + "assert not ministn.backend.allocator_tuned()",
                    MINISTN_TUNE_MALLOC="0")
