"""Gradescope's ``results.json`` (the autograder specification), validated by
``schema/gradescope.schema.json``.

One test per case, named ``exercise · case`` and numbered ``<exercise>.<case>`` (1-based, in
rubric order), tagged with the exercise id and the case category; per-test output is Markdown
(``output_format: "md"``). Hidden cases get ``visibility: "after_published"``: students see
them, with the grader's fixed hidden-case text, once the instructor publishes grades, and not
before (``"hidden"`` would keep them from students for good). Every other test is
``"visible"``. The submission-level ``execution_time`` is the grading time in seconds;
each test's own time is in its ``extra_data.execution_time`` (the spec has no per-test field).

Hidden points stay unseen until publication: the spec makes the top-level ``score`` optional
when every test has one and, when given, it *overrides* the tests' total, which students see
at once. So with hidden tests there is no top-level ``score`` (Gradescope adds up the tests,
hidden ones included, and shows each test per its visibility), and the top-level ``output``
(the per-exercise table students read) counts the visible tests only and says how many points
are still to come. ``extra_data.sandbox`` and the output name the sandbox that ran the code.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from grader import messages as msg
from grader.model import CaseResult, ExerciseResult, GradeReport
from grader.reporters.markdown import case_markdown, fence, fmt_points, score_table
from grader.untrusted import shown_report

__all__ = ["HIDDEN_VISIBILITY", "GradescopeReporter"]

#: visibility of hidden cases (see the module docstring)
HIDDEN_VISIBILITY = "after_published"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)


def _test(number: str, exercise: ExerciseResult, case: CaseResult) -> dict[str, Any]:
    if case.passed:
        output = ""
    elif exercise.message:
        output = fence(exercise.message)
    else:
        output = case_markdown(case)
    tags = [exercise.id] + ([case.category] if case.category else [])
    return {
        "name": f"{exercise.id} · {case.title or case.name}",
        "number": number,
        "score": _number(case.score),
        "max_score": _number(case.max_score),
        "status": "passed" if case.passed else "failed",
        "output": output,
        "output_format": "md",
        "tags": tags,
        "visibility": HIDDEN_VISIBILITY if case.hidden else "visible",
        "extra_data": {"outcome": case.outcome.value, "execution_time": round(case.seconds, 6)},
    }


class GradescopeReporter:
    """``results.json`` for Gradescope's autograder harness."""

    name = "gradescope"
    default_filename = "results.json"

    def render(self, report: GradeReport) -> str:
        """The report as Gradescope results JSON (control characters of what a student wrote
        escaped: Gradescope renders the Markdown in a browser)."""
        report = shown_report(report)
        tests = [
            _test(f"{i}.{j}", exercise, case)
            for i, exercise in enumerate(report.exercises, start=1)
            for j, case in enumerate(exercise.cases, start=1)
        ]
        visible = _visible(report)
        hidden_points = report.max_score - visible.max_score
        total = msg.t(
            "total_line", score=fmt_points(visible.score), max_score=fmt_points(visible.max_score)
        )
        summary = f"**{total}**\n\n{score_table(visible)}"
        if hidden_points > 0:
            summary += "\n\n" + msg.t("gs_hidden_pending", points=fmt_points(hidden_points))
        summary += "\n\n" + msg.t("gs_sandbox", mode=report.sandbox)
        notes = [f"{e.id}: {note}" for e in report.exercises for note in e.notes]
        if notes:
            summary += "\n\n" + fence("\n".join(notes))
        results: dict[str, Any] = {
            "execution_time": round(report.seconds, 3),
            "output": summary,
            "output_format": "md",
            "test_output_format": "md",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "extra_data": {"grader_version": report.grader_version, "sandbox": report.sandbox},
            "tests": tests,
        }
        if hidden_points <= 0 and not any(t["visibility"] != "visible" for t in tests):
            results = {"score": _number(report.score), **results}
        return json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _visible(report: GradeReport) -> GradeReport:
    """The report as students may see it before publication: hidden cases left out."""
    exercises = tuple(
        dataclasses.replace(e, cases=tuple(c for c in e.cases if not c.hidden))
        for e in report.exercises
    )
    return dataclasses.replace(report, exercises=exercises)
