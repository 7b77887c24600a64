"""The one error type that means "the user asked for something impossible".

Every error a user can cause (a bad flag, a missing or malformed file, a run directory in
use, a case that cannot be computed) is a ``MinistnError`` subclass whose message is one line
naming the argument and what was expected. The command line prints it as ``error: ...`` and
exits with status 2; a script can catch ``MinistnError`` to handle all of them at once.
"""


class MinistnError(Exception):
    """A user error, reported as one line: no traceback."""
