"""ministn.files: every file ministn reads or writes goes through this small layer.

atomic.py   write_atomically: a temporary file in the target's folder, renamed into place
            (so a crash or Ctrl-C never leaves a half-written file under the final name)
FileError   an operating-system or format problem with a file, as one line
"""
from .atomic import FileError, write_atomically
