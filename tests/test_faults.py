"""The fault suite of issue 13: every bad input and fault, run as a user runs it.

Each case is ``python -m ministn ...`` in a fresh subprocess, in a folder of its own, with
MINISTN_DATA pointing at an empty folder (so the bundled MNIST is used). A refused case must
exit 2 with exactly one line on stderr, ``error: ...``, naming what was wrong; a handled one
exits 0; neither may print a traceback. The folder is snapshotted (every path and every
file's bytes) before and after: a refusal changes nothing at all, and no case loses a file or
leaves a temporary one behind.

The one-shot cases are a table (CASES) run a few at a time by one module fixture; the cases
that need timing or signals (the deflate bomb, two trainings into one run directory, SIGTERM)
run alone, after it. At the end, a property-based test feeds random bytes, truncations and
random arrays to ``ministn.reference.load_case`` and ``run_case`` in-process: only
MinistnError may come out.
"""
import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ministn.backend import gpu_available
from ministn.errors import MinistnError
from ministn.training.checkpoint import FORMAT

REPO = Path(__file__).resolve().parents[1]
TINY = ["--train-size", "64", "--test-size", "64", "--epochs", "1", "--batch-size", "32",
        "--no-progress"]
TIMEOUT = 120                          # seconds for any one command (none needs more than a few)
WORKERS = max(2, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                     else os.cpu_count() or 2))
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
TEMPORARY = re.compile(r"\.(tmp|probe)$")     # what write_atomically and check_output make


# ---- running the command line --------------------------------------------------------------

def snapshot(folder):
    """Every path under ``folder``: a file's bytes, or None for a folder."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    before: dict
    after: dict
    seconds: float
    data: dict = field(default_factory=dict)

    def __str__(self):
        return (f"exit {self.returncode} after {self.seconds:.1f} s\n--- stdout\n{self.stdout}"
                f"--- stderr\n{self.stderr}")


def environment(data_dir):
    """The environment of every child: ministn from this checkout, no full-MNIST cache."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, MINISTN_DATA=str(data_dir), PYTHONPATH=path, MPLBACKEND="Agg",
                PYTHONUNBUFFERED="1")


def ministn(args, cwd, env, timeout=TIMEOUT):
    """Run ``python -m ministn *args`` in ``cwd``; the Outcome with the folder's snapshots."""
    before = snapshot(cwd)
    start = time.perf_counter()
    child = subprocess.run([sys.executable, "-m", "ministn", *args], cwd=cwd, env=env,
                           capture_output=True, text=True, timeout=timeout)
    return Outcome(child.returncode, child.stdout, child.stderr, before, snapshot(cwd),
                   time.perf_counter() - start)


def assert_no_traceback(outcome):
    assert "Traceback" not in outcome.stdout + outcome.stderr, str(outcome)


def assert_no_temporary_files(outcome):
    left = [name for name in outcome.after if TEMPORARY.search(name)]
    assert not left, f"temporary files left behind: {left}"


def error_line(outcome):
    """The one line a refusal prints, after checking exit 2, one line and no traceback."""
    assert_no_traceback(outcome)
    assert outcome.returncode == 2, str(outcome)
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), str(outcome)
    return lines[0]


def assert_refused(outcome, *patterns, never=()):
    """Exit 2, one ``error:`` line matching every pattern, and the folder exactly as before."""
    line = error_line(outcome)
    for pattern in patterns:
        assert re.search(pattern, line), f"{pattern!r} not in {line!r}"
    for word in never:
        assert word not in line, f"{word!r} in {line!r}"
    assert outcome.after == outcome.before, (
        f"files changed: {sorted(set(outcome.after) ^ set(outcome.before))} added or removed, "
        f"{sorted(k for k in outcome.before if outcome.after.get(k) != outcome.before[k])} "
        f"changed")
    return line


