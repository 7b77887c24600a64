"""MinistnError, the one type of error a user can cause: every user-error type is one, and the
command line turns any of them into one ``error: ...`` line and exit status 2."""
import pytest

import ministn.cli.download
from ministn.cli import main
from ministn.data import DataError
from ministn.errors import MinistnError
from ministn.files import FileError, LockedError, SizeError
from ministn.reference import CaseError
from ministn.training.checkpoint import CheckpointError
from ministn.training.config import ConfigError
from ministn.training.run import RunError

USER_ERRORS = [DataError, FileError, LockedError, SizeError, CaseError, CheckpointError,
               ConfigError, RunError]


@pytest.mark.parametrize("error", USER_ERRORS, ids=[e.__name__ for e in USER_ERRORS])
def test_every_user_error_is_a_ministn_error(error):
    assert issubclass(error, MinistnError)


@pytest.mark.parametrize("error", USER_ERRORS, ids=[e.__name__ for e in USER_ERRORS])
def test_a_command_prints_any_of_them_as_one_line_with_status_2(error, monkeypatch, capsys):
    def fails(args):
        raise error("the reason, on one line")
    monkeypatch.setattr(ministn.cli.download, "run", fails)
    assert main(["download", "mnist"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: the reason, on one line\n" and captured.out == ""


def test_a_bug_is_not_hidden_as_a_user_error(monkeypatch):
    """Anything else is a bug in ministn: it propagates with its traceback."""
    def fails(args):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(ministn.cli.download, "run", fails)
    with pytest.raises(ZeroDivisionError):
        main(["download", "mnist"])
