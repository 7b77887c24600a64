"""One process per run directory: an advisory lock that dies with its holder.

Two trainings writing into the same ``runs/x`` would overwrite each other's checkpoints and
interleave their logs. ``RunLock`` prevents that:

    with RunLock("runs/x"):
        train(...)

It takes an exclusive ``fcntl.flock`` on ``runs/x/.lock`` without waiting, and writes the
holder's process id into that file (a refused process names it, with the holder's command
line where /proc has it). A second process fails at once with
one line:

    run directory runs/x is in use by process 1234 (python -m ministn train ...);
    wait for it or use another --out

``check_free()`` asks the same question without keeping the lock, so that a command can name
the holder before any other check (it holds a shared lock for an instant, in which another
process's ``acquire()`` would be refused).

The lock belongs to the open file, not to the file on disk, so the operating system releases
it when the holder exits *in any way*, SIGKILL and power loss included: a ``.lock`` file left
behind by a dead process is free to take, and there is never a stale lock to delete by hand.
The file itself is never deleted (deleting it would let two processes lock two different
files of the same name).

Limits: the lock is advisory (it stops other RunLocks, not other programs); children made
with ``fork`` share it until they exit; on network file systems ``flock`` may not lock
across machines. Where ``fcntl`` does not exist (Windows) RunLock does nothing.
"""
import os
import shlex
from pathlib import Path

from ..errors import MinistnError
from .atomic import FileError, describe_os_error

try:
    import fcntl
except ImportError:    # Windows: no flock; RunLock is a no-op there
    fcntl = None

LOCK_NAME = ".lock"


class LockedError(MinistnError):
    """The run directory is locked by another process, as one line naming that process."""


def _command_of(pid):
    """A running process's command line (Linux's /proc), e.g. 'python -m ministn train ...'."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            words = f.read().decode("utf-8", "replace").rstrip("\0").split("\0")
    except OSError:
        return ""
    words[0] = os.path.basename(words[0])
    text = shlex.join(words).replace("\n", " ")
    return text if len(text) <= 100 else text[:97] + "..."


def _holder(fd):
    """'process 1234 (python ...)' from a lock file's pid, or 'another process'."""
    try:
        lines = os.pread(fd, 4096, 0).decode("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    if not lines or not lines[0].strip().isdigit():
        return "another process"    # the holder has not written its pid yet
    pid = lines[0].strip()
    command = _command_of(pid)
    return f"process {pid}" + (f" ({command})" if command else "")


class RunLock:
    """An exclusive, non-blocking lock on ``<directory>/.lock``; a context manager.

    directory: the run directory (created if missing). flag: the option named in the
    message, "--out" by default. ``acquire()`` raises LockedError if another process holds
    the lock and FileError if the directory or lock file cannot be made; ``release()``
    (also called on leaving the ``with`` block) gives it back. Both are idempotent.
    """

    def __init__(self, directory, flag="--out"):
        self.directory = Path(directory)
        self.path = self.directory / LOCK_NAME
        self.flag = flag
        self._fd = None

    def acquire(self):
        """Take the lock now or raise LockedError; return self."""
        if fcntl is None or self._fd is not None:
            return self
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            raise FileError(f"cannot lock run directory {self.directory}: "
                            f"{describe_os_error(error)}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise self._locked(holder) from None
        except OSError as error:    # e.g. ENOLCK: a file system without locks
            os.close(fd)
            raise FileError(f"cannot lock run directory {self.directory}: "
                            f"{describe_os_error(error)}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def check_free(self):
        """Raise LockedError now if another process holds the lock; create and keep nothing.

        For a command that would otherwise refuse for a lesser reason ("already holds a run")
        or work before ``acquire()``: it names the holder at once. Only ``acquire()`` makes
        the directory one's own; the file, if missing, is not created.
        """
        if fcntl is None or self._fd is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return                  # no lock file: no run there yet (acquire() reports the rest)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)   # shared, and released at once
        except BlockingIOError:
            raise self._locked(_holder(fd)) from None
        except OSError:
            pass                    # a file system without locks: acquire() reports it
        finally:
            os.close(fd)

    def _locked(self, holder):
        return LockedError(f"run directory {self.directory} is in use by {holder}; "
                           f"wait for it or use another {self.flag}")

    def release(self):
        """Give the lock back (the .lock file stays, emptied)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @property
    def held(self):
        """Whether this object holds the lock now (always False without fcntl)."""
        return self._fd is not None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()

    def __repr__(self):
        return f"RunLock({str(self.directory)!r}, held={self.held})"
