"""Grade-import CSVs for learning management systems, from gradebook rows.

Canvas (Grades → Import): the columns ``Student, ID, SIS User ID, SIS Login ID, Section``,
then one column per assignment, and a second row ``Points Possible``. Canvas matches
students by ``ID`` (its own user id), ``SIS User ID`` or ``SIS Login ID`` and needs the
``Section`` column even when it is empty. We fill ``SIS User ID`` and ``SIS Login ID`` with
the student id, unless roster columns (``canvas_id``, ``login``, ``section``,
``display_name``) give the real values.

Moodle (Grades → Import → CSV file): one column identifies the user — the instructor maps
it on import ("Map from: ID number, Map to: ID number") — then one column per grade item
and, optionally, a feedback column mapped to that item's feedback.

Submissions the grader failed on are left blank, so an import never writes them as zero.
Roster students without a submission (outcome ``missing``) are listed with a blank grade,
which both LMSs read as "no grade yet" (Canvas then applies its missing-submission policy);
`grader.batch.export` leaves entries that are not on the roster out of these files.
Every cell is formula-safe and on one printable line (`grader.untrusted.csv_cell`).
"""

from __future__ import annotations

from grader import messages as msg
from grader.batch.gradebook import Row
from grader.untrusted import csv_text

__all__ = ["canvas_csv", "feedback", "moodle_csv"]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _score(row: Row) -> str:
    return "" if row.outcome in ("grader_error", "missing") else _num(row.score)


def canvas_csv(rows: list[Row], assignment: str) -> str:
    """The Canvas gradebook import file: one assignment column holding the total."""
    lines: list[list[str]] = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment]
    ]
    possible = max((r.max_score or 0.0 for r in rows), default=0.0)
    lines.append(["    Points Possible", "", "", "", "", _num(possible)])
    for row in rows:
        roster = row.roster
        lines.append(
            [
                roster.get("display_name") or roster.get("name_display") or row.student,
                roster.get("canvas_id", ""),
                row.student,
                roster.get("login") or roster.get("sis_login_id") or row.student,
                roster.get("section", ""),
                _score(row),
            ]
        )
    return csv_text(lines)


def moodle_csv(rows: list[Row], assignment: str) -> str:
    """The Moodle grade import file: ID number, email (when known), grade and feedback."""
    with_email = any(r.roster.get("email") for r in rows)
    header = ["ID number", *(["Email address"] if with_email else []), assignment, "Feedback"]
    lines: list[list[str]] = [header]
    for row in rows:
        lines.append(
            [
                row.student,
                *([row.roster.get("email", "")] if with_email else []),
                _score(row),
                feedback(row),
            ]
        )
    return csv_text(lines)


def feedback(row: Row) -> str:
    """One line per student: the total and the exercises that lost points."""
    if row.outcome == "missing":
        return msg.t("lms_no_submission")
    if row.outcome == "grader_error" or row.report is None:
        return ""
    if row.outcome == "refused":
        return row.message
    parts = [f"{_num(row.score)}/{_num(row.max_score)}"]
    for exercise in row.report["exercises"]:
        lost = [c["name"] for c in exercise["cases"] if c["outcome"] != "passed"]
        if lost:
            got = sum(float(c["score"]) for c in exercise["cases"])
            total = sum(float(c["max_score"]) for c in exercise["cases"])
            parts.append(f"{exercise['id']} {_num(got)}/{_num(total)}")
    return "; ".join(parts)
