"""The command line's one entry point, main: every command documented, user errors and Ctrl-C
as one line, and matplotlib's backend chosen only when run from the command line."""
import sys

import matplotlib
import pytest

import ministn.cli.download
from ministn.cli import COMMANDS, main


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_help_that_describes_it(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([command, "--help"])
    assert exit.value.code == 0
    assert getattr(ministn.cli, command).__doc__.splitlines()[0] in capsys.readouterr().out


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["transmogrify"])
    assert exit.value.code == 2
    assert "invalid choice: 'transmogrify'" in capsys.readouterr().err


def test_ctrl_c_in_a_command_is_one_line_and_status_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(ministn.cli.download, "run", interrupted)
    assert main(["download", "mnist"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_the_backend_is_chosen_only_from_the_command_line(monkeypatch):
    chosen = []
    monkeypatch.setattr(matplotlib, "use", chosen.append)
    monkeypatch.setattr(ministn.cli.download, "run", lambda args: 0)
    assert main(["download", "mnist"]) == 0
    assert chosen == []                              # a script or notebook keeps its own
    monkeypatch.setattr(sys, "argv", ["ministn", "download", "mnist"])
    assert main() == 0
    assert chosen == ["Agg"]
