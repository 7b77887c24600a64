"""Atomic writes: the new content appears under the final name whole, or not at all.

    with write_atomically("runs/x/checkpoint.npz") as f:
        np.savez(f, **arrays)

The content is written to a temporary file in the same folder (so that the rename stays on
one file system) and flushed to disk; ``os.replace`` then renames it over the target, which
POSIX and Windows guarantee to be atomic. If anything fails before the rename, including
Ctrl-C, the temporary file is removed and the old target, if any, is untouched.
"""
import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import MinistnError


class FileError(MinistnError, OSError):
    """A file that cannot be read or written, as one line naming the file and the reason."""


# errors of writing a file (as opposed to, say, a connection reset in the block)
WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS, errno.EACCES,
                errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EBADF}


def describe_os_error(error):
    """'permission denied', 'no space left on device', ... (the OS's words, without errno)."""
    reason = error.strerror or type(error).__name__
    return reason[:1].lower() + reason[1:]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def write_atomically(path, mode="wb", what="output"):
    """Yield a file opened for writing; on success it replaces ``path`` atomically.

    mode: "wb" or "w" (text, UTF-8). what: how the file is named in an error message.
    A failure to write (a full disk, a read-only or vanished folder, no permission) is
    reported as FileError: "cannot write <what> <path>: <reason>". Any other exception raised
    inside the block (a network error while streaming a download) passes through unchanged;
    either way the target is untouched.
    """
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    except OSError as error:
        raise FileError(f"cannot write {what} {path}: {describe_os_error(error)}") from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())    # mkstemp makes files private (0600)
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(handle, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except FileError:
        raise
    except OSError as error:
        if error.errno not in WRITE_ERRORS:
            raise
        raise FileError(f"cannot write {what} {path}: {describe_os_error(error)}") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
