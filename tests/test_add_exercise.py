"""Adding an exercise is a rubric, a stub and a reference, and breaks nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import cli
from grader.release.build import Course, build_release
from grader.release.check import check_release

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # grades a whole pack and builds a release

RUBRIC = """\
id: scale
title: {en: Scaling, ja: スケーリング}
file: scale.py
function: scale
order: 50
cases:
  - name: doubles
    args: [[1.0, 2.0, 3.0]]
    points: 2
  - name: random
    args: [{random: normal, shape: [4]}]
    kwargs: {factor: 3.0}
  - name: hidden
    args: [{random: uniform, shape: [5]}]
    hidden: true
misconceptions:
  - id: adds
    function: adds
    hint: {en: "you added the factor instead of multiplying by it", ja: "掛けずに足しています。"}
"""
STUB = '"""Scale x."""\n\n\ndef scale(x, factor=2.0):\n    raise NotImplementedError\n'
REFERENCE = "def scale(x, factor=2.0):\n    return x * factor\n"
VARIANTS = "def adds(x, factor=2.0):\n    return x + factor\n"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of this course with one more exercise, written as CONTRIBUTING says."""
    for name in ("rubrics", "solutions", "exercises"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "rubrics" / "scale.yaml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "exercises" / "scale.py").write_text(STUB, encoding="utf-8")
    (tmp_path / "solutions" / "scale.py").write_text(REFERENCE, encoding="utf-8")
    (tmp_path / "solutions" / "misconceptions" / "scale.py").write_text(VARIANTS)
    return tmp_path


def test_a_new_exercise_passes_the_dogfood_checks(course: Path, capsys) -> None:
    """check-rubrics is clean, the references score full, the stubs zero, and a release of
    the larger course proves itself, new exercise and its named mistake included."""
    rubrics = str(course / "rubrics")
    assert 0 == cli.main(["check-rubrics", "--rubrics", rubrics])
    assert 0 == cli.main([str(course / "solutions"), "--rubrics", rubrics])
    assert 1 == cli.main([str(course / "exercises"), "--rubrics", rubrics])
    out = capsys.readouterr().out
    assert "FAIL scale · Scaling (0/3 pts)" in out
    release = course.parent / "release"
    build_release(Course.beside(course / "rubrics"), release, lock=False)
    findings = check_release(Course.beside(course / "rubrics"), release)
    assert [] == [str(f) for f in findings if not f.ok]
    assert any("scale · adds: named 'adds'" in f.text for f in findings)