def assert_handled(outcome, created=()):
    """Exit 0, no traceback, nothing lost or changed, exactly ``created`` new, no temporaries."""
    assert_no_traceback(outcome)
    assert outcome.returncode == 0, str(outcome)
    assert all(outcome.after.get(k) == v for k, v in outcome.before.items()), "a file changed"
    assert sorted(set(outcome.after) - set(outcome.before)) == sorted(created)
    assert_no_temporary_files(outcome)


# ---- files the cases start from --------------------------------------------------------------

def grid_sample_case(**extra):
    rng = np.random.default_rng(0)
    return dict(input=np.full((1, 2, 4, 5), 1.2345), grid=rng.uniform(-1, 1, (1, 3, 3, 2)),
                **extra)


def case_bytes(compressed=False, **arrays):
    stream = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(stream, **(arrays or grid_sample_case()))
    return stream.getvalue()


def npy_bytes(array):
    stream = io.BytesIO()
    np.save(stream, array)
    return stream.getvalue()


def crc_corrupt(data):
    """An uncompressed .npz with one byte of 'input's data changed: only its CRC tells."""
    data = bytearray(data)
    data[data.index(np.float64(1.2345).tobytes()) + 3] ^= 0xFF
    return bytes(data)


def write(folder, name, content):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        np.savez_compressed(path, **content)
    else:
        (path.write_text if isinstance(content, str) else path.write_bytes)(content)
    return name


def reference(op="grid_sample", case="case.npz", out="result.npz"):
    return ["reference", op, "--in", case, "--out", out]


def with_file(name, content, args):
    """A case's setup: write one input file, then run ``args``."""
    def setup(folder, run):
        write(folder, name, content)
        return args
    return setup


def run_copy(folder, run, name="run"):
    """A copy of the shared two-epoch run (see the ``trained`` fixture) in ``folder/name``."""
    shutil.copytree(run, folder / name, ignore=shutil.ignore_patterns("*.png"))
    return folder / name


# Checkpoints with a defect, each made from the shared run's checkpoint: name -> change(arrays,
# meta) returning the meta to write (a str is written as is).
def _meta_only_format(arrays, meta):
    return json.dumps({"format": FORMAT})


def _rng(state):
    def change(arrays, meta):
        meta["state"]["rng"] = state
        return meta
    return change


def _optimizer_count(delta):
    def change(arrays, meta):
        meta["optimizer"]["count"] += delta
        return meta
    return change


def _nan_weight(arrays, meta):
    key = next(k for k in arrays if k.startswith("model/"))
    arrays[key] = arrays[key].copy()
    arrays[key].flat[0] = np.nan
    return meta


DEFECTS = {  # name -> (change, what evaluate and show say (None: they work), what resume says)
    "meta []": (lambda arrays, meta: "[]", "not a ministn checkpoint", "not a ministn checkpoint"),
    "meta with only format": (_meta_only_format, "lacks a valid 'config'", "lacks a valid 'config'"),
    "generator state of another type": (_rng({"bit_generator": "MT19937", "state": {}}), None,
                                        "random-generator state is invalid"),
    "generator state out of range": (_rng({"bit_generator": "PCG64", "state": {"state": -1, "inc": 1},
                                           "has_uint32": 0, "uinteger": 0}), None,
                                     "random-generator state is invalid"),
    "optimiser count too small": (_optimizer_count(-1), "names no optimiser slot",
                                  "names no optimiser slot"),
    "optimiser count too large": (_optimizer_count(+3), None, "optimiser state does not fit"),
    "NaN weights": (_nan_weight, "is not finite", "is not finite"),
}


def damaged_checkpoint(source, path, defect):
    with np.load(source) as npz:
        arrays = {key: npz[key] for key in npz.files}
    meta = DEFECTS[defect][0](arrays, json.loads(str(arrays["meta"])))
    arrays["meta"] = np.array(meta if isinstance(meta, str) else json.dumps(meta))
    with open(path, "wb") as f:        # as np.savez names the members: <key>.npy
        np.savez(f, **arrays)


