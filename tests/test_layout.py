"""The package's layers import only downwards (docs/layout.md): nothing imports the command
line, nothing below plotting imports plotting, and the core imports nothing of ministn above it."""
import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "ministn"

# bottom-up, as in docs/layout.md: a layer may import itself and the layers before it
LAYERS = ["backend", "parallel", "autograd", "gradcheck", "errors", "machine", "files", "functional", "nn",
          "optim", "data", "distortions", "models", "training", "experiments", "reference",
          "bench", "plotting", "cli"]


# Tensor's operators (x + y, x @ y) are functional's ops: autograd imports it at its end, the
# one import that goes upwards on purpose
ALLOWED = {("autograd", "functional")}


def layer_of(parts):
    return parts[0].removesuffix(".py") if parts else None


def imported_layers(path):
    """The top-level ministn names that a module imports (relative or absolute imports)."""
    here = path.relative_to(PACKAGE).parts
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(here[:len(here) - node.level])
                target = base + (node.module.split(".") if node.module else [])
                names = [target] if node.module or base else [[a.name] for a in node.names]
                if not node.module and not base:
                    names = [[a.name] for a in node.names]
            elif node.module and node.module.split(".")[0] == "ministn":
                names = [node.module.split(".")[1:] or [a.name for a in node.names][:1]]
            else:
                continue
            for target in names:
                if target:
                    yield layer_of(target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "ministn" and len(parts) > 1:
                    yield parts[1]


def test_every_module_imports_only_its_own_layer_and_those_below():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        own = layer_of(path.relative_to(PACKAGE).parts)
        if own in ("__init__", "__main__"):
            continue
        assert own in LAYERS, f"{path}: add its folder to LAYERS and docs/layout.md"
        for name in set(imported_layers(path)):
            if (name in LAYERS and LAYERS.index(name) > LAYERS.index(own)
                    and (own, name) not in ALLOWED):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not wrong, wrong


def test_only_the_command_layer_reads_sys_argv_or_picks_a_backend():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.relative_to(PACKAGE).parts[0] != "cli"
                 and ("sys.argv" in p.read_text() or "matplotlib.use(" in p.read_text())]
    assert not offenders, offenders
