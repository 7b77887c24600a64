"""The IDX file format of MNIST (http://yann.lecun.com/exdb/mnist/), gzip-compressed or raw.

An IDX file is a header followed by the array's bytes, big-endian, row-major:

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
                0x0E float64
    byte  3     number of dimensions, d
    then        d sizes, each a big-endian uint32
    then        prod(sizes) elements

MNIST images are ``0x00000803`` (uint8, 3-D: count x 28 x 28), labels ``0x00000801`` (uint8,
1-D). The reader checks every part of the header and that the data is exactly as long as the
header says, so a truncated or corrupt download is an error that names the file, never a
reshape traceback later on.
"""
import gzip
import os
import zlib

import numpy as np
from ..errors import MinistnError

DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
GZIP_MAGIC = b"\x1f\x8b"


class DataError(MinistnError, ValueError):
    """Data that cannot be used: a missing, truncated or corrupt file, mismatched labels (the
    message names the file and the problem)."""


def read_bytes(path):
    """The file's content, gunzipped when it starts with the gzip magic number."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path} is not a valid gzip file (truncated or corrupt download?): "
                       f"{error}") from None


def parse_idx(raw, name="<bytes>"):
    """Decode IDX bytes into a NumPy array in native byte order."""
    if len(raw) < 4:
        raise DataError(f"{name} is too short for an IDX header ({len(raw)} bytes)")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in DTYPES:
        raise DataError(f"{name} is not an IDX file: bad magic number 0x{raw[:4].hex()} "
                       f"(expected 0x0000TTDD, TT an element type in "
                       f"{', '.join(f'{t:02x}' for t in DTYPES)})")
    ndim = raw[3]
    if ndim == 0:
        raise DataError(f"{name}: the IDX header says 0 dimensions")
    header_bytes = 4 + 4 * ndim
    if len(raw) < header_bytes:
        raise DataError(f"{name} is truncated inside its header ({len(raw)} of {header_bytes} bytes)")
    shape = tuple(int(n) for n in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(DTYPES[raw[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header_bytes
    if actual != expected:
        problem = "truncated" if actual < expected else "longer than its header says"
        raise DataError(f"{name} is {problem}: the header says shape {shape} ({expected} bytes of "
                       f"data) but the file holds {actual}")
    data = np.frombuffer(raw, dtype, offset=header_bytes).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read an IDX file (``.gz`` or raw) into a NumPy array; DataError if it is not valid."""
    return parse_idx(read_bytes(path), name=os.fspath(path))


def idx_bytes(array):
    """The IDX encoding of an array (the inverse of ``parse_idx``)."""
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("="): k for k, v in DTYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"array dtype must be one of {sorted(str(d) for d in codes)}, "
                        f"got {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"array must have 1 to 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + array.astype(DTYPES[code]).tobytes()


def write_idx(path, array):
    """Write an array as an IDX file, gzip-compressed when ``path`` ends in ``.gz``."""
    data = idx_bytes(array)
    if os.fspath(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
