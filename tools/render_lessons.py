"""Render every lesson to a stand-alone HTML page with its outputs and figure, plus an index.

    pip install -e ".[docs]"                    # jupytext, nbclient, nbconvert, ipykernel, MathJax
    python tools/render_lessons.py OUT_DIR      # OUT_DIR/NN_topic.html for each lesson, OUT_DIR/index.html
    python tools/render_lessons.py OUT_DIR --quick          # MINISTN_QUICK=1: less data, fewer epochs

Each lesson (a `# %%` script) is read as a notebook by jupytext and executed top to bottom by
nbclient in a fresh Python kernel, in a temporary folder, with MINISTN_FIGURES pointing there.
A code cell that prints "wrote .../NN_topic.png" gets that PNG as an output, so the figure sits
under the code that drew it. nbconvert then writes the page with every image embedded (base64),
so a page stands alone but for the equations. Prose is Markdown; the lessons write their
displayed equations in LaTeX between $$ signs, which MathJax typesets in the browser: a copy of
MathJax 2 (from the jupyter-server-mathjax package of the docs extra) is written once to
OUT_DIR/mathjax/ and every page loads it from there. The other scripts that nbconvert's page
would load from the web (require.js) are removed, so a page opened offline loads nothing from
anywhere.
A lesson whose assertion fails stops the render with its error: a page is only written for a
lesson that ran to the end.
"""
import argparse
import base64
import html
import os
import pathlib
import re
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
WROTE = re.compile(r"^wrote (\S+\.png)\s*$", re.MULTILINE)
REMOTE_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>\s*')
MATHJAX = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"   # relative to a page
# the copy carries MathJax's STIX web fonts only (no TeX fonts): tell it to use them
MATHJAX_FONTS = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({"HTML-CSS": '
                 '{availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}});'
                 '</script>\n')
MULTIPLY = re.compile(r"(?<=[\w)\]])\*(?=[\w(\[])")      # a*b in prose is a product, not emphasis


def lesson_paths():
    return sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def docstring_parts(path):
    """(title, description markdown) from the lesson's module docstring."""
    text = path.read_text().split('"""')[1].strip("\n")
    title, _, rest = text.partition("\n")
    lines, meta = [], []
    for line in rest.strip("\n").splitlines():
        key = line.split(":", 1)[0]
        if key in ("Assumes", "Run", "Writes") and ":" in line:
            meta.append([key, line.split(":", 1)[1].strip()])
        elif meta and line.startswith(" ") and line.strip():
            meta[-1][1] += " " + line.strip()
        else:
            lines.append(line)
    description = "\n".join(lines).strip()
    description += "\n\n" + "\n".join(f"- **{key}:** {value}" for key, value in meta)
    return title.rstrip("."), description


def prose(markdown):
    """Escape products such as C*kh*kw outside code and equations, so Markdown does not read
    them as emphasis."""
    out = []
    for line in markdown.splitlines():
        if line.startswith("    ") or "$" in line:
            out.append(line)
            continue
        pieces = line.split("`")
        pieces[::2] = [MULTIPLY.sub(r"\\*", piece) for piece in pieces[::2]]
        out.append("`".join(pieces))
    return "\n".join(out)


def notebook(path):
    import jupytext
    import nbformat

    nb = jupytext.read(path)
    title, description = docstring_parts(path)
    if nb.cells and nb.cells[0].cell_type == "code" and nb.cells[0].source.lstrip().startswith('"""'):
        nb.cells.pop(0)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = prose(cell.source)
    header = nbformat.v4.new_markdown_cell(f"[All lessons](index.html)\n\n# {title}\n\n{description}")
    setup = nbformat.v4.new_code_cell(f"__file__ = {str(path)!r}")   # the lessons locate figures/ from it
    setup.metadata["render_setup"] = True
    nb.cells = [header, setup] + nb.cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb, title


def embed_figures(nb):
    """Append each PNG a cell reports writing as an image output of that cell."""
    import nbformat

    found = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        for name in WROTE.findall(text):
            data = base64.b64encode(pathlib.Path(name).read_bytes()).decode("ascii")
            cell.outputs.append(nbformat.v4.new_output("display_data", data={"image/png": data}))
            found += 1
    return found


def render(path, out_dir, quick, timeout):
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb, title = notebook(path)
    with tempfile.TemporaryDirectory() as work:
        env = {"MINISTN_FIGURES": work, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        if quick:
            env["MINISTN_QUICK"] = "1"
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)                   # the kernel inherits this process's environment
        try:
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": work}}).execute()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        figures = embed_figures(nb)
    nb.cells = [c for c in nb.cells if not c.metadata.get("render_setup")]
    exporter = HTMLExporter(template_name="lab", mathjax_url=MATHJAX)
    exporter.exclude_input_prompt = exporter.exclude_output_prompt = True
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    target = out_dir / f"{path.stem}.html"
    page = page.replace(f'<script src="{MATHJAX}">', MATHJAX_FONTS + f'<script src="{MATHJAX}">', 1)
    target.write_text(REMOTE_SCRIPT.sub("", page), encoding="utf-8")
    return target, title, figures


def copy_mathjax(out_dir):
    """MathJax 2 into OUT_DIR/mathjax/ (once), where every page's script tag points."""
    import jupyter_server_mathjax

    source = pathlib.Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (out_dir / "mathjax" / "MathJax.js").is_file():
        shutil.copytree(source, out_dir / "mathjax", dirs_exist_ok=True)


def write_index(out_dir, entries, quick):
    items = "\n".join(f'  <li><a href="{html.escape(target.name)}">{html.escape(title)}</a></li>'
                      for target, title in entries)
    mode = " (quick mode: less data, fewer epochs)" if quick else ""
    (out_dir / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ministn lessons</title>
<style>body {{ font-family: sans-serif; max-width: 50em; margin: 2em auto; line-height: 1.5; }}
ul {{ list-style: none; padding-left: 0; }} li {{ margin: 0.4em 0; }}</style></head>
<body>
<h1>ministn lessons</h1>
<p>Spatial transformer networks from scratch, in NumPy: each chapter executed top to bottom{mode},
with its printed output and its figure. The source of each is <code>lessons/NN_topic.py</code>.</p>
<ul>
{items}
</ul>
</body></html>
""", encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=pathlib.Path, help="folder for NN_topic.html and index.html")
    parser.add_argument("--quick", action="store_true", help="run the lessons in quick mode (MINISTN_QUICK=1)")
    parser.add_argument("--only", nargs="*", default=None, help="lesson numbers or stems to render (default: all)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (600)")
    args = parser.parse_args(argv)
    try:
        import jupytext, nbclient, nbconvert, jupyter_server_mathjax  # noqa: F401
    except ImportError as error:
        print(f"error: {error.name} is missing; install the docs extra: pip install -e \".[docs]\"", file=sys.stderr)
        return 2
    paths = lesson_paths()
    if args.only:
        paths = [p for p in paths if any(p.stem == o or p.stem.startswith(f"{o}_") for o in args.only)]
    args.out_dir.mkdir(parents=True, exist_ok=True)
    copy_mathjax(args.out_dir)
    entries = []
    from nbclient.exceptions import CellExecutionError
    for path in paths:
        try:
            target, title, figures = render(path, args.out_dir, args.quick, args.timeout)
        except CellExecutionError as error:
            last = [line for line in str(error).strip().splitlines() if line.strip()][-1]
            print(f"error: {path.name} failed, no page written: {last}", file=sys.stderr)
            return 1
        print(f"wrote {target} ({figures} figure{'s' if figures != 1 else ''})")
        entries.append((target, title))
    write_index(args.out_dir, [(t, title) for t, title in entries], args.quick)
    print(f"wrote {args.out_dir / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
