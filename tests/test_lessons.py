"""Every lesson runs top to bottom in quick mode and writes its figure.

Quick mode (MINISTN_QUICK=1) shrinks data and epochs; MINISTN_FIGURES sends the figure to a
temporary folder, so the committed figures/ are never rewritten by the tests. Each lesson ends
with its own assertion, so exit status 0 means the lesson's claim held.
"""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))


def test_there_are_lessons_with_committed_figures():
    assert LESSONS, "no lessons found in lessons/"
    for lesson in LESSONS:
        assert (ROOT / "figures" / f"{lesson.stem}.png").is_file(), f"figures/{lesson.stem}.png is missing"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_in_quick_mode_and_writes_its_figure(lesson, tmp_path):
    # One BLAS thread: the lessons' matrices are small, and on a shared 2-core runner threaded
    # BLAS spends more time waiting for cores than computing (measured 3x slower under load).
    env = dict(os.environ, MINISTN_QUICK="1", MINISTN_FIGURES=str(tmp_path), MPLBACKEND="Agg",
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    result = subprocess.run([sys.executable, str(lesson)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{lesson.name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    figure = tmp_path / f"{lesson.stem}.png"
    assert figure.is_file() and figure.stat().st_size > 10_000, f"{lesson.name} did not write {figure.name}"
