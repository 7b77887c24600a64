"""Reading an .npz file that may be hostile: every size is checked before anything is inflated.

An ``.npz`` file (what ``np.savez`` / ``np.savez_compressed`` write) is a zip archive with one
member ``<key>.npy`` per array. Each member is a ``.npy`` file: a magic string, a version, a
short text header ``{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)}``, then the raw
array bytes. The zip's own directory also states, per member, its uncompressed size
(``ZipInfo.file_size``) and a CRC-32 of its content.

``np.load`` trusts all of that. A *deflate bomb*, a few MB of compressed zeros that declare a
2.4 GB array, makes it allocate and inflate 2.4 GB; a header that declares dtype object makes
it unpickle (with ``allow_pickle=True``), which can run any code. ``read_npz`` reads in two
passes so that it can say no while saying no is cheap:

1. **Headers only.** For every member: the name must be ``<key>.npy`` and appear once, and
   (if given) ``key`` must be one of ``allowed_keys``. At most 10 KB of each member is
   inflated, enough to parse the ``.npy`` header (``np.lib.format.read_magic`` and
   ``read_array_header_1_0`` / ``_2_0``). Refused: more than ``MAX_ARRAYS`` members, an
   object dtype ("contains pickled (object) data; ministn never unpickles"), and a
   declared total, the sum of ``prod(shape) * itemsize`` over members, above
   ``max_bytes`` (default ``MAX_BYTES_DEFAULT`` = 2 GiB). The zip's ``file_size`` must
   equal header plus array bytes exactly; a member that would inflate to more (or less)
   than its header declares is corrupt.
2. **Bounded reads.** Each array is allocated at its declared size and filled in 1 MB chunks,
   reading exactly ``file_size`` bytes, so ``zipfile`` reaches the member's end and checks
   its CRC. Memory stays at the arrays' size plus one chunk.

Every failure is a ``FileError`` of one line that starts with ``"<what> <path>: "``:

    case runs/x.npz: no such file
    case x.npy: is a .npy file, not an .npz archive
    case notes.txt: is not an .npz file (not a zip archive)
    case bomb.npz: array 'U' declares shape (300000000,) float64, 2.2 GB
                   (limit 2048 MB; raise it with --max-mb)
"""
import io
import math
import struct
import zipfile
import zlib
from collections import namedtuple

import numpy as np

from .atomic import FileError
from .limits import MAX_BYTES_DEFAULT, array_bytes, format_bytes, limit_hint
from .paths import check_input, describe_open_error

_MAX_HEADER_SIZE = 10000                # numpy's own bound on a .npy header's text
_HEADER_READ = 12 + _MAX_HEADER_SIZE    # magic (6) + version (2) + length (4) + text
_CHUNK = 2**20
MAX_ARRAYS = 10000                      # each costs two header reads: keep the time bounded
_INTP_MAX = int(np.iinfo(np.intp).max)
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}

# What zipfile, zlib and numpy raise on a damaged archive (OSError: e.g. a seek before the
# start of the file, which a corrupt offset asks for).
_CORRUPT = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError,
            TypeError, KeyError, IndexError, struct.error, OverflowError, UnicodeDecodeError,
            NotImplementedError, RuntimeError, OSError)

_Member = namedtuple("_Member", "info key header_bytes shape dtype fortran_order")


