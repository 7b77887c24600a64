"""Paths given on the command line: check outputs before the work, read inputs as one line.

A command that trains for an hour and then fails to write its result has wasted the hour, and
one that writes its result over its own input has destroyed it. ``check_output`` therefore
runs *before* any work and refuses, with one line naming the flag:

    --out result.npz is the input file; choose another name
    --out runs is a directory; give a file name
    --out missing/result.npz: folder missing does not exist
    --out /result.npz: cannot write in folder / (permission denied)

Whether a folder is writable is found out by creating (and deleting) a temporary file in it:
``os.access`` can be wrong (network file systems, read-only mounts, access lists), an actual
attempt cannot.

``read_bytes`` and ``read_text`` read a whole (bounded) file and turn the operating system's
OSError into a ``FileError`` such as "config runs/x.json: no such file".
"""
import errno
import os
import stat
import tempfile
from pathlib import Path

from .atomic import FileError, describe_os_error
from .limits import MAX_BYTES_DEFAULT, format_bytes, limit_hint

_OPEN_ERRORS = {
    errno.ENOENT: "no such file",
    errno.ENOTDIR: "no such file (a folder in the path is a file)",
    errno.EISDIR: "is a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def describe_open_error(error):
    """'no such file', 'is a directory', 'permission denied', or the OS's own words."""
    reason = _OPEN_ERRORS.get(error.errno) or describe_os_error(error)
    return reason[:1].lower() + reason[1:]


def check_input(path, what="file"):
    """``os.stat`` of an existing regular file; FileError "<what> <path>: <reason>" otherwise."""
    try:
        info = os.stat(os.fspath(path))    # fspath: a str or Path, never a file descriptor
    except OSError as error:
        raise FileError(f"{what} {path}: {describe_open_error(error)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileError(f"{what} {path}: is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise FileError(f"{what} {path}: is not a regular file")
    return info


def read_bytes(path, what="file", max_bytes=MAX_BYTES_DEFAULT):
    """The whole content of ``path`` as bytes; FileError if unreadable or over ``max_bytes``."""
    size = check_input(path, what).st_size
    if size > max_bytes:
        raise FileError(f"{what} {path}: is {format_bytes(size)} {limit_hint(max_bytes)}")
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)    # the file may have grown since os.stat
    except OSError as error:
        raise FileError(f"{what} {path}: {describe_open_error(error)}") from None
    if len(data) > max_bytes:
        raise FileError(f"{what} {path}: is over {format_bytes(max_bytes)} "
                        f"{limit_hint(max_bytes)}")
    return data


def read_text(path, what="file", max_bytes=MAX_BYTES_DEFAULT):
    """The whole content of ``path`` decoded as UTF-8; FileError if it is not UTF-8 text."""
    data = read_bytes(path, what, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileError(f"{what} {path}: is not UTF-8 text (byte 0x{data[error.start]:02x} "
                        f"at offset {error.start})") from None


def _same_file(a, b):
    """Whether paths a and b name one file: by inode when both exist, else by resolved path."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())
    except (OSError, RuntimeError):    # RuntimeError: a symlink loop (Python < 3.13)
        return False


def check_output(path, inputs=(), what="--out"):
    """Refuse an output file that cannot or must not be written; return it as a Path.

    path: the output file. inputs: the input files of the same command (str or Path).
    what: the flag named in the message. Raises FileError (one line) when ``path`` is one of
    the inputs, is an existing directory or other non-regular file, or lies in a folder that
    does not exist or where a file cannot be created. Nothing is left behind.
    """
    given = os.fspath(path)    # messages show the path as the user spelled it
    path = Path(given)
    for source in inputs:
        if _same_file(path, Path(source)):
            spelled = "" if os.fspath(source) == given else f" {os.fspath(source)}"
            raise FileError(f"{what} {given} is the input file{spelled}; choose another name")
    if path.is_dir():
        raise FileError(f"{what} {given} is a directory; give a file name")
    if path.exists() and not path.is_file():
        raise FileError(f"{what} {given} exists and is not a regular file; choose another name")
    folder = path.parent
    if not folder.exists():
        raise FileError(f"{what} {given}: folder {folder} does not exist")
    if not folder.is_dir():
        raise FileError(f"{what} {given}: {folder} is not a folder")
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        raise FileError(f"{what} {given}: cannot write in folder {folder} "
                        f"({describe_open_error(error)})") from None
    return path


def check_writable_folder(folder, what="--out"):
    """A folder that is, or can be made, writable: it exists and takes a file, or its nearest
    existing ancestor does. FileError naming ``what`` otherwise; nothing is left behind."""
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise FileError(f"{what} {folder}: {existing} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise FileError(f"{what} {folder}: cannot write in folder {existing} "
                        f"({describe_open_error(error)})") from None
    return folder
