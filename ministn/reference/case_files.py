"""Case and result files: ``.npz`` archives read with every size checked, written atomically.

``load_case`` reads through ``ministn.files.read_npz``: no pickles, and every array's declared
shape and dtype checked against ``max_bytes`` before anything is inflated, so a deflate bomb
or a damaged archive is one ``FileError`` line. ``save_result`` replaces its file whole or
not at all.
"""
import numpy as np

from ..files import MAX_BYTES_DEFAULT, read_npz, write_atomically


def load_case(path, max_bytes=MAX_BYTES_DEFAULT):
    """A case dict (name -> array) from an .npz file."""
    return read_npz(path, what="case", max_bytes=max_bytes)


def save_result(path, result):
    """Write the result dict as an .npz file, atomically."""
    with write_atomically(path, what="result") as f:
        np.savez(f, **result)
