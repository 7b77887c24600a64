"""The README's code examples run as written (the README is the front door: keep it true)."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_gradcheck_example_runs_and_passes():
    block = next(b for b in _python_blocks() if "class Softplus" in b)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["ministn"].gradcheck(namespace["Softplus"].apply, [namespace["x"]]) is True


def test_readme_commands_exist():
    """Every `python -m ministn <command>` the README names is a real command."""
    from ministn.cli import COMMANDS
    named = set(re.findall(r"python -m ministn (\w+)", README.read_text(encoding="utf-8")))
    assert named, "the README names no command"
    assert named <= set(COMMANDS), f"README names unknown commands: {named - set(COMMANDS)}"
