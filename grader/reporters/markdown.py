"""The Markdown report: a score table and the failed cases, for an issue, a PR or an LMS comment.

The GitHub job summary and the Gradescope per-test output reuse `score_table` and
`case_markdown`, so the three read the same. Student-controlled text (messages quoting an
exception, printed output) only ever appears inside code fences longer than any backtick run
it contains, so it cannot turn into links, HTML or headings.
"""

from __future__ import annotations

import re
from typing import Any

from grader import messages as msg
from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.untrusted import shown_report

__all__ = [
    "MarkdownReporter",
    "case_markdown",
    "fence",
    "fmt_points",
    "hint_quote",
    "input_lines",
    "large_input",
    "percent",
    "score_table",
    "unconfined_line",
]

_MARK = {
    Outcome.PASSED: "✅",
    Outcome.FAILED: "❌",
    Outcome.ERRORED: "💥",
    Outcome.SKIPPED: "⏭️",
}
_RESULT_KEY = {
    Outcome.PASSED: "result_passed",
    Outcome.FAILED: "result_failed",
    Outcome.ERRORED: "result_errored",
    Outcome.SKIPPED: "result_skipped",
}


def fmt_points(value: float) -> str:
    """Points as students read them: ``2``, ``1.5``."""
    return f"{value:g}"


def percent(score: float, max_score: float) -> float:
    """``score`` as a percentage of ``max_score`` (100 when nothing was at stake)."""
    return 100.0 if max_score <= 0 else 100.0 * score / max_score


def outcome_label(outcome: Outcome) -> str:
    """A mark and a word for an outcome: ``❌ failed``."""
    return f"{_MARK[outcome]} {msg.t(_RESULT_KEY[outcome])}"


def exercise_outcome(exercise: ExerciseResult) -> Outcome:
    """The outcome shown for a whole exercise: the worst of its cases."""
    outcomes = {c.outcome for c in exercise.cases}
    for worst in (Outcome.ERRORED, Outcome.FAILED, Outcome.SKIPPED):
        if worst in outcomes:
            return worst
    return Outcome.PASSED


def fence(text: str, lang: str = "text") -> str:
    """``text`` in a code fence that no backtick run inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def score_table(report: GradeReport) -> str:
    """The per-exercise table with a total row."""
    lines = [
        f"| {msg.t('col_result')} | {msg.t('col_exercise')} | {msg.t('col_score')} |",
        "| --- | --- | ---: |",
    ]
    for exercise in report.exercises:
        lines.append(
            f"| {outcome_label(exercise_outcome(exercise))} "
            f"| {_cell(exercise.id)} · {_cell(exercise.title)} "
            f"| {fmt_points(exercise.score)}/{fmt_points(exercise.max_score)} |"
        )
    lines.append(
        f"| **{msg.t('total')}** | "
        f"| **{fmt_points(report.score)}/{fmt_points(report.max_score)}** |"
    )
    return "\n".join(lines)


def case_markdown(case: CaseResult) -> str:
    """One case's feedback: message, mismatch table, printed output and hint."""
    parts: list[str] = []
    if case.message:
        parts.append(fence(case.message))
    rows = case.details.get("rows") or []
    if rows:
        table = [
            f"| {msg.t('col_index')} | {msg.t('got')} | {msg.t('expected')} |",
            "| --- | ---: | ---: |",
        ]
        table.extend(
            f"| {_cell(str(i))} | `{_cell(str(g))}` | `{_cell(str(e))}` |" for i, g, e in rows
        )
        parts.append("\n".join(table))
    inputs = input_lines(case)
    if inputs:
        parts.append(f"{msg.label('inputs').rstrip()}\n\n{fence(chr(10).join(inputs))}")
    output = case.details.get("output")
    if output:
        parts.append(f"{msg.label('printed').rstrip()}\n\n{fence(str(output))}")
    if case.hint:
        parts.append(hint_quote(case.hint))
    return "\n\n".join(parts)


def hint_quote(hint: str) -> str:
    """A hint as a Markdown quote with its label in bold."""
    return f"> **{msg.label('hint').rstrip()}** {_cell(hint)}"


def large_input(item: dict[str, Any]) -> str:
    """A large input as a sentence: its shape, dtype and first values."""
    shape = tuple(item.get("shape") or ())
    return msg.t("input_large", shape=shape, dtype=item.get("dtype", ""), first=item.get("first"))


def input_lines(case: CaseResult) -> list[str]:
    """A failed case's inputs as plain lines (`grader.debugging`): each input's name and
    value, or its shape, dtype and first values, then the line that rebuilds it."""
    lines: list[str] = []
    for item in case.details.get("inputs") or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name", ""))
        if "value" in item:
            lines.append(f"{name} = {item['value']}")
            continue
        lines.append(f"{name}: {large_input(item)}")
        if item.get("rebuild"):
            lines.append(f"  {msg.label('input_rebuild')}{item['rebuild']}")
    return lines


def _hidden_line(report: GradeReport) -> str:
    hidden = sum(e.hidden_not_run for e in report.exercises)
    if not hidden:
        return ""
    points = sum(e.hidden_points_not_run for e in report.exercises)
    return msg.hidden_not_run(hidden, points)


def unconfined_line(report: GradeReport) -> str:
    """One line saying that student code ran outside the sandbox ("" when it ran inside)."""
    if report.sandbox == "secure":
        return ""
    why = str(report.meta.get("sandbox_fallback", ""))
    return msg.t("unconfined", mode=report.sandbox, why=f": {why}" if why else "")


class MarkdownReporter:
    """GitHub-flavoured Markdown: heading with the score, table, then each failed case."""

    name = "markdown"
    default_filename = "report.md"

    def render(self, report: GradeReport) -> str:
        """The whole report as Markdown with a trailing newline (control characters of what
        a student wrote escaped)."""
        report = shown_report(report)
        score = msg.t(
            "score_line",
            score=fmt_points(report.score),
            max_score=fmt_points(report.max_score),
            percent=f"{percent(report.score, report.max_score):.1f}%",
        )
        blocks = [f"## {msg.t('report_heading')}: {score}", score_table(report)]
        hidden = _hidden_line(report)
        if hidden:
            blocks.append(f"_{hidden}_")
        unconfined = unconfined_line(report)
        if unconfined:
            blocks.append(f"⚠️ {_cell(unconfined)}")
        notes = [str(n) for n in report.meta.get("notes", [])]
        notes += [f"{e.id}: {note}" for e in report.exercises for note in e.notes]
        if notes:  # e.g. a notebook's magics that were not run (they may quote the student)
            blocks.append(fence("\n".join(notes)))
        failing = [e for e in report.exercises if not e.passed]
        if not failing:
            blocks.append(f"✅ {msg.t('all_passed')}")
        for exercise in failing:
            blocks.append(f"### {outcome_label(exercise_outcome(exercise))} · {exercise.id}")
            if exercise.message:
                blocks.append(fence(exercise.message))
                if exercise.hint:
                    blocks.append(hint_quote(exercise.hint))
                continue
            for case in exercise.cases:
                if case.passed:
                    continue
                pts = msg.points(case.score, case.max_score)
                title = _cell(case.title or case.name)
                blocks.append(f"#### {_MARK[case.outcome]} {title}{pts}")
                body = case_markdown(case)
                if body:
                    blocks.append(body)
        return "\n\n".join(blocks) + "\n"
