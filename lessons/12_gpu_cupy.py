"""Lesson 12: the same code on a GPU, with CuPy.

What you will learn: how ministn runs unchanged on an NVIDIA GPU. CuPy copies NumPy's API onto
the GPU, and every ministn op starts with `xp = get_array_module(inputs)`, so one line such as
`xp.matmul(B, theta)` runs on whichever device holds the data. Moving a model is
`model.to("gpu")`, moving a batch is `tensor.to("gpu")`; nothing else changes. The lesson times
one training step of a small ST-CNN on both devices and checks that they compute the same
numbers.

Without a GPU (no CuPy, or no CUDA device) the lesson says so, times the CPU only, checks that
asking for the GPU fails with a clear message, and still writes its figure, titled
"no GPU found: CPU timings only".

Assumes: lesson 10 (the ST-CNN).
Run:     python lessons/12_gpu_cupy.py          (GPU: pip install -e ".[gpu]")
Writes:  figures/12_gpu_cupy.png (time per training step against batch size, per device)
"""
# %%
import os
import pathlib
import time

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

import ministn
import ministn.functional as F
from ministn import models, optim

QUICK = os.environ.get("MINISTN_QUICK") == "1"
FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))
HAVE_GPU = ministn.gpu_available()
print("GPU found: timing CPU and GPU" if HAVE_GPU else
      "No GPU found (CuPy is not installed or sees no CUDA device): timing the CPU only.")

# %% [markdown]
# The model is lesson 10's ST-CNN (the PyTorch tutorial's network). `make_model` builds it from
# the seeded generator, so two calls give identical weights, one copy for each device.

# %%
def make_model(seed=0):
    ministn.manual_seed(seed)
    return models.build("tutorial")

def train_step(model, optimizer, images, labels):
    loss = F.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()          # .item() copies one number to the host, which waits for the GPU

def seconds_per_step(device, batch, repeats):
    model = make_model().to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    images = ministn.tensor(rng.random((batch, 1, 28, 28), dtype=np.float32)).to(device)
    labels = ministn.tensor(rng.integers(0, 10, batch)).to(device)
    train_step(model, optimizer, images, labels)                    # warm-up (CuPy compiles kernels)
    best = float("inf")
    for _ in range(repeats):                                         # best of a few: other work
        start = time.perf_counter()                                  # on the machine only adds
        train_step(model, optimizer, images, labels)
        best = min(best, time.perf_counter() - start)
    return best

# %% [markdown]
# Timing. A GPU pays a fixed cost per kernel launch, so it wins only once the batch is large
# enough to keep it busy; the CPU's time grows roughly linearly with the batch.

# %%
batches = [8, 32, 128] if QUICK else [8, 32, 128, 512]
devices = ["cpu", "gpu"] if HAVE_GPU else ["cpu"]
repeats = 1 if QUICK else 5
timings = {d: [seconds_per_step(d, b, repeats) for b in batches] for d in devices}
for d in devices:
    print(d, ", ".join(f"batch {b}: {1000 * t:.1f} ms" for b, t in zip(batches, timings[d])))

# %% [markdown]
# Same numbers on both devices. In float64 the CPU and the GPU must agree to rounding: not
# bit for bit, because the GPU adds in a different order (parallel reductions, atomics), but to
# about 1e-12. We compare the logits and every parameter gradient of one forward and backward,
# in evaluation mode (dropout off: each device has its own random stream).

# %%
rng = np.random.default_rng(1)
images64 = rng.random((16, 1, 28, 28))
labels = rng.integers(0, 10, 16)

def logits_and_grads(device):
    model = make_model().astype("float64").to(device).eval()
    loss = F.cross_entropy(model(ministn.tensor(images64).to(device)), labels)
    loss.backward()
    grads = {name: ministn.tensor(p.grad).numpy() for name, p in model.named_parameters()}
    return model(ministn.tensor(images64).to(device)).numpy(), grads

cpu_logits, cpu_grads = logits_and_grads("cpu")
if HAVE_GPU:
    gpu_logits, gpu_grads = logits_and_grads("gpu")
    worst = max(np.abs(cpu_grads[k] - gpu_grads[k]).max() / (np.abs(cpu_grads[k]).max() + 1e-30) for k in cpu_grads)
    print(f"float64, CPU vs GPU: logits differ by {np.abs(cpu_logits - gpu_logits).max():.1e}, "
          f"gradients by at most {worst:.1e} (relative)")
    agreement = np.allclose(cpu_logits, gpu_logits, rtol=1e-10, atol=1e-12) and worst < 1e-9
else:
    try:
        ministn.tensor(images64).to("gpu")
        agreement = False
    except RuntimeError as error:
        print("asking for the GPU fails with a clear message:", error)
        agreement = "pip install" in str(error)

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.6))
for d, marker in zip(devices, ("o-", "s-")):
    ax.loglog(batches, 1000 * np.array(timings[d]), marker, lw=2, ms=7, label=f"{d} ({'CuPy' if d == 'gpu' else 'NumPy'})")
ax.set_xlabel("batch size")
ax.set_ylabel(f"time per training step (ms, best of {repeats})" if repeats > 1 else
              "time per training step (ms, one run)")
ax.set_xticks(batches, [str(b) for b in batches])
ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
ax.legend()
ax.grid(True, which="both", alpha=0.3)
title = ("one training step of the tutorial ST-CNN (forward, backward, SGD), CPU vs GPU" if HAVE_GPU else
         "no GPU found: CPU timings only\n(one training step of the tutorial ST-CNN: forward, backward, SGD)")
ax.set_title(title)
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "12_gpu_cupy.png", dpi=100)
print("wrote", FIGURES / "12_gpu_cupy.png")

# %% [markdown]
# What this lesson showed: with a GPU, CPU and GPU agree to rounding in float64; without one,
# the code path is the same and asking for the GPU fails early, naming the fix. The check fails
# if one device computed in float32 (differences near 1e-7, not 1e-12), or, without a GPU, if
# `.to("gpu")` silently stayed on the CPU instead of raising.

# %%
assert agreement

# %% [markdown]
# Try this:
# 1. Time one training step in float64 instead of float32 (`make_model().astype("float64")`):
#    how much slower is the CPU? (On a GPU the answer depends on the card: consumer cards run
#    float64 at 1/32 to 1/64 of the float32 rate.)
# 2. Find the batch size at which the GPU overtakes the CPU on your machine, and explain it
#    with the fixed cost per kernel launch.
# 3. Print `type(t.data)` for a tensor on each device: which array library holds it, and so
#    runs each line of `F.grid_sample`?
