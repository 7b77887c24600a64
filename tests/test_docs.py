"""The documentation stays true to the tree: links resolve, every `docs §N` cited in the code
is a numbered heading of docs/spatial-semantics.md, and the README stays a front door."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEMANTICS = ROOT / "docs" / "spatial-semantics.md"


def _sources():
    for folder in ("ministn", "tests", "lessons", "tools"):
        yield from (ROOT / folder).rglob("*.py")


def _headings():
    return set(re.findall(r"^#+ (\d+(?:\.\d+)*)\.? ", SEMANTICS.read_text(encoding="utf-8"), re.M))


def test_every_section_cited_in_the_code_is_a_heading():
    headings, cited = _headings(), []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"docs (§[\d.§, -]+(?:and §[\d.]+)?)", text):
            cited += [(path.name, n.rstrip(".")) for n in re.findall(r"§(\d+(?:\.\d+)*)", match[1])]
    assert len(cited) > 30
    missing = sorted({(name, n) for name, n in cited if n not in headings})
    assert not missing, f"cited sections with no heading in {SEMANTICS.name}: {missing}"


def test_no_section_sign_outside_the_docs_convention():
    """A bare '§' would point nowhere: the code cites sections only as `docs §N`."""
    stray = [f"{path.relative_to(ROOT)}:{i}" for path in _sources() if path.name != "test_docs.py"
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "§" in line and "docs §" not in line]
    assert not stray, stray


def test_markdown_links_resolve():
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.name}: {target}")
    assert not broken, broken


def test_readme_is_a_front_door_of_at_most_300_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 300