def evaluate_damaged(defect, command):
    def setup(folder, run):
        damaged_checkpoint(run / "checkpoint.npz", folder / "checkpoint.npz", defect)
        if command == "show":
            return ["show", "--checkpoint", "checkpoint.npz", "--out", "figure.png"]
        return ["evaluate", "--checkpoint", "checkpoint.npz"]
    return setup


def resume_damaged(defect):
    def setup(folder, run):
        damaged_checkpoint(run / "checkpoint.npz", run_copy(folder, run) / "checkpoint.npz",
                           defect)
        return ["train", "--resume", "--out", "run", *TINY[:4], "--epochs", "3", *TINY[6:]]
    return setup


def mkdir(*names):
    def setup(folder, run):
        for name in names:
            (folder / name).mkdir(parents=True)
    return setup


def then(*setups):
    """Several setups in turn; the last one's arguments."""
    def setup(folder, run):
        args = None
        for step in setups:
            args = step(folder, run) or args
        return args
    return setup


def args_only(args):
    return lambda folder, run: args


def copy_checkpoint(args):
    def setup(folder, run):
        shutil.copy(run / "checkpoint.npz", folder / "checkpoint.npz")
        return args
    return setup


# ---- the one-shot cases ------------------------------------------------------------------------

@dataclass
class Case:
    setup: Callable            # (folder, shared run) -> the arguments after `python -m ministn`
    says: tuple = ()           # regular expressions the error line must match (refusals)
    never: tuple = ()          # words the error line must not contain
    handled: bool = False      # exit 0 instead of a refusal
    created: tuple = ()        # the files a handled case writes
    check: Callable = None     # further checks on the Outcome
    needs_permissions: bool = False     # a chmod case: meaningless as root (chmod stops nothing)


def download_log_check(outcome):
    """One short line; no 'trying the next mirror' after the last mirror of each file."""
    assert len(outcome.stderr) < 400, outcome.stderr
    for name in ("train-images", "train-labels", "t10k-images", "t10k-labels"):
        tries = [line for line in outcome.stdout.splitlines() if line.startswith(name)]
        assert tries, outcome.stdout
        assert "trying the next mirror" not in tries[-1], tries
        assert all("trying the next mirror" in line for line in tries[:-1]), tries


def result_check(outcome):
    with np.load(Path(outcome.data["folder"]) / "result.npz") as result:
        assert {"output", "grad_input", "grad_grid"} <= set(result.files)


VALID = case_bytes()
TRAIN = ["train", "--out", "run", *TINY]
SOMEFILE = ("somefile", "a regular file, not a folder\n")

