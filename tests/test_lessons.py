"""Every lesson runs top to bottom in quick mode and writes its figure; every solution runs; the
rendered pages hold their figures.

Quick mode (MINISTN_QUICK=1) shrinks data and epochs; MINISTN_FIGURES sends the figure to a
temporary folder, so the committed figures/ are never rewritten by the tests. Each lesson ends
with its own assertion, so exit status 0 means the lesson's claim held.
"""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))
SOLUTIONS = sorted((ROOT / "lessons" / "solutions").glob("[0-9][0-9]_*.py"))
# One BLAS thread: the lessons' matrices are small, and on a shared 2-core runner threaded BLAS
# spends more time waiting for cores than computing (measured 3x slower under load).
QUICK_ENV = dict(MINISTN_QUICK="1", MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                 MKL_NUM_THREADS="1", PYTHONPATH=str(ROOT))


def run_quick(script, cwd, **extra):
    env = dict(os.environ, **QUICK_ENV, **extra)
    return subprocess.run([sys.executable, str(script)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=180)


def test_there_are_lessons_with_committed_figures():
    assert len(LESSONS) >= 12, "fewer lessons than expected in lessons/"
    numbers = [int(p.name[:2]) for p in LESSONS]
    assert numbers == list(range(1, len(LESSONS) + 1)), f"lessons are not numbered 01..NN in order: {numbers}"
    for lesson in LESSONS:
        assert (ROOT / "figures" / f"{lesson.stem}.png").is_file(), f"figures/{lesson.stem}.png is missing"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_ends_with_its_check_and_exercises(lesson):
    """The closing check (an assert in the last code cell before the exercises) names the
    mutation that would make it fail, and every solution a lesson points to exists."""
    text = lesson.read_text()
    assert "# Try this:" in text, f"{lesson.name} has no 'Try this' exercises"
    body, exercises = text.rsplit("# Try this:", 1)
    body = body.rstrip().removesuffix("# %% [markdown]")            # the exercises' own cell marker
    before_check, last_code_cell = body.rsplit("# %%\n", 1)
    assert "assert " in last_code_cell, f"{lesson.name}: the last code cell has no assertion"
    closing_note = before_check.rsplit("# %% [markdown]", 1)[1]
    assert re.search(r"fail", closing_note), f"{lesson.name}: the closing note does not say what makes the check fail"
    assert len(re.findall(r"^# \d\. ", exercises, re.MULTILINE)) in (2, 3), f"{lesson.name}: 2 or 3 exercises"
    for name in re.findall(r"lessons/solutions/(\w+\.py)", text):
        assert (ROOT / "lessons" / "solutions" / name).is_file(), f"{lesson.name} points to missing {name}"


def test_every_solution_belongs_to_a_lesson():
    stems = {p.stem for p in LESSONS}
    for solution in SOLUTIONS:
        assert solution.stem in stems, f"{solution.name} matches no lesson"
        lesson = ROOT / "lessons" / solution.name
        assert f"lessons/solutions/{solution.name}" in lesson.read_text(), f"{lesson.name} never mentions its solutions"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_in_quick_mode_and_writes_its_figure(lesson, tmp_path):
    result = run_quick(lesson, tmp_path, MINISTN_FIGURES=str(tmp_path))
    assert result.returncode == 0, f"{lesson.name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    figure = tmp_path / f"{lesson.stem}.png"
    assert figure.is_file() and figure.stat().st_size > 10_000, f"{lesson.name} did not write {figure.name}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solution_runs_and_its_answers_hold(solution, tmp_path):
    result = run_quick(solution, tmp_path)
    assert result.returncode == 0, f"{solution.name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"


DOCS_EXTRA = ("jupytext", "nbclient", "nbconvert", "ipykernel", "jupyter_server_mathjax")


@pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in DOCS_EXTRA),
                    reason="the docs extra is not installed (pip install -e '.[docs]')")
def test_rendered_pages_hold_their_figures_and_an_index(tmp_path):
    out = tmp_path / "pages"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "render_lessons.py"), str(out), "--quick"],
                            cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                            text=True, timeout=1200)
    assert result.returncode == 0, f"render failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    index = (out / "index.html").read_text()
    for lesson in LESSONS:
        page = out / f"{lesson.stem}.html"
        assert page.is_file(), f"{page.name} was not written"
        text = page.read_text()
        assert text.count("data:image/png;base64,") >= 1, f"{page.name} holds no embedded figure"
        assert "Try this" in text and 'href="index.html"' in text
        assert f'href="{page.name}"' in index, f"index.html does not link {page.name}"
        assert not re.search(r'<script[^>]*src="https?://', text), f"{page.name} loads a script from the web"
        if "$$" in lesson.read_text():               # displayed equations: typeset by the local MathJax
            assert "$$" in text and 'src="mathjax/MathJax.js' in text, f"{page.name}: equations or MathJax missing"
    assert (out / "mathjax" / "MathJax.js").is_file(), "MathJax was not copied beside the pages"
    assert index.index(f'href="{LESSONS[0].stem}.html"') < index.index(f'href="{LESSONS[-1].stem}.html"')
