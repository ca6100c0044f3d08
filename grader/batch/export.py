"""`grade export RESULTS`: regenerate every output of a batch from its gradebook.

Writes, inside RESULTS:

    reports/<student>/<file>   one report per format of the single-student command
    grades.csv                 student, each exercise, total, status
    canvas.csv, moodle.csv     grade-import files for the two LMSs (see `grader.batch.lms`)
    summary.md                 mean, median, distribution, hardest cases, common failures
    plots/*.png                score histogram and per-case pass rates (with matplotlib)

Nothing here grades; the gradebook is the single source.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from grader.batch.gradebook import Gradebook, Row

__all__ = ["exercise_scores", "export", "main", "safe_name"]


def main(argv: Sequence[str]) -> int:
    """Run `grade export`; returns the exit code."""
    from grader.cli import print_error
    from grader.errors import GraderError

    parser = argparse.ArgumentParser(
        prog="grade export", description="Regenerate reports, CSVs, summary and plots."
    )
    parser.add_argument("results", help="the --out folder of `grade batch`")
    parser.add_argument(
        "--assignment",
        default="Lecture exercises",
        help="assignment (column) name in the LMS files (default: 'Lecture exercises')",
    )
    args = parser.parse_args(list(argv))
    try:
        written = export(Path(args.results), assignment=args.assignment)
    except GraderError as exc:
        print_error(str(exc))
        return exc.exit_code
    print(f"wrote {len(written)} files to {args.results}", file=sys.stderr)
    return 0


def export(results: Path, *, assignment: str = "Lecture exercises") -> list[Path]:
    """Write every output from the gradebook in ``results``; returns the files written."""
    from grader.batch import lms, summary

    with Gradebook.open_existing(results) as book:
        rows = list(book.rows())
        course = book.course()
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        path = results / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    written += _reports(results / "reports", rows)
    write("grades.csv", grades_csv(rows, course))
    write("canvas.csv", lms.canvas_csv(rows, assignment))
    write("moodle.csv", lms.moodle_csv(rows, assignment))
    write("summary.md", summary.markdown(rows, course))
    drawn = summary.plots(rows, course, results / "plots")
    if rows and not drawn and not summary.can_plot():
        print("note: no plots: install matplotlib (uv sync --extra plots)", file=sys.stderr)
    return written + drawn


def safe_name(student: str) -> str:
    """A file name for a student id."""
    name = re.sub(r"[^\w.@-]", "_", student).strip(".") or "_"
    return name[:120]


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
    """student, each exercise, total, status; a grader-side failure leaves the cells empty."""
    exercises = [e["id"] for e in course.get("exercises", [])]  # type: ignore[attr-defined]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *exercises, "total", "status"])
    for row in rows:
        scores = exercise_scores(row)
        graded = row.outcome != "grader_error"
        writer.writerow(
            [
                row.student,
                *(_num(scores.get(e)) if graded else "" for e in exercises),
                _num(row.score) if graded else "",
                row.outcome,
            ]
        )
    return buffer.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