CASES = {
    # -- reference: bad case files ----------------------------------------------------------
    "reference: a valid case is computed": Case(
        with_file("case.npz", VALID, reference()), handled=True, created=("result.npz",),
        check=result_check),
    "reference: empty file": Case(with_file("case.npz", b"", reference()), ("is empty",)),
    "reference: truncated .npz": Case(
        with_file("case.npz", VALID[:len(VALID) // 2], reference()), ("case case.npz: ", "corrupt")),
    "reference: CRC-corrupt .npz": Case(
        with_file("case.npz", crc_corrupt(VALID), reference()), ("fails its CRC check",)),
    "reference: a plain .npy": Case(
        with_file("case.npy", npy_bytes(np.zeros((1, 1, 4, 4))), reference(case="case.npy")),
        ("is a .npy file",)),
    "reference: a text file": Case(
        with_file("case.txt", "input = [[1, 2], [3, 4]]\ngrid = ...\n", reference(case="case.txt")),
        ("not an .npz file",), never=("pickled",)),
    "reference: size holding inf": Case(
        with_file("case.npz", {"theta": np.zeros((1, 2, 3)), "size": np.array([1, 1, np.inf, 4])},
                  reference("affine_grid")), ("'size' must be 4 non-negative integers",)),
    "reference: size [100000, 1, 100000, 100000]": Case(
        with_file("case.npz", {"theta": np.zeros((1, 2, 3)),
                               "size": np.array([100000, 1, 100000, 100000])},
                  reference("affine_grid")),
        (r"size \(100000, 1, 100000, 100000\) needs [\d.]+ PB", r"--max-mb")),
    "reference: TPS with 10^6 control points": Case(       # 1x1: the spline system is the cost
        with_file("case.npz", {"offsets": np.zeros((1, 10**6, 2)), "size": np.array([1, 1, 1, 1])},
                  reference("tps_grid")),
        (r"size \(1, 1, 1, 1\) with 1000000 control points needs [\d.]+ TB",)),
    # -- reference: bad outputs ---------------------------------------------------------------
    "reference: --out naming a directory": Case(
        then(mkdir("result.npz"), with_file("case.npz", VALID, reference())), ("is a directory",)),
    "reference: --out equal to --in": Case(
        with_file("case.npz", VALID, reference(out="case.npz")), ("is the input file",)),
    "reference: --out in a missing folder": Case(
        with_file("case.npz", VALID, reference(out="missing/result.npz")),
        ("folder missing does not exist",)),
    "reference: --out in a read-only folder": Case(
        then(mkdir("ro"), lambda folder, run: (folder / "ro").chmod(0o555),
             with_file("case.npz", VALID, reference(out="ro/result.npz"))),
        ("permission denied",), needs_permissions=True),
    # -- train: values that make no sense (nothing may be written) ----------------------------
    "train: --lr inf": Case(args_only(TRAIN + ["--lr", "inf"]), (r"\blr must be",)),
    "train: --lr 0": Case(args_only(TRAIN + ["--lr", "0"]), (r"\blr must be",)),
    "train: --momentum nan": Case(args_only(TRAIN + ["--momentum", "nan"]), ("momentum must be",)),
    "train: --momentum -5": Case(args_only(TRAIN + ["--momentum", "-5"]), ("momentum must be",)),
    "train: --lr-gamma nan": Case(args_only(TRAIN + ["--lr-gamma", "nan"]), ("lr[-_]gamma must be",)),
    "train: --lr-gamma -1": Case(args_only(TRAIN + ["--lr-gamma", "-1"]), ("lr[-_]gamma must be",)),
    "train: --seed -1": Case(args_only(TRAIN + ["--seed", "-1"]), ("seed must be",)),
    "train: a bad --model": Case(args_only(TRAIN + ["--model", "resnet"]), ("unknown model 'resnet'",)),
    # -- train: run directories --------------------------------------------------------------
    "train: --out under a file": Case(
        with_file(*SOMEFILE, ["train", "--out", "somefile/run", *TINY]), ("somefile is not a folder",)),
    "train: --out under a read-only folder": Case(
        then(mkdir("ro"), lambda folder, run: (folder / "ro").chmod(0o555),
             args_only(["train", "--out", "ro/run", *TINY])),
        ("permission denied",), needs_permissions=True),
    "train: --resume with nothing to resume": Case(
        args_only(["train", "--resume", "--out", "run", *TINY]), ("nothing to resume",)),
    "train: --resume --epochs 1 on a 2-epoch run": Case(
        then(run_copy, args_only(["train", "--resume", "--out", "run", *TINY])),
        ("--epochs 1 is fewer than the 2 epochs",)),
    # -- evaluate and show --------------------------------------------------------------------
    "evaluate: a missing checkpoint": Case(
        args_only(["evaluate", "--checkpoint", "runs/x/checkpoint.npz"]), ("no such file",)),
    "evaluate: --device gpu without CuPy": Case(
        copy_checkpoint(["evaluate", "--checkpoint", "checkpoint.npz", "--device", "gpu"]),
        ("CuPy",)),
    "show: --out a directory": Case(
        then(mkdir("figure.png"), copy_checkpoint(["show", "--checkpoint", "checkpoint.npz",
                                                   "--out", "figure.png"])), ("is a directory",)),
    "show: --count 0": Case(
        copy_checkpoint(["show", "--checkpoint", "checkpoint.npz", "--count", "0"]),
        ("--count must be positive",)),
    # -- download and bench -------------------------------------------------------------------
    "download: --dest under a file": Case(
        with_file(*SOMEFILE, ["download", "mnist", "--dest", "somefile/x"]),
        ("--dest", "somefile is not a folder")),
    "download: a closed port": Case(
        then(mkdir("dl"), args_only(["download", "mnist", "--dest", "dl", "--timeout", "1",
                                     "--mirror", "http://127.0.0.1:9/"])),
        ("could not download",), check=download_log_check),
    "download: two closed mirrors": Case(
        then(mkdir("dl"), args_only(["download", "mnist", "--dest", "dl", "--timeout", "1",
                                     "--mirror", "http://127.0.0.1:9/a/",
                                     "--mirror", "http://127.0.0.1:9/b/"])),
        ("could not download", "2 mirrors"), check=download_log_check),
    "bench: --json into a missing folder": Case(
        args_only(["bench", "--json", "missing/folder/x.json", "--case", "conv2d train",
                   "--repeats", "1", "--warmup", "0", "--no-torch"]),
        ("--json", "does not exist"), check=lambda outcome: outcome.stdout == "" or
        pytest.fail(f"bench printed before refusing: {outcome.stdout}")),
}
# Each defect is read by evaluate (one code path with show) and most by show and --resume too.
SHOW_DEFECTS = ("meta []", "generator state of another type", "NaN weights")
RESUME_DEFECTS = ("meta []", "generator state of another type", "generator state out of range",
                  "optimiser count too large", "NaN weights")
for _defect, (_, _says, _resume_says) in DEFECTS.items():
    for _command in ("evaluate", "show") if _defect in SHOW_DEFECTS else ("evaluate",):
        CASES[f"{_command}: checkpoint with {_defect}"] = (
            Case(evaluate_damaged(_defect, _command), (_says,)) if _says else
            Case(evaluate_damaged(_defect, _command), handled=True,
                 created=("figure.png",) if _command == "show" else ()))
    if _defect in RESUME_DEFECTS:
        CASES[f"train --resume: checkpoint with {_defect}"] = Case(resume_damaged(_defect),
                                                                   (_resume_says,))

def skipped(case):
    return case.needs_permissions and IS_ROOT


def case_param(name):
    marks = [pytest.mark.skipif(skipped(CASES[name]), reason="root: chmod stops no write")]
    if name == "evaluate: --device gpu without CuPy":
        marks.append(pytest.mark.skipif(gpu_available(), reason="CuPy and a GPU are here"))
    return pytest.param(name, id=name, marks=marks)


# ---- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return environment(tmp_path_factory.mktemp("empty-data"))


@pytest.fixture(scope="module")
def trained(tmp_path_factory, env):
    """One tiny two-epoch run, shared: the cases copy its checkpoint or its whole folder."""
    folder = tmp_path_factory.mktemp("trained")
    outcome = ministn(["train", "--out", "run", *TINY[:4], "--epochs", "2", *TINY[6:]],
                      folder, env)
    assert_handled(outcome, created=["run", *(f"run/{name}" for name in (
        ".lock", "checkpoint.npz", "config.json", "curves.png", "metrics.jsonl",
        "transform.png"))])
    assert "after 2 epochs" in outcome.stdout
    return folder / "run"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, env, trained):
    """Every case of CASES, run WORKERS at a time, each in its own folder: name -> Outcome."""
    root = tmp_path_factory.mktemp("cases")

    def run(item):
        number, name = item
        folder = root / f"case{number}"
        folder.mkdir()
        args = CASES[name].setup(folder, trained)
        outcome = ministn(args, folder, env)
        outcome.data["folder"] = folder
        return name, outcome

    todo = [(i, name) for i, name in enumerate(CASES) if not skipped(CASES[name])
            and not (name == "evaluate: --device gpu without CuPy" and gpu_available())]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = dict(pool.map(run, todo))
    return results


# ---- the tests -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [case_param(name) for name in CASES])
def test_case(name, outcomes):
    case, outcome = CASES[name], outcomes[name]
    if case.handled:
        assert_handled(outcome, case.created)
    else:
        assert_refused(outcome, *case.says, never=case.never)
    if case.check is not None:
        case.check(outcome)


# ---- the deflate bomb: refused fast, in little memory ---------------------------------------

def write_deflate_bomb(path, key, shape, chunk=2**24):
    """An .npz (zip64) whose one member ``key`` declares float64 ``shape`` and holds as many
    zeros, deflated: 6 GB of zeros is 6 MB. Each chunk after a full flush deflates to the
    same bytes, so one chunk is compressed once; the CRC is left 0 (np.load would find out
    only after inflating it all)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": shape})
    header = header.getvalue()
    n_zeros = int(np.prod(shape)) * 8
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)             # raw deflate, as in a zip
    head = deflate.compress(header) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(bytes(chunk)) + deflate.flush(zlib.Z_FULL_FLUSH)
    n_blocks, rest = divmod(n_zeros, chunk)
    tail = deflate.compress(bytes(rest)) + deflate.flush()
    compressed = len(head) + n_blocks * len(block) + len(tail)
    name, unknown = f"{key}.npy".encode(), 0xFFFFFFFF
    extra = struct.pack("<HHQQ", 1, 16, len(header) + n_zeros, compressed)   # zip64 sizes
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, 0, unknown, unknown,
                        len(name), len(extra)) + name + extra
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, 0, unknown,
                          unknown, len(name), len(extra), 0, 0, 0, 0, 0) + name + extra
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + compressed, 0)
    with open(path, "wb") as f:
        f.write(local + head)
        for _ in range(n_blocks):
            f.write(block)
        f.write(tail + central + end)


# The child that is measured runs what `python -m ministn` runs (ministn/__main__.py), with its
# clock started once every command module is imported: the bar is on the refusal, not on
# Python's start-up. It runs under a small parent whose only other child it is, so that
# RUSAGE_CHILDREN's ru_maxrss is the child's peak (the kernel carries the parent's peak over
# into a child, and pytest's is large).
TIMED_MAIN = """
import os, sys, time
import ministn.cli
ministn.cli.build_parser()
start = time.perf_counter()
try:
    code = ministn.cli.main()
finally:
    with open(os.environ["FAULTS_CLOCK"], "w") as f:
        f.write(str(time.perf_counter() - start))
sys.exit(code)
"""
MEASURE = """
import json, resource, subprocess, sys
child = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(dict(returncode=child.returncode, stdout=child.stdout, stderr=child.stderr,
                      peak_mb=kb / (2**20 if sys.platform == "darwin" else 2**10))))
"""
BOMB_SHAPE = (1, 1, 25_000, 30_000)         # 6.0e9 bytes of float64 zeros in a 5.8 MB file


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "bomb.npz"
    write_deflate_bomb(path, "input", BOMB_SHAPE)
    assert path.stat().st_size < 6.5 * 2**20
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="no resource module")
@pytest.mark.parametrize("command", ["reference", "evaluate"])
def test_a_deflate_bomb_is_refused_in_under_2_s_and_200_mb(command, bomb, tmp_path, env):
    name = "case.npz" if command == "reference" else "checkpoint.npz"
    shutil.copy(bomb, tmp_path / name)
    args = (reference(case=name) if command == "reference"
            else ["evaluate", "--checkpoint", name])
    before = snapshot(tmp_path)
    clock = tmp_path.parent / f"{tmp_path.name}.clock"          # outside the snapshot
    measured = subprocess.run(
        [sys.executable, "-S", "-c", MEASURE, sys.executable, "-c", TIMED_MAIN, *args],
        cwd=tmp_path, env=dict(env, FAULTS_CLOCK=str(clock)), capture_output=True, text=True,
        timeout=TIMEOUT)
    assert measured.returncode == 0, measured.stderr
    child = json.loads(measured.stdout)
    outcome = Outcome(child["returncode"], child["stdout"], child["stderr"], before,
                      snapshot(tmp_path), float(clock.read_text()))
    assert_refused(outcome, rf"array 'input' declares shape \(1, 1, 25000, 30000\) float64, "
                            rf"5.6 GB \(limit 2048 MB")
    assert outcome.seconds < 2.0 and child["peak_mb"] < 200, (outcome.seconds, child["peak_mb"])


# ---- two trainings into one run directory --------------------------------------------------

def wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def lines_of(path):
    return path.read_text().splitlines() if path.exists() else []


def start_training(folder, env, *args):
    """A training in the background, its stdout going to a file (read while it runs)."""
    log = open(folder.parent / f"{folder.name}-{time.monotonic_ns()}.log", "w+")
    child = subprocess.Popen([sys.executable, "-m", "ministn", "train", *args], cwd=folder,
                             env=env, stdout=log, stderr=subprocess.PIPE, text=True)
    child.log = Path(log.name)
    log.close()
    return child


def finish(child, timeout=TIMEOUT):
    """(exit code, stdout, stderr) of a background training."""
    _, stderr = child.communicate(timeout=timeout)
    return child.returncode, child.log.read_text(), stderr


def test_a_second_training_into_a_busy_run_fails_at_once_naming_the_first(tmp_path, env):
    long_run = ["--out", "run", "--train-size", "320", "--test-size", "64", "--epochs", "50",
                "--batch-size", "32", "--no-progress"]
    first = start_training(tmp_path, env, *long_run)
    try:
        lock, run = tmp_path / "run" / ".lock", tmp_path / "run"
        wait_for(lambda: lock.exists() and lock.read_text().strip().isdigit(), ".lock's pid")
        assert int(lock.read_text()) == first.pid
        wait_for(lambda: any(line.startswith("epoch   1/50") for line in lines_of(first.log)),
                 "the first epoch")
        for extra in ([], ["--force"], ["--resume"]):
            second = ministn(["train", "--out", "run", "--seed", "2", *TINY, *extra], tmp_path, env)
            line = error_line(second)
            assert f"run directory run is in use by process {first.pid}" in line, line
            assert first.poll() is None, "the first run ended before the second was refused"
            assert second.stdout == "", second.stdout       # refused before loading any data
    finally:
        first.send_signal(signal.SIGTERM)
        returncode, stdout, stderr = finish(first)
    assert returncode == 130 and "Traceback" not in stdout + stderr, (stdout, stderr)
    epochs = [line for line in stdout.splitlines() if re.match(r"epoch +\d+/50", line)]
    records = [json.loads(line) for line in lines_of(run / "metrics.jsonl")]
    assert [r["epoch"] for r in records] == list(range(1, len(epochs) + 1))   # the first's only
    printed = [float(re.search(r"test loss \S+ +acc +([\d.]+)%", line)[1]) for line in epochs]
    assert [round(r["test_acc"], 2) for r in records] == printed
    config = json.loads((run / "config.json").read_text())
    assert config["seed"] == 0 and config["train_size"] == 320 and config["epochs"] == 50
    assert not [p for p in run.iterdir() if TEMPORARY.search(p.name)]


# ---- SIGTERM saves a checkpoint; --resume finishes the run -----------------------------------

def test_sigterm_saves_a_checkpoint_that_resume_finishes(tmp_path, env):
    # Each epoch is long enough (3,200 images) that the signal, sent as soon as epoch 1 is
    # printed, lands inside epoch 2 however fast the machine is (a fixed sleep after the start
    # raced a fast machine: training had already finished).
    args = ["--out", "run", "--train-size", "3200", "--test-size", "64", "--epochs", "2",
            "--batch-size", "32", "--no-progress"]
    child = start_training(tmp_path, env, *args)
    wait_for(lambda: any(line.startswith("epoch   1/2") for line in lines_of(child.log)),
             "the first epoch")
    child.send_signal(signal.SIGTERM)
    returncode, stdout, stderr = finish(child)
    assert returncode == 130, (returncode, stdout, stderr)
    assert "Traceback" not in stdout + stderr and "terminated (SIGTERM)" in stdout, stdout
    assert "continue with --resume" in stdout, stdout
    run = tmp_path / "run"
    assert (run / "checkpoint.npz").is_file()
    assert not [p for p in run.iterdir() if TEMPORARY.search(p.name)]
    resumed = ministn(["train", "--resume", *args], tmp_path, env)
    assert_no_traceback(resumed)
    assert resumed.returncode == 0, str(resumed)
    assert {"run/curves.png", "run/transform.png"} <= set(resumed.after)
    assert_no_temporary_files(resumed)
    assert "after 2 epochs" in resumed.stdout, resumed.stdout
    assert [json.loads(line)["epoch"] for line in lines_of(run / "metrics.jsonl")] == [1, 2]


# ---- the library: what the README shows works after `import ministn` -------------------------

def test_reference_is_reachable_from_import_ministn(env, tmp_path):
    code = ("import numpy as np, ministn; r = ministn.reference.run_case('affine_grid', "
            "{'theta': np.eye(2, 3)[None], 'size': np.array([1, 1, 2, 2])}); print(r['grid'].shape)")
    child = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert child.returncode == 0 and child.stdout.strip() == "(1, 2, 2, 2)", child.stderr


# ---- fuzz: load_case + run_case raise MinistnError or nothing --------------------------------

CASE_KEYS = ("input", "grid", "theta", "size", "offsets", "grad_output", "mode",
             "padding_mode", "align_corners", "grid_size")
FUZZ_LIMIT = 64 * 2**20          # bytes: a case may ask for more, and must then be refused


def load_and_run(data, op):
    """load_case + run_case on ``data``; returns the MinistnError, if any, after checking it
    is one line. Anything else propagates (and fails the test)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.npz"
        path.write_bytes(data)
        import ministn
        try:
            ministn.reference.run_case(op, ministn.reference.load_case(path, FUZZ_LIMIT),
                                       FUZZ_LIMIT)
        except MinistnError as error:
            assert "\n" not in str(error), str(error)
            return error


OPS_ = st.sampled_from(["grid_sample", "affine_grid", "perspective_grid", "tps_grid"])
VALID_COMPRESSED = case_bytes(compressed=True)


@given(st.one_of(
    st.binary(max_size=600),
    st.integers(0, len(VALID) - 1).map(lambda n: VALID[:n]),
    st.integers(0, len(VALID_COMPRESSED) - 1).map(lambda n: VALID_COMPRESSED[:n]),
    st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)).map(
        lambda flip: VALID[:flip[0]] + bytes([VALID[flip[0]] ^ flip[1]]) + VALID[flip[0] + 1:])),
    OPS_)
def test_fuzz_bytes_truncations_and_flips_raise_only_ministn_errors(data, op):
    load_and_run(data, op)


ARRAYS = hnp.arrays(
    st.one_of(hnp.floating_dtypes(sizes=(32, 64)), hnp.integer_dtypes(), hnp.boolean_dtypes(),
              hnp.unicode_string_dtypes(max_len=8)),
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))


@given(st.dictionaries(st.sampled_from(CASE_KEYS), ARRAYS, max_size=6), OPS_)
def test_fuzz_random_arrays_under_case_keys_raise_only_ministn_errors(arrays, op):
    load_and_run(case_bytes(**arrays) if arrays else case_bytes(empty=np.zeros(0)), op)
