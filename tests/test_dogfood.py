"""Every rubric: the reference solutions score full marks and the stubs score zero."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader import cli
from tests.conftest import EXERCISES, RUBRICS, SOLUTIONS

RUBRIC_IDS = sorted(p.stem for p in RUBRICS.glob("*.yaml"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], dict[str, Any]]:
    """The JSON report of a whole folder, hidden cases included, graded once per module."""
    reports: dict[Path, dict[str, Any]] = {}

    def grade(folder: Path) -> dict[str, Any]:
        if folder not in reports:
            out = tmp_path_factory.mktemp("dogfood") / "report.json"
            argv = [str(folder), "--include-hidden", "--rubrics", str(RUBRICS)]
            cli.main([*argv, "--format", "json", "--output", str(out), "--lang", "en"])
            reports[folder] = json.loads(out.read_text(encoding="utf-8"))
        return reports[folder]

    return grade


def _exercise(report: dict[str, Any], rubric_id: str) -> dict[str, Any]:
    return next(e for e in report["exercises"] if e["id"] == rubric_id)


@pytest.mark.parametrize("rubric_id", RUBRIC_IDS)
@pytest.mark.slow
def test_solution_scores_full_marks(graded, rubric_id: str) -> None:
    """The reference solution passes every case of its rubric, hidden ones included."""
    exercise = _exercise(graded(SOLUTIONS), rubric_id)
    assert exercise["max_score"] == exercise["score"]
    assert exercise["max_score"] > 0
    assert [] == [c["name"] for c in exercise["cases"] if not c["passed"]]


@pytest.mark.parametrize("rubric_id", RUBRIC_IDS)
@pytest.mark.slow
def test_stub_scores_zero_with_not_implemented(graded, rubric_id: str) -> None:
    """The exercise stub scores zero and says it is not implemented yet."""
    exercise = _exercise(graded(EXERCISES), rubric_id)
    assert 0 == exercise["score"]
    assert "not implemented yet" in exercise["message"]
    assert {"not_implemented"} == {c["reason"] for c in exercise["cases"]}


@pytest.mark.slow
def test_solutions_exit_zero_and_stubs_exit_one(run_grade) -> None:
    """`grade solutions/` exits 0 and `grade exercises/` exits 1, as the README promises."""
    assert 0 == run_grade(str(SOLUTIONS)).code
    assert 1 == run_grade(str(EXERCISES)).code


@pytest.mark.slow
def test_every_exercise_has_stub_solution_and_rubric() -> None:
    """Each rubric names a file that exists both as a stub and as a reference solution."""
    import yaml

    for rubric in RUBRICS.glob("*.yaml"):
        data = yaml.safe_load(rubric.read_text(encoding="utf-8"))
        assert (EXERCISES / data["file"]).is_file(), data["file"]
        assert (SOLUTIONS / data["file"]).is_file(), data["file"]
        assert Path(data["file"]).stem == data["id"]


@pytest.mark.parametrize("stub", sorted(EXERCISES.glob("*.py")), ids=lambda p: p.name)
def test_stub_explains_itself_in_english_and_japanese(stub: Path) -> None:
    """Each stub's module docstring explains it in English and in Japanese, with LaTeX."""
    import ast

    tree = ast.parse(stub.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    japanese = any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in doc)
    assert japanese
    assert " the " in doc
    assert "\\" in doc
