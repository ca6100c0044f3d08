"""`grade export RESULTS`: regenerate every output of a batch from its gradebook.

Writes, inside RESULTS:

    reports/<student>/<file>   one report per format of the single-student command
    grades.csv                 student, entry, each exercise, total, status, on_roster
    canvas.csv, moodle.csv     grade-import files for the two LMSs (see `grader.batch.lms`)
    history.csv                every grading of every student: run, grader, rubrics, change
    summary.md                 the class, then each student, named misconceptions first
    plots/*.png                score histogram and per-case pass rates (with matplotlib)

With a roster, every student on it has a row (status ``missing`` when nothing was submitted:
blank cells, which the LMSs read as "no grade yet"), and entries not on the roster are marked
(``on_roster`` = no) and left out of the LMS files, since they have no LMS identity.
Nothing here grades; the gradebook is the single source.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import re
import sys
from pathlib import Path

from grader.batch.gradebook import Gradebook, HistoryRow, Row
from grader.untrusted import csv_text

__all__ = ["MISSING", "add_arguments", "exercise_scores", "export", "run", "safe_name"]

#: the outcome of a roster student without a submission (never stored: made for the exports)
MISSING = "missing"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``grade export``."""
    from grader.grade_command import add_lang_option

    parser.add_argument("results", help="the --output folder of `grade batch`")
    parser.add_argument(
        "--assignment",
        metavar="NAME",
        help="assignment (column) name in the LMS files, kept for later runs (default: the "
        "one `grade batch` or an earlier export was given, else 'Lecture exercises')",
    )
    add_lang_option(parser, "the reports and the summary", "the batch's language")


def run(args: argparse.Namespace) -> int:
    """Run `grade export`; returns the exit code."""
    written = export(Path(args.results), assignment=args.assignment, lang=args.lang)
    from grader.messages import t

    print(t("batch_wrote", count=len(written), folder=args.results), file=sys.stderr)
    return 0


def export(results: Path, *, assignment: str | None = None, lang: str | None = None) -> list[Path]:
    """Write every output from the gradebook in ``results``; returns the files written."""
    from grader import messages
    from grader.batch import lms, summary
    from grader.batch.run import DEFAULT_ASSIGNMENT

    with Gradebook.open_existing(results) as book:
        if assignment is not None:
            book.set_setting("assignment", assignment)
        if lang is not None:
            book.set_setting("lang", lang)
        assignment = book.setting("assignment") or DEFAULT_ASSIGNMENT
        lang = book.setting("lang") or "en"
        rows = students(list(book.rows()), book.roster())
        course = book.course()
        history = book.history()
    messages.set_language(lang)
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        path = results / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    written += _reports(results / "reports", rows)
    write("grades.csv", grades_csv(rows, course))
    lms_rows = [r for r in rows if r.on_roster is not False]
    write("canvas.csv", lms.canvas_csv(lms_rows, assignment))
    write("moodle.csv", lms.moodle_csv(lms_rows, assignment))
    write("history.csv", history_csv(history))
    write("summary.md", summary.markdown(rows, course))
    drawn = summary.plots(rows, course, results / "plots")
    if rows and not drawn and not summary.can_plot():
        print("note: no plots: install matplotlib (uv sync --extra plots)", file=sys.stderr)
    return written + drawn


def students(rows: list[Row], roster: dict[str, dict[str, str]] | None) -> list[Row]:
    """Every student of the exports: the stored ones (marked on or off the roster, when there
    is one) and a ``missing`` row for each roster student without a submission."""
    if roster is None:
        return rows
    by_id = {columns["id"]: (name, columns) for name, columns in roster.items()}
    out = [dataclasses.replace(r, on_roster=r.student in by_id) for r in rows]
    seen = {r.student for r in rows}
    for student, (name, columns) in sorted(by_id.items()):
        if student not in seen:
            out.append(_missing(student, name, columns))
    return sorted(out, key=lambda r: r.student)


def _missing(student: str, name: str, columns: dict[str, str]) -> Row:
    return Row(
        student=student,
        entry=name,
        kind="",
        content_hash="",
        rubric_hash="",
        grader_version="",
        started=0.0,
        finished=None,
        outcome=MISSING,
        score=None,
        max_score=None,
        message="",
        report=None,
        roster=dict(columns),
        on_roster=True,
    )


def safe_name(student: str) -> str:
    """A file name for a student id: the id itself where it is a plain name, else its plain
    characters and a hash of the id (so ``alice`` and ``alice.`` never share a folder)."""
    name = re.sub(r"[^\w.@-]", "_", student).strip(".")[:100] or "_"
    if name == student and not name.startswith(("-", "@")):
        return name
    digest = hashlib.sha256(student.encode(errors="backslashreplace")).hexdigest()[:12]
    return f"{name}-{digest}"


def _reports(folder: Path, rows: list[Row]) -> list[Path]:
    from grader.model import GradeReport
    from grader.reporters import REPORTERS

    written = []
    for row in rows:
        if row.report is None:
            continue
        report = GradeReport.from_dict(row.report)
        target = folder / safe_name(row.student)
        target.mkdir(parents=True, exist_ok=True)
        for reporter in REPORTERS.values():
            path = target / reporter.default_filename
            path.write_text(reporter.render(report), encoding="utf-8")
            written.append(path)
    return written


def exercise_scores(row: Row) -> dict[str, float]:
    """Points per exercise id in a stored report."""
    if row.report is None:
        return {}
    return {e["id"]: sum(float(c["score"]) for c in e["cases"]) for e in row.report["exercises"]}


def grades_csv(rows: list[Row], course: dict[str, object]) -> str:
    """student, entry, each exercise, total, status, on_roster; blank where nothing was graded.

    ``on_roster`` is ``yes`` or ``no`` when the batch has a roster, else empty.
    """
    exercises = [e["id"] for e in course.get("exercises", [])]  # type: ignore[attr-defined]
    lines: list[list[object]] = [["student", "entry", *exercises, "total", "status", "on_roster"]]
    for row in rows:
        scores = exercise_scores(row)
        graded = row.outcome not in ("grader_error", MISSING)
        lines.append(
            [
                row.student,
                row.entry,
                *(_num(scores.get(e)) if graded else "" for e in exercises),
                _num(row.score) if graded else "",
                row.outcome,
                {True: "yes", False: "no", None: ""}[row.on_roster],
            ]
        )
    return csv_text(lines)


def history_csv(history: list[HistoryRow]) -> str:
    """One line per grading: student, when, run, command, grader, rubrics, outcome, change."""
    import datetime

    lines: list[list[object]] = [
        [
            "student",
            "graded_at",
            "run",
            "command",
            "grader_version",
            "rubric_hash",
            "content_hash",
            "outcome",
            "score",
            "previous_score",
            "change",
        ]
    ]
    for item in history:
        when = datetime.datetime.fromtimestamp(item.graded, tz=datetime.UTC)
        change = ""
        if item.score is not None and item.previous is not None:
            change = f"{item.score - item.previous:+g}"
        lines.append(
            [
                item.student,
                when.isoformat(timespec="seconds"),
                "" if item.run_id is None else item.run_id,
                item.command,
                item.grader_version,
                item.rubric_hash[:12],
                item.content_hash[:12],
                item.outcome,
                _num(item.score),
                _num(item.previous),
                change,
            ]
        )
    return csv_text(lines)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
