#!/usr/bin/env bash
# Maintainer's script: every GPU check in prepared steps, for a machine with a GPU and CuPy:
#   1. the whole test suite, where the device tests (tests/test_device.py, test_device_spatial.py
#      and the xp fixture's) run on real CuPy, comparing every op, model, optimiser and command
#      with NumPy;
#   2. python -m ministn bench --device gpu (CuPy beside PyTorch CUDA, when torch has CUDA);
#   3. the main job, python -m ministn train --device gpu;
#   4. lesson 12 (CPU and GPU step times, CPU-vs-GPU agreement in float64).
# Usage, from the repository root:  OUT=gpu_check bash tools/gpu_check.sh [STEP ...]
# with STEP among tests, bench, train, lesson (default: all four). Each step has its own time
# limit (5, 3, 4 and 2 minutes: CuPy compiles every kernel on first use, which may take a
# minute or two on a fresh machine), so where one command may run at most 10 minutes, run
# "tests bench" and then "train lesson". Everything lands in $OUT.
# It needs no network: ministn runs from the checkout (PYTHONPATH) with $PYTHON (default python3,
# the one that holds CuPy and PyTorch on this project's GPU machines, where pytest, hypothesis,
# matplotlib and tqdm are installed too); a missing pytest or hypothesis is installed from
# wheels in $WHEELS when that folder exists (pip download pytest hypothesis -d wheels).
set -u
OUT=${OUT:-gpu_check}
STEPS=" ${*:-tests bench train lesson} "
WHEELS=${WHEELS:-wheels}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg
step() { echo; echo "== $* ($(date -u +%H:%M:%S))"; }

step "machine"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  lscpu | grep -m1 "Model name"
  "$PY" -c "import sys, numpy; print('python', sys.version.split()[0], 'numpy', numpy.__version__)"
  "$PY" -c "import cupy; print('cupy', cupy.__version__, 'CUDA runtime', cupy.cuda.runtime.runtimeGetVersion())"
  "$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available())"
} 2>&1 | tee "$OUT/machine.txt"
if ! "$PY" -c "import ministn, sys; sys.exit(not ministn.gpu_available())"; then
  echo "ministn sees no GPU (CuPy missing, or no CUDA device): nothing to check"; exit 1
fi
if ! "$PY" -c "import pytest, hypothesis" 2>/dev/null && [ -d "$WHEELS" ]; then
  "$PY" -m pip install -q --no-index --find-links "$WHEELS" pytest hypothesis
fi

wanted() { [[ "$STEPS" == *" $1 "* ]]; }

if wanted tests; then
step "tests on CuPy"
timeout 300 "$PY" -m pytest -q -p no:cacheprovider -rs 2>&1 | tail -25 | tee "$OUT/tests.txt"
fi
if wanted bench; then
step "bench --device gpu"
timeout 180 "$PY" -m ministn bench --device gpu --budget 5 --json "$OUT/bench_gpu.json" 2>&1 \
  | tee "$OUT/bench_gpu.txt"
fi
if wanted train; then
step "main job on the GPU"
timeout 240 "$PY" -m ministn train --device gpu --out "$OUT/main_job" --no-progress 2>&1 \
  | tail -6 | tee "$OUT/train.txt"
fi
if wanted lesson; then
step "lesson 12"
MINISTN_FIGURES="$OUT" timeout 120 "$PY" lessons/12_gpu_cupy.py 2>&1 | tail -6 | tee "$OUT/lesson12.txt"
fi
step "done: results in $OUT"
