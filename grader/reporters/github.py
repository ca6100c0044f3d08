"""GitHub Actions: workflow commands on stdout, read by the runner.

* the plain report, fenced by ``::stop-commands::TOKEN`` ... ``::TOKEN::`` so that nothing a
  student prints or raises can be taken for a workflow command (the token is random per run
  and is never known to the child that ran student code: the CLI makes it after grading);
* ``::error file=…,line=…,title=…::`` annotations at the graded function's line, for the
  first failed cases (GitHub shows at most 10 error annotations per step);
* the GitHub Classroom convention: a ``Points x/y`` notice and the
  ``{"totalPoints":x,"maxPoints":y}`` notice titled "Autograding report".

The job summary is the Markdown report; the CLI appends it to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import json
import os

from grader import messages as msg
from grader.model import GradeReport
from grader.reporters.markdown import fmt_points
from grader.reporters.terminal import TerminalReporter
from grader.untrusted import shown_report

__all__ = ["GithubReporter", "escape_data", "escape_property"]

#: GitHub shows at most this many error annotations per step
MAX_ANNOTATIONS = 10


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (as data, plus ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, message: str, **props: str | int | None) -> str:
    shown = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in props.items() if value
    )
    return f"::{name}{' ' + shown if shown else ''}::{escape_data(message)}"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


class GithubReporter:
    """Workflow commands for a GitHub Actions log; ``token`` fences echoed student text."""

    name = "github"
    default_filename = "github.txt"

    def __init__(self, token: str | None = None, max_annotations: int = MAX_ANNOTATIONS) -> None:
        self.token = token or os.urandom(16).hex()
        self.max_annotations = max_annotations

    def render(self, report: GradeReport) -> str:
        """The log text: fenced plain report, annotations, Classroom points (control
        characters of what a student wrote escaped in annotations too: GitHub renders them)."""
        report = shown_report(report)
        lines = [f"::stop-commands::{self.token}"]
        lines.append(TerminalReporter(color=False).render(report).rstrip("\n"))
        lines.append(f"::{self.token}::")
        annotations = self._annotations(report)
        lines.extend(annotations[: self.max_annotations])
        if len(annotations) > self.max_annotations:
            more = len(annotations) - self.max_annotations
            lines.append(_command("warning", msg.tn("more_failures", more)))
        points = msg.t(
            "classroom_points",
            score=fmt_points(report.score),
            max_score=fmt_points(report.max_score),
        )
        lines.append(_command("notice", points, title="Autograding complete"))
        totals = {"totalPoints": _number(report.score), "maxPoints": _number(report.max_score)}
        lines.append(
            _command(
                "notice", json.dumps(totals, separators=(",", ":")), title="Autograding report"
            )
        )
        return "\n".join(lines) + "\n"

    def _annotations(self, report: GradeReport) -> list[str]:
        found: list[str] = []
        for exercise in report.exercises:
            where: dict[str, str | int | None] = {"file": exercise.file, "line": exercise.line}
            if exercise.message:
                text = exercise.message
                if exercise.hint:
                    text += f"\n{msg.label('hint')}{exercise.hint}"
                found.append(_command("error", text, **where, title=exercise.id))
                continue
            for case in exercise.cases:
                if case.passed:
                    continue
                text = case.message or msg.t(f"result_{case.outcome.value}")
                if case.hint:
                    text += f"\n{msg.label('hint')}{case.hint}"
                title = msg.t(
                    "annotation_title", exercise=exercise.id, case=case.title or case.name
                )
                kind = "warning" if case.outcome.value == "skipped" else "error"
                found.append(_command(kind, text, **where, title=title))
        return found
