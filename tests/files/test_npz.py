"""read_npz: valid files read as np.load reads them; every bad file is one line, and cheap.

The bombs are read in a child process, whose peak memory (VmHWM on Linux) is that of one
interpreter reading one bomb. The fuzz tests feed random, truncated, flipped and hand-made
archives and require a dict or a MinistnError, never any other exception.
"""
import io
import os
import pickle
import re
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ministn.files.npz as npz_module
from ministn.errors import MinistnError
from ministn.files import MAX_BYTES_DEFAULT, FileError, read_npz

MB = 2**20
REPO = Path(__file__).resolve().parents[2]


# ---- building files, valid and not -----------------------------------------------------

def npy_bytes(descr="<f8", shape=(2,), fortran_order=False, data=None, version=(1, 0)):
    """A .npy member by hand: any header, even one np.save would never write."""
    stream = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran_order, "shape": shape}
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(stream, header)
    else:
        np.lib.format.write_array_header_2_0(stream, header)
    if data is None:
        data = bytes(int(np.prod(shape)) * np.dtype(descr).itemsize)
    return stream.getvalue() + data


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    """An archive with members [(name, bytes)] (names may repeat)."""
    with zipfile.ZipFile(path, "w", compression) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)    # "Duplicate name": wanted here
        for name, data in members:
            archive.writestr(name, data)
    return path


def flip_byte(path, needle):
    """Change one byte inside the first occurrence of ``needle`` in the file."""
    data = bytearray(path.read_bytes())
    data[data.index(needle) + 3] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def write_deflate_bomb(path, header, n_zeros, file_size=None, chunk=2**24):
    """A zip64 .npz whose one member 'U.npy' is ``header`` then ``n_zeros`` zero bytes.

    Deflating 2.4 GB would take seconds, so one chunk of zeros is deflated once: after a full
    flush, deflate starts afresh, and every further chunk compresses to the same bytes. The
    CRC is left 0 (computing it is another pass over the data): np.load would notice only
    after inflating everything. ``file_size`` is the size the zip declares (default: true).
    """
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)    # raw deflate, as zip stores it
    head = deflate.compress(header) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(bytes(chunk)) + deflate.flush(zlib.Z_FULL_FLUSH)
    n_blocks, rest = divmod(n_zeros, chunk)
    tail = deflate.compress(bytes(rest)) + deflate.flush()
    compressed = len(head) + n_blocks * len(block) + len(tail)
    file_size = len(header) + n_zeros if file_size is None else file_size
    name, big = b"U.npy", 0xFFFFFFFF
    extra = struct.pack("<HHQQ", 1, 16, file_size, compressed)    # the zip64 sizes
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, 0, big, big,
                        len(name), len(extra)) + name + extra
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, 0, big,
                          big, len(name), len(extra), 0, 0, 0, 0, 0) + name + extra
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + compressed, 0)
    with open(path, "wb") as f:
        f.write(local + head)
        for _ in range(n_blocks):
            f.write(block)
        f.write(tail + central + end)
    return path


def write(path, data):
    """Write ``data`` (bytes or str) to ``path``; return the path."""
    (path.write_text if isinstance(data, str) else path.write_bytes)(data)
    return path


def savez(path, compressed=False, **arrays):
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    return path


def read_or_refuse(path, **options):
    """read_npz's dict, or its MinistnError after checking the error is one proper line."""
    try:
        return read_npz(path, **options)
    except MinistnError as error:
        message = str(error)
        assert "\n" not in message and message.startswith(f"case {path}: "), message
        return error


