"""ministn.files: every file ministn reads or writes goes through this small layer.

Every failure here is a ``MinistnError`` of one line that names the file (or the flag) and
the reason, so that a command can print ``error: <message>`` and exit 2.

atomic.py   write_atomically: a temporary file in the target's folder, renamed into place
            (so a crash or Ctrl-C never leaves a half-written file under the final name)
            FileError: an operating-system or format problem with a file
limits.py   check_array_bytes: refuse an array too large for memory before allocating it
            SizeError, MAX_BYTES_DEFAULT (2 GiB; raised with --max-mb)
npz.py      read_npz: an .npz file read in two passes, every header checked before any
            array is inflated (no deflate bombs, no pickles, bounded memory)
paths.py    check_output: refuse an output that is an input, a directory, or unwritable,
            before the work; check_writable_folder: the same for a run directory;
            read_bytes / read_text: whole files, OSError as FileError
lock.py     RunLock: one process per run directory (an flock the OS frees on exit)
            LockedError: the directory is in use, naming the holder's pid and command
"""
from .atomic import FileError, write_atomically
from .limits import MAX_BYTES_DEFAULT, SizeError, check_array_bytes, format_bytes
from .lock import LockedError, RunLock
from .npz import read_npz
from .paths import check_output, check_writable_folder, read_bytes, read_text
