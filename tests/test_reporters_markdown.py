"""The Markdown reporter: golden output, fences student text cannot escape, table cells."""

from __future__ import annotations

from collections.abc import Callable

from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.reporters import REPORTERS
from grader.reporters.markdown import MarkdownReporter, fence


def test_registered() -> None:
    """The CLI offers --format markdown."""
    from grader.grade_command import _format_option

    assert MarkdownReporter is type(REPORTERS["markdown"])
    assert "markdown" == REPORTERS["markdown"].name == _format_option("markdown")


def test_golden(sample_report: GradeReport, golden: Callable[[str, str], None]) -> None:
    """The sample report renders exactly as the golden file."""
    golden("sample.md", MarkdownReporter().render(sample_report))


def test_fence_outlasts_backticks_inside() -> None:
    """Printed text with a backtick run cannot close the fence around it."""
    assert "````text\na ``` b\n````" == fence("a ``` b")


def test_all_passed_says_so() -> None:
    """A full-marks report has no failure section and says every case passed."""
    case = CaseResult("c", Outcome.PASSED, 1.0, 1.0)
    report = GradeReport("s", (ExerciseResult("ex", "Ex", "ex.py", (case,)),))
    text = MarkdownReporter().render(report)
    assert "every case passed" in text
    assert "###" not in text


def test_pipes_in_names_stay_in_their_cell() -> None:
    """A '|' in a title is escaped so the score table keeps three columns."""
    case = CaseResult("c", Outcome.PASSED, 1.0, 1.0)
    report = GradeReport("s", (ExerciseResult("ex", "a | b", "ex.py", (case,)),))
    row = next(line for line in MarkdownReporter().render(report).splitlines() if "a \\| b" in line)
    assert 4 == row.replace("\\|", "").count("|")