def _one_line(error):
    """The first line of an exception's message, at most 120 characters."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror    # without "[Errno 22]"
    text = (str(error).splitlines() or [type(error).__name__])[0]
    return text if len(text) <= 120 else text[:117] + "..."


def _corrupt(label, key, error):
    """The FileError for a member that zipfile or numpy could not read."""
    if "CRC" in str(error):
        return FileError(f"{label}: array {key!r} fails its CRC check (the file is corrupt)")
    return FileError(f"{label}: array {key!r} is corrupt ({_one_line(error)})")


def _fits_numpy(shape, dtype):
    """Whether numpy can make an array of this shape (its byte count must fit an intp)."""
    return math.prod(max(n, 1) for n in shape) * dtype.itemsize <= _INTP_MAX


def _check_names(archive, label, allowed_keys):
    """(ZipInfo, key) per member, after refusing names an .npz would not have."""
    infos = archive.infolist()
    if len(infos) > MAX_ARRAYS:
        raise FileError(f"{label}: holds {len(infos)} members (ministn reads at most "
                        f"{MAX_ARRAYS} arrays from one file)")
    seen, members = set(), []
    for info in infos:
        name = info.filename
        if name in seen:
            raise FileError(f"{label}: member {name!r} appears twice (a tampered archive)")
        seen.add(name)
        if not name.endswith(".npy") or info.is_dir():
            raise FileError(f"{label}: member {name!r} is not a .npy array "
                            "(an .npz holds only <key>.npy members)")
        if info.flag_bits & 0x1:
            raise FileError(f"{label}: member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileError(f"{label}: member {name!r} uses zip compression method "
                            f"{info.compress_type}; np.savez writes only stored or deflated")
        key = name[:-len(".npy")]
        if allowed_keys is not None and key not in allowed_keys:
            expected = ", ".join(sorted(allowed_keys)) or "none"
            raise FileError(f"{label}: unknown array {key!r} (expected: {expected})")
        members.append((info, key))
    return members


def _read_header(archive, info, key, label):
    """A _Member from the first bytes of a member: only its .npy header is inflated."""
    try:
        with archive.open(info) as f:
            prefix = f.read(min(info.file_size, _HEADER_READ))
    except _CORRUPT as error:
        raise _corrupt(label, key, error) from None
    stream = io.BytesIO(prefix)
    try:
        version = np.lib.format.read_magic(stream)
        if version not in _HEADER_READERS:
            raise ValueError(f".npy format version {version[0]}.{version[1]} is not read "
                             "by ministn")
        shape, fortran_order, dtype = _HEADER_READERS[version](stream, _MAX_HEADER_SIZE)
        if any(n < 0 for n in shape):
            raise ValueError(f"negative dimension in shape {shape}")
        if dtype.subdtype is not None or dtype.itemsize == 0:
            raise ValueError(f"sub-array or zero-size dtype {dtype} (np.save never writes one)")
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError) as error:
        raise FileError(f"{label}: array {key!r} has a bad .npy header "
                        f"({_one_line(error)})") from None
    return _Member(info, key, stream.tell(), shape, dtype, fortran_order)


def _check_member(member, label, total, max_bytes):
    """Refuse pickles, arrays over the limit and sizes that disagree; the new total bytes."""
    key, shape, dtype, info = member.key, member.shape, member.dtype, member.info
    if dtype.hasobject:
        raise FileError(f"{label}: array {key!r} contains pickled (object) data; "
                        "ministn never unpickles")
    n_bytes = array_bytes(shape, dtype)
    total += n_bytes
    if n_bytes > max_bytes:
        raise FileError(f"{label}: array {key!r} declares shape {shape} {dtype}, "
                        f"{format_bytes(n_bytes)} {limit_hint(max_bytes)}")
    if total > max_bytes:
        raise FileError(f"{label}: its arrays declare {format_bytes(total)} in all, up to "
                        f"array {key!r} (shape {shape} {dtype}, {format_bytes(n_bytes)}) "
                        f"{limit_hint(max_bytes)}")
    if not _fits_numpy(shape, dtype):    # zero bytes, but a dimension beyond an intp
        raise FileError(f"{label}: array {key!r} has a bad .npy header (shape {shape} is "
                        "beyond what numpy can index)")
    expected = member.header_bytes + n_bytes
    if info.file_size != expected:
        raise FileError(f"{label}: array {key!r} is corrupt: its header declares {expected} "
                        f"bytes (shape {shape} {dtype}) but the zip entry holds "
                        f"{info.file_size}")
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise FileError(f"{label}: array {key!r} is corrupt: stored with {info.compress_size}"
                        f" bytes for {info.file_size}")
    return total


def _read_array(archive, member, label):
    """The member's array, read in chunks of exactly its declared bytes (CRC checked)."""
    n_bytes = array_bytes(member.shape, member.dtype)
    flat = np.empty(n_bytes, dtype=np.uint8)
    buffer = memoryview(flat)
    try:
        with archive.open(member.info) as f:
            f.read(member.header_bytes)
            done = 0
            while done < n_bytes:
                chunk = f.read(min(_CHUNK, n_bytes - done))
                if not chunk:
                    raise EOFError("compressed data ends early")
                buffer[done:done + len(chunk)] = chunk
                done += len(chunk)
    except _CORRUPT as error:
        raise _corrupt(label, member.key, error) from None
    array = flat.view(member.dtype)
    if member.fortran_order:                 # as np.lib.format.read_array does
        return array.reshape(member.shape[::-1]).transpose()
    return array.reshape(member.shape)


def _open_archive(f, label):
    """A ZipFile on the open file ``f``, after telling a .npy or a text file from an .npz."""
    try:
        start = f.read(8)
    except OSError as error:
        raise FileError(f"{label}: {describe_open_error(error)}") from None
    if not start:
        raise FileError(f"{label}: is empty (0 bytes)")
    if start.startswith(b"\x93NUMPY"):
        raise FileError(f"{label}: is a .npy file, not an .npz archive")
    if not start.startswith(b"PK"):
        raise FileError(f"{label}: is not an .npz file (not a zip archive)")
    try:
        f.seek(0)
        return zipfile.ZipFile(f)
    except _CORRUPT as error:
        raise FileError(f"{label}: is truncated or corrupt ({_one_line(error)})") from None


def read_npz(path, what="case", max_bytes=MAX_BYTES_DEFAULT, allowed_keys=None):
    """The arrays of an .npz file as a dict ``{key: ndarray}``, read within a memory bound.

    path: the file. what: how it is named in messages ("case", "checkpoint", ...).
    max_bytes: the most bytes all arrays together may declare; the default, 2 GiB, is
    ``MAX_BYTES_DEFAULT``. allowed_keys: if given, any other array name is refused.
    Raises FileError (one line, "<what> <path>: <reason>") for a missing, unreadable,
    empty, truncated or corrupt file, a file that is not an .npz, a pickled (object) array,
    arrays over ``max_bytes``, duplicate or non-.npy members, unknown keys and CRC errors;
    no array data is inflated before every header has passed. Nothing is ever unpickled.
    """
    label = f"{what} {path}"
    check_input(path, what)
    try:
        f = open(path, "rb")
    except OSError as error:
        raise FileError(f"{label}: {describe_open_error(error)}") from None
    with f, _open_archive(f, label) as archive:
        members = [_read_header(archive, info, key, label)
                   for info, key in _check_names(archive, label, allowed_keys)]
        total = 0
        for member in members:
            total = _check_member(member, label, total, max_bytes)
        return {member.key: _read_array(archive, member, label) for member in members}
