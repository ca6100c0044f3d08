"""The terminal report: per-exercise points, each failed case with its message, a total."""

from __future__ import annotations

from grader import messages as msg
from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.reporters.markdown import input_lines, unconfined_line
from grader.untrusted import shown_report

__all__ = ["TerminalReporter", "text_table"]

_GREEN, _RED, _YELLOW, _DIM, _BOLD, _RESET = (
    "\x1b[32m",
    "\x1b[31m",
    "\x1b[33m",
    "\x1b[2m",
    "\x1b[1m",
    "\x1b[0m",
)


_CASE_LABELS = {
    Outcome.PASSED: "label_case_ok",
    Outcome.FAILED: "label_case_fail",
    Outcome.ERRORED: "label_case_error",
    Outcome.SKIPPED: "label_case_skip",
}
#: lines of a case's printed output shown (the first ones, and the last)
_PRINTED_LINES = 8


def _pts(value: float) -> str:
    return f"{value:g}"


def _case_label(outcome: Outcome) -> str:
    """The case's label, padded so that every case title starts in the same column."""
    width = max(msg.columns(msg.t(key)) for key in _CASE_LABELS.values())
    return msg.pad(msg.t(_CASE_LABELS[outcome]), width)


def text_table(rows: list[list[str]], gap: int = 1) -> list[str]:
    """Rows of cells as lines with each column as wide as its widest cell (in terminal
    columns: a Japanese character takes two) and ``gap`` spaces between columns."""
    if not rows:
        return []
    widths = [max(msg.columns(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    space = " " * gap
    return [
        space.join(msg.pad(str(c), w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


class TerminalReporter:
    """Readable text; colour only when ``color`` is set (the CLI sets it on a TTY)."""

    name = "terminal"
    default_filename = "report.txt"

    def __init__(self, color: bool = False) -> None:
        self.color = color

    def _c(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def render(self, report: GradeReport) -> str:
        """The whole report (what a student wrote, with its control characters escaped)."""
        report = shown_report(report)
        lines: list[str] = []
        unconfined = unconfined_line(report)
        if unconfined:
            lines.append(self._c(_YELLOW, unconfined))
        for note in report.meta.get("notes", []):  # e.g. notebook cells that were not run
            lines.append(self._c(_DIM, str(note)))
        for exercise in report.exercises:
            lines.extend(self._exercise(exercise))
        hidden = sum(e.hidden_not_run for e in report.exercises)
        hidden_points = sum(e.hidden_points_not_run for e in report.exercises)
        total = msg.t("total_line", score=_pts(report.score), max_score=_pts(report.max_score))
        colour = _GREEN if report.passed else _RED
        lines.append(self._c(_BOLD + colour, total))
        if hidden:
            lines.append(self._c(_DIM, msg.hidden_not_run(hidden, hidden_points)))
        return "\n".join(lines) + "\n"

    def _exercise(self, exercise: ExerciseResult) -> list[str]:
        mark = (
            self._c(_GREEN, msg.t("label_pass"))
            if exercise.passed
            else self._c(_RED, msg.t("label_fail"))
        )
        pts = msg.points(exercise.score, exercise.max_score)
        head = f"{mark} {exercise.id} · {exercise.title}{pts}"
        lines = [head]
        lines.extend("  " + self._c(_DIM, note) for note in exercise.notes)
        if exercise.message:
            lines.extend("  " + line for line in exercise.message.splitlines())
            if exercise.hint and exercise.cases[0].reason != "not_implemented":
                lines.append("  " + self._c(_YELLOW, msg.label("hint") + exercise.hint))
            return lines
        for case in exercise.cases:
            lines.extend(self._case(case))
        return lines

    def _case(self, case: CaseResult) -> list[str]:
        pts = msg.points(case.score, case.max_score)
        label = _case_label(case.outcome)
        if case.outcome is Outcome.PASSED:
            return [f"  {self._c(_GREEN, label)} {case.title or case.name}{self._c(_DIM, pts)}"]
        colour = _YELLOW if case.outcome is Outcome.SKIPPED else _RED
        lines = [f"  {self._c(colour, label)} {case.title or case.name}{pts}"]
        lines.extend("      " + line for line in case.message.splitlines())
        caret = case.details.get("caret")
        if caret:
            lines.extend("        " + line for line in str(caret).splitlines())
        student, reference = (
            case.details.get("student_unicode"),
            case.details.get("reference_unicode"),
        )
        if student is not None and reference is not None and student != reference:
            pairs = ((msg.t("reference"), str(reference)), (msg.t("yours"), str(student)))
            lines.extend("      " + line for line in msg.labelled(*pairs))
        rows = case.details.get("rows") or []
        if len(rows) > 1:
            head = [msg.t("index"), msg.t("got"), msg.t("expected")]
            lines.extend("      " + line for line in text_table([head, *rows]))
        inputs = input_lines(case)
        if inputs:
            lines.append("      " + msg.label("inputs").rstrip())
            lines.extend("        " + line for line in inputs)
        output = case.details.get("output")
        if output:
            shown = output.strip().splitlines()
            if len(shown) > _PRINTED_LINES:
                skipped = msg.t("nb_lines_skipped", count=len(shown) - _PRINTED_LINES)
                shown = [*shown[: _PRINTED_LINES - 1], skipped, shown[-1]]
            lines.append("      " + msg.label("printed").rstrip())
            lines.extend("        " + line for line in shown)
        if case.hint:
            lines.append("      " + self._c(_YELLOW, msg.label("hint") + case.hint))
        return lines