@contextmanager
def temporary_npz(data):
    """A file holding ``data`` for the length of a with block (hypothesis-friendly)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.npz"
        path.write_bytes(data)
        yield path


# ---- every refusal -----------------------------------------------------------------------

BIG = np.zeros(200_000)          # 1.5 MB
HALF = np.zeros(80_000)          # 0.6 MB
MARK = np.full(64, 17, np.uint8)

CASES = {
    "missing": (lambda d: d / "nope.npz", {}, r"^case \S+nope.npz: no such file$"),
    "directory": (lambda d: d, {}, r": is a directory$"),
    "empty": (lambda d: write(d / "e.npz", b""), {}, r": is empty"),
    "truncated": (lambda d: write(d / "t.npz",
        savez(d / "v.npz", a=BIG).read_bytes()[:5000]), {},
        r": is truncated or corrupt \("),
    "text file": (lambda d: write(d / "t.txt", "a,b\n1,2\n"), {},
        r": is not an .npz file \(not a zip archive\)$"),
    "pickle file": (lambda d: write(d / "p.npz", pickle.dumps({"a": 1})), {},
        r": is not an .npz file \(not a zip archive\)$"),
    "plain .npy": (lambda d: write(d / "x.npy", npy_bytes()), {},
        r": is a .npy file, not an .npz archive$"),
    "CRC": (lambda d: flip_byte(savez(d / "c.npz", a=MARK), MARK.tobytes()), {},
        r": array 'a' fails its CRC check \(the file is corrupt\)$"),
    "bad magic": (lambda d: write_zip(d / "m.npz", [("a.npy", b"not an npy file at all")]),
        {}, r": array 'a' has a bad .npy header \(the magic string"),
    "bad header text": (lambda d: write_zip(d / "h.npz", [("a.npy", npy_bytes()[:10]
        + b"{'descr': <f8}" + bytes(100))]), {}, r": array 'a' has a bad .npy header"),
    "header cut short": (lambda d: write_zip(d / "s.npz", [("a.npy", npy_bytes()[:30])]), {},
        r": array 'a' has a bad .npy header \(EOF"),
    "sub-array dtype": (lambda d: write_zip(d / "s.npz", [("a.npy", npy_bytes(
        descr="(2,)<f8", shape=(3,)))]), {}, r"bad .npy header \(sub-array or zero-size dtype"),
    "negative shape": (lambda d: write_zip(d / "n.npz", [("a.npy", npy_bytes(
        shape=(-1, 2), data=b""))]), {}, r"bad .npy header \(negative dimension"),
    "npy version 3": (lambda d: write_zip(d / "v.npz", [("a.npy", b"\x93NUMPY\x03\x00"
        + npy_bytes()[8:])]), {}, r"bad .npy header \(.npy format version 3.0"),
    "duplicate": (lambda d: write_zip(d / "d.npz", [("a.npy", npy_bytes())] * 2), {},
        r": member 'a.npy' appears twice"),
    "not .npy member": (lambda d: write_zip(d / "x.npz", [("a.npy", npy_bytes()),
        ("notes.txt", b"hi")]), {}, r": member 'notes.txt' is not a .npy array"),
    "directory member": (lambda d: write_zip(d / "x.npz", [("a.npy/", b"")]), {},
        r": member 'a.npy/' is not a .npy array"),
    "bzip2 member": (lambda d: write_zip(d / "b.npz", [("a.npy", npy_bytes())],
        zipfile.ZIP_BZIP2), {}, r": member 'a.npy' uses zip compression method 12"),
    "unknown key": (lambda d: savez(d / "k.npz", a=MARK, b=MARK), {"allowed_keys": {"a"}},
        r": unknown array 'b' \(expected: a\)$"),
    "object array": (lambda d: savez(d / "o.npz", a=MARK, b=np.array([1, "x"], object)), {},
        r": array 'b' contains pickled \(object\) data; ministn never unpickles$"),
    "object field": (lambda d: write_zip(d / "f.npz", [("a.npy", npy_bytes(
        descr=[("x", "<f4"), ("y", "|O")], data=b""))]), {}, r"pickled \(object\) data"),
    "one array too big": (lambda d: savez(d / "b.npz", a=MARK, U=BIG), {"max_bytes": MB},
        r": array 'U' declares shape \(200000,\) float64, 1.5 MB "
        r"\(limit 1 MB; raise it with --max-mb\)$"),
    "arrays too big together": (lambda d: savez(d / "t.npz", a=HALF, b=HALF),
        {"max_bytes": MB}, r": its arrays declare 1.2 MB in all, up to array 'b' "
        r"\(shape \(80000,\) float64, 625.0 KB\) \(limit 1 MB; raise it with --max-mb\)$"),
    "header declares more than the zip holds": (lambda d: write_zip(d / "l.npz", [(
        "a.npy", npy_bytes(shape=(10,), data=bytes(8)))], zipfile.ZIP_DEFLATED), {},
        r": array 'a' is corrupt: its header declares 208 bytes \(shape \(10,\) float64\) "
        r"but the zip entry holds 136$"),
}


@pytest.mark.parametrize("case", CASES)
def test_read_npz_refuses_with_one_line(case, tmp_path):
    make, options, pattern = CASES[case]
    path = make(tmp_path)
    with pytest.raises(FileError, match=pattern) as caught:
        read_npz(path, **options)
    message = str(caught.value)
    assert isinstance(caught.value, MinistnError) and "\n" not in message
    assert message.startswith(f"case {path}: ")
    assert "pickled" not in message or "object" in case


@pytest.mark.skipif(getattr(os, "geteuid", lambda: 1)() == 0, reason="root reads any file")
def test_read_npz_unreadable_file_says_permission_denied(tmp_path):
    path = savez(tmp_path / "a.npz", a=MARK)
    path.chmod(0)
    with pytest.raises(FileError, match=r": permission denied$"):
        read_npz(path)


def test_read_npz_permission_error_becomes_file_error(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(npz_module, "open", refuse, raising=False)
    with pytest.raises(FileError, match=r"^case \S+: permission denied$"):
        read_npz(savez(tmp_path / "a.npz", a=MARK))


def test_read_npz_refuses_too_many_members(tmp_path, monkeypatch):
    monkeypatch.setattr(npz_module, "MAX_ARRAYS", 3)
    path = savez(tmp_path / "m.npz", a=MARK, b=MARK, c=MARK, d=MARK)
    with pytest.raises(FileError, match=r": holds 4 members \(ministn reads at most 3 arrays"):
        read_npz(path)


def test_read_npz_names_the_file_as_told(tmp_path):
    with pytest.raises(FileError, match=r"^checkpoint \S+nope.npz: no such file$"):
        read_npz(tmp_path / "nope.npz", what="checkpoint")


def test_default_limit_is_2_gib():
    assert MAX_BYTES_DEFAULT == 2 * 2**30


# ---- valid files --------------------------------------------------------------------------

def test_read_npz_reads_what_np_load_reads(tmp_path):
    arrays = {"a": np.arange(12.0).reshape(3, 4), "f": np.asfortranarray(np.ones((2, 3), "i4")),
              "model/conv.weight": np.zeros((0, 3)), "meta": np.array('{"format": 1}'),
              "big_endian": np.arange(5, dtype=">i8"), "r": np.zeros(3, "f4,i2")}
    for compressed in (False, True):
        path = savez(tmp_path / f"{compressed}.npz", compressed, **arrays)
        got = read_npz(path, allowed_keys=set(arrays))
        assert got.keys() == arrays.keys()
        for key, want in arrays.items():
            assert got[key].dtype == want.dtype and got[key].shape == want.shape
            assert np.array_equal(got[key], want) and got[key].flags.writeable


def test_read_npz_reads_an_empty_archive(tmp_path):
    assert read_npz(savez(tmp_path / "e.npz")) == {}


@given(hnp.arrays(st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.boolean_dtypes(),
                            hnp.complex_number_dtypes()),
                  hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)),
       st.booleans(), st.booleans())
def test_read_npz_round_trips_any_numeric_array(array, fortran, compressed):
    array = np.asfortranarray(array) if fortran else array
    stream = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(stream, x=array)
    with temporary_npz(stream.getvalue()) as path:
        got = read_npz(path)["x"]
    assert got.dtype == array.dtype and got.shape == array.shape
    assert np.array_equal(got, array, equal_nan=True)


# ---- bombs: refused in a child process, timed and measured -------------------------------

CHILD = """
import resource, sys, time
from ministn.files import FileError, read_npz
start = time.perf_counter()
try:
    read_npz(sys.argv[1])
    message = "accepted"
