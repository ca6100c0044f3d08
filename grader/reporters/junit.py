"""JUnit XML for CI dashboards: one ``<testsuite>`` per exercise, one ``<testcase>`` per case.

Wrong answers are ``<failure>``, student code that raised or died is ``<error>``, skipped cases
are ``<skipped>``. The failure text is the student-facing message (expected before got), the
mismatch table and the hint; printed output goes to ``<system-out>``. Points travel as
``<properties>``. Checked against ``schema/junit.xsd`` and read back by junitparser.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from grader import messages as msg
from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.reporters.markdown import fmt_points, input_lines
from grader.reporters.terminal import text_table
from grader.untrusted import printable

if TYPE_CHECKING:
    from xml.etree import ElementTree as ET

__all__ = ["JunitReporter"]

# XML 1.0 forbids most control characters even when escaped; student output may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """``text`` valid in XML 1.0 (forbidden characters replaced) and with every other control
    character, bidirectional override and lone surrogate shown as an escape (`printable`):
    CI dashboards render these attributes and texts in a browser."""
    return printable(_NOT_XML.sub("\ufffd", text))


def _seconds(value: float) -> str:
    return f"{value:.6f}"


def _counts(cases: tuple[CaseResult, ...]) -> dict[str, str]:
    return {
        "tests": str(len(cases)),
        "failures": str(sum(c.outcome is Outcome.FAILED for c in cases)),
        "errors": str(sum(c.outcome is Outcome.ERRORED for c in cases)),
        "skipped": str(sum(c.outcome is Outcome.SKIPPED for c in cases)),
    }


def _body(case: CaseResult, exercise: ExerciseResult) -> str:
    lines = [case.message or exercise.message]
    rows = case.details.get("rows") or []
    if rows:
        head = [msg.t("col_index"), msg.t("got"), msg.t("expected")]
        lines.extend(text_table([head, *[[str(cell) for cell in row] for row in rows]]))
    inputs = input_lines(case)
    if inputs:
        lines.append(msg.label("inputs").rstrip())
        lines.extend(f"  {line}" for line in inputs)
    if case.hint:
        lines.append(f"{msg.label('hint')}{case.hint}")
    return _clean("\n".join(line for line in lines if line))


def _testcase(parent: ET.Element, exercise: ExerciseResult, case: CaseResult) -> None:
    from xml.etree import ElementTree as ET

    element = ET.SubElement(
        parent,
        "testcase",
        name=_clean(case.title or case.name),
        classname=exercise.id,
        time=_seconds(case.seconds),
    )
    if exercise.file:
        element.set("file", _clean(exercise.file))
    if exercise.line:
        element.set("line", str(exercise.line))
    body = _body(case, exercise)
    source = case.message or exercise.message or case.reason or case.outcome.value
    headline = _clean(source.splitlines()[0])
    if case.outcome is Outcome.FAILED:
        child = ET.SubElement(element, "failure", message=headline, type=case.reason or "wrong")
        child.text = body
    elif case.outcome is Outcome.ERRORED:
        child = ET.SubElement(element, "error", message=headline, type=case.reason or "error")
        child.text = body
    elif case.outcome is Outcome.SKIPPED:
        ET.SubElement(element, "skipped", message=headline)
    output = case.details.get("output")
    if output:
        ET.SubElement(element, "system-out").text = _clean(str(output))


class JunitReporter:
    """JUnit XML (the Ant/Jenkins dialect every CI dashboard reads)."""

    name = "junit"
    default_filename = "junit.xml"

    def render(self, report: GradeReport) -> str:
        """The report as a JUnit XML document."""
        from xml.etree import ElementTree as ET

        cases = tuple(c for e in report.exercises for c in e.cases)
        root = ET.Element(
            "testsuites",
            {"name": "grade", **_counts(cases), "time": _seconds(report.seconds)},
        )
        for index, exercise in enumerate(report.exercises):
            seconds = _seconds(sum(c.seconds for c in exercise.cases))
            suite = ET.SubElement(
                root,
                "testsuite",
                {"name": exercise.id, "id": str(index), **_counts(exercise.cases), "time": seconds},
            )
            properties = ET.SubElement(suite, "properties")
            for key, value in (
                ("title", exercise.title),
                ("file", exercise.file),
                ("score", fmt_points(exercise.score)),
                ("max_score", fmt_points(exercise.max_score)),
            ):
                ET.SubElement(properties, "property", name=key, value=_clean(value))
            for case in exercise.cases:
                _testcase(suite, exercise, case)
            if exercise.notes:
                ET.SubElement(suite, "system-out").text = _clean("\n".join(exercise.notes))
        ET.indent(root, space="  ")
        text = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'
