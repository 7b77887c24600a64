"""Maintainer's script: time affine_grid + grid_sample forward and backward, ministn then PyTorch.

    python tools/time_sampler.py [ministn] [torch]        (THREADS=2 for two threads each)

float32, (64, 1, 28, 28) and (64, 16, 60, 60), each library timed alone in its own block (never
alternating runs), warm-up excluded, the median of RUNS (30) calls; threads pinned equal
(THREADS, default 1, set for OpenBLAS, OpenMP and ministn before NumPy is imported). CPU time
at one thread (waiting on a loaded machine is not counted), wall time with more or with WALL=1.
The figures in docs §13.3 (spatial-semantics.md) come from it.
"""
import os
import sys

THREADS = os.environ.get("THREADS", "1")  # THREADS=2 python tools/time_sampler.py: both on 2
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MINISTN_NUM_THREADS"):
    os.environ[name] = THREADS
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ministn.functional as F  # noqa: E402
from ministn import Tensor  # noqa: E402
from ministn.backend import tune_allocator  # noqa: E402

torch.set_num_threads(int(THREADS))
tune_allocator()


def median_ms(step, runs=int(os.environ.get("RUNS", 30)), warmup=5):
    """Median time of one call: CPU time with one thread, wall time with more (CPU time would
    add the threads up)."""
    clock = time.process_time if THREADS == "1" and not os.environ.get("WALL") else time.perf_counter
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        start = clock()
        step()
        times.append(clock() - start)
    return 1e3 * float(np.median(times))


def cases(shape):
    rng = np.random.default_rng(0)
    theta = (np.eye(2, 3) + 0.1 * rng.standard_normal((shape[0], 2, 3))).astype(np.float32)
    x = rng.standard_normal(shape).astype(np.float32)
    up = rng.standard_normal(shape).astype(np.float32)

    def ours():
        X, T = Tensor(x, requires_grad=True), Tensor(theta, requires_grad=True)
        F.grid_sample(X, F.affine_grid(T, shape)).backward(up)

    tx, tt, tu = (torch.tensor(a) for a in (x, theta, up))

    def theirs():
        X, T = tx.clone().requires_grad_(), tt.clone().requires_grad_()
        grid = torch.nn.functional.affine_grid(T, shape, align_corners=False)
        torch.nn.functional.grid_sample(X, grid, align_corners=False).backward(tu)
    return ours, theirs


shapes = [(64, 1, 28, 28), (64, 16, 60, 60)]
which = sys.argv[1:] or ["ministn", "torch"]
for shape in shapes:
    ours, theirs = cases(shape)
    row = [str(shape)]
    if "ministn" in which:
        a = median_ms(ours)
        row.append(f"ministn {a:.2f} ms")
    if "torch" in which:
        b = median_ms(theirs)
        row.append(f"torch {b:.2f} ms")
    if len(which) == 2:
        row.append(f"ratio {a / b:.2f}")
    print("  ".join(row), flush=True)