except FileError as error:
    message = str(error)
seconds = time.perf_counter() - start
try:        # Linux: VmHWM is this process's own peak (ru_maxrss keeps the parent's across exec)
    status = open("/proc/self/status").read()
    peak_mb = int(status.split("VmHWM:")[1].split()[0]) / 2**10
except (OSError, IndexError):
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
print(seconds, peak_mb, message, sep="\\n")
"""

N_ZEROS = 2_400_000_000
BOMBS = {
    "declares 2.4 GB": (npy_bytes(shape=(N_ZEROS // 8,), data=b""), None,
        r"array 'U' declares shape \(300000000,\) float64, 2.2 GB \(limit 2048 MB"),
    "declares 8 bytes, inflates to 2.4 GB": (npy_bytes(shape=(1,), data=b""), None,
        r"array 'U' is corrupt: its header declares 136 bytes"),
    "header of 4 GB": (b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**32 - 16), None,
        r"array 'U' has a bad .npy header \(EOF: reading array header"),
    "zip declares 136 bytes, inflates to 2.4 GB": (npy_bytes(shape=(1,), data=b""), 136,
        r"array 'U' fails its CRC check"),
}


@pytest.fixture(scope="module")
def bomb_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    for i, (header, file_size, _) in enumerate(BOMBS.values()):
        write_deflate_bomb(folder / f"{i}.npz", header, N_ZEROS, file_size)
    return folder


@pytest.mark.skipif(sys.platform == "win32", reason="no resource module")
@pytest.mark.parametrize("bomb", BOMBS)
def test_deflate_bomb_is_refused_fast_in_little_memory(bomb, bomb_folder):
    header, file_size, pattern = BOMBS[bomb]
    path = bomb_folder / f"{list(BOMBS).index(bomb)}.npz"
    assert path.stat().st_size < 6 * MB
    with zipfile.ZipFile(path) as archive:    # a well-formed zip, as np.load would see it
        assert archive.infolist()[0].file_size == (file_size or len(header) + N_ZEROS)
    child = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=REPO,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    seconds, peak_mb, message = child.stdout.strip().split("\n")
    assert float(seconds) < 2.0 and float(peak_mb) < 200, (seconds, peak_mb)
    assert re.search(pattern, message), message


# ---- fuzz: dict or MinistnError, nothing else --------------------------------------------

def valid_archive(compressed):
    stream = io.BytesIO()
    savez(stream, compressed, a=np.arange(6.0).reshape(2, 3), b=np.array(["xy", "z"]),
          c=np.asfortranarray(np.eye(3, dtype="i2")))
    return stream.getvalue()


VALID = [valid_archive(False), valid_archive(True)]


def check_outcome(data, **options):
    with temporary_npz(data) as path:
        outcome = read_or_refuse(path, **options)
    assert isinstance(outcome, (dict, MinistnError))
    if isinstance(outcome, dict):
        assert all(isinstance(v, np.ndarray) for v in outcome.values())
    return outcome


@given(st.binary(max_size=2000), st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06"]))
def test_fuzz_random_bytes(data, prefix):
    check_outcome(prefix + data)


@given(st.integers(0, 10**9), st.booleans())
def test_fuzz_truncated_archive_is_refused(cut, compressed):
    data = VALID[compressed]
    assert isinstance(check_outcome(data[:cut % len(data)]), MinistnError)


@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(1, 255)), min_size=1,
                max_size=6), st.booleans())
def test_fuzz_flipped_bytes(flips, compressed):
    data = bytearray(VALID[compressed])
    for position, mask in flips:
        data[position % len(data)] ^= mask
    check_outcome(bytes(data))


DESCRS = ["<f8", ">i4", "|u1", "|b1", "<c16", "<U3", "|S0", "|V0", "|O", "<M8[s]", "(2,)<f8",
          [("a", "<f4"), ("b", "|O")], [("a", "<f4"), ("b", ">i2")], "bogus", 7]
SHAPES = st.lists(st.one_of(st.integers(-2, 6), st.integers(2**31, 2**70)), max_size=4)


@given(st.sampled_from(DESCRS), SHAPES.map(tuple), st.booleans(),
       st.one_of(st.none(), st.binary(max_size=300)), st.sampled_from([(1, 0), (2, 0)]),
       st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
def test_fuzz_hand_made_headers(descr, shape, fortran, data, version, compression):
    try:
        declared = int(np.prod(shape, dtype=object)) * np.dtype(descr).itemsize
    except (TypeError, ValueError):
        declared = None    # a descr numpy cannot read
    if data is None:       # the right number of bytes, where that is small
        data = bytes(declared) if declared is not None and 0 <= declared < 10**5 else b""
    member = npy_bytes(descr, shape, fortran, data, version)
    stream = io.BytesIO()
    write_zip(stream, [("x.npy", member)], compression)
    outcome = check_outcome(stream.getvalue(), max_bytes=MB)
    if "O" in str(descr) and declared is not None and min(shape, default=0) >= 0:
        assert isinstance(outcome, MinistnError) and "pickled" in str(outcome)
    if isinstance(outcome, dict):
        array = outcome["x"]
        assert array.shape == shape and array.nbytes == declared <= MB
