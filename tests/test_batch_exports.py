"""Exports from stored rows (no grading): roster students, LMS files, summaries, history."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from grader import messages
from grader.batch import lms, summary
from grader.batch.export import MISSING, export, grades_csv, history_csv, students
from grader.batch.gradebook import FILENAME, Gradebook, HistoryRow, Row
from tests.conftest import GOLDEN

COURSE: dict[str, Any] = {
    "exercises": [
        {
            "id": "softmax",
            "title": "Softmax",
            "max_score": 4,
            "cases": [{"name": f"c{i}", "points": 1, "hidden": False} for i in range(4)],
        },
        {
            "id": "sgd_step",
            "title": "SGD",
            "max_score": 2,
            "cases": [{"name": f"d{i}", "points": 1, "hidden": False} for i in range(2)],
        },
    ]
}


def case(name: str, passed: bool, message: str = "", **details: str) -> dict[str, Any]:
    """A stored case of one point."""
    return {
        "name": name,
        "outcome": "passed" if passed else "failed",
        "score": 1.0 if passed else 0.0,
        "max_score": 1.0,
        "message": message,
        "hint": details.pop("hint", ""),
        "details": details,
        "hidden": False,
    }


def result(student: str, **fields: Any) -> dict[str, Any]:
    """A graded submission as `Gradebook.record` takes it (fields override the defaults)."""
    base: dict[str, Any] = {
        "student": student,
        "entry": student,
        "kind": "folder",
        "content_hash": "c",
        "rubric_hash": "r",
        "grader_version": "0.1.0",
        "started": 0.0,
        "finished": 1.0,
        "outcome": "graded",
        "score": 0.0,
        "max_score": 6.0,
        "message": "",
        "report": None,
    }
    return {**base, **fields}


def row(student: str, softmax: list[dict[str, Any]], sgd: list[dict[str, Any]], **kw: Any) -> Row:
    """A graded row whose score is the sum of its cases."""
    report = {
        "exercises": [
            {"id": "softmax", "cases": softmax, "message": kw.pop("softmax_message", "")},
            {"id": "sgd_step", "cases": sgd, "message": ""},
        ]
    }
    score = sum(c["score"] for c in softmax + sgd)
    roster = kw.pop("roster", {})
    return Row(**result(student, score=score, report=report, **kw), roster=roster)


def full(student: str, **kw: Any) -> Row:
    """A student with full marks."""
    return row(student, [case(f"c{i}", True) for i in range(4)], [case("d0", True)] * 2, **kw)


def table(text: str) -> list[list[str]]:
    """CSV text as rows of cells."""
    return list(csv.reader(io.StringIO(text)))


ROSTER = {
    "lina": {"name": "lina", "id": "s012", "display_name": "Lina L", "email": "l@x.jp"},
    "carol": {"name": "carol", "id": "s014", "display_name": "Carol C"},
}


def test_roster_students_without_a_submission_are_in_every_export() -> None:
    """A roster student who submitted nothing is a `missing` row with blank grades everywhere."""
    rows = students([full("s012", entry="lina", roster=ROSTER["lina"])], ROSTER)

    grades = table(grades_csv(rows, COURSE))
    canvas = table(lms.canvas_csv(rows, "Lecture 1"))
    moodle = table(lms.moodle_csv(rows, "Lecture 1"))

    assert ["s014", "carol", "", "", "", MISSING, "yes"] == grades[2]
    assert ["Carol C", "", "s014", "s014", "", ""] == canvas[3]
    assert ["s014", "", "", "no submission received"] == moodle[2]
    text = summary.markdown(rows, COURSE)
    assert "## On the roster, no submission\n\n- s014 (carol)" in text
    assert "1 submissions: 1 graded" in text


@pytest.mark.slow
def test_students_not_on_the_roster_are_marked_and_get_no_sis_id(tmp_path: Path) -> None:
    """An entry the roster does not name is `on_roster = no` in grades.csv, listed in the
    summary, and left out of canvas.csv and moodle.csv (it has no LMS identity)."""
    report = json.loads((GOLDEN / "sample_report.json").read_text(encoding="utf-8"))
    with Gradebook(tmp_path / FILENAME) as book:
        book.set_course(COURSE)
        book.set_roster(ROSTER)
        book.set_students([("s012", "lina", ROSTER["lina"]), ("zed", "zed", {})])
        for student, entry in (("s012", "lina"), ("zed", "zed")):
            book.record(result(student, entry=entry, score=32.0, max_score=61.0, report=report))

    export(tmp_path, assignment="Lecture 1")

    grades = {r[0]: r for r in table((tmp_path / "grades.csv").read_text(encoding="utf-8"))}
    assert ["graded", "no"] == grades["zed"][-2:]
    assert ["graded", "yes"] == grades["s012"][-2:]
    assert [MISSING, "yes"] == grades["s014"][-2:]
    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "## Not on the roster (left out of the LMS files)\n\n- zed (zed)" in text
    for name in ("canvas.csv", "moodle.csv"):
        cells = {c for line in table((tmp_path / name).read_text(encoding="utf-8")) for c in line}
        assert {"s012", "s014"} <= cells
        assert "zed" not in cells


def test_without_a_roster_ids_are_the_entry_names() -> None:
    """Without any roster every row is kept as it is, with no roster mark."""
    rows = students([full("alice")], None)
    assert [None] == [r.on_roster for r in rows]
    assert ["alice", "alice", "4", "2", "6", "graded", ""] == table(grades_csv(rows, COURSE))[1]


def test_canvas_columns_follow_the_gradebook_import_format() -> None:
    """Canvas's import: Student, ID, SIS User ID, SIS Login ID, Section, then the assignment;
    a Points Possible row; roster columns fill the Canvas identities."""
    roster = {"name": "lina", "id": "s012", "display_name": "Lina L", "canvas_id": "987"}
    roster.update(login="lina@uni", section="A")
    rows = [full("s012", roster=roster)]

    canvas = table(lms.canvas_csv(rows, "Lecture 1 (4321)"))

    assert ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lecture 1 (4321)"] == (
        canvas[0]
    )
    assert ["Points Possible", "", "", "", "", "6"] == [c.strip() for c in canvas[1]]
    assert ["Lina L", "987", "s012", "lina@uni", "A", "6"] == canvas[2]


def test_most_common_failures_count_students_not_cases() -> None:
    """Eight failed cases with one cause in one student count as one student."""
    unreadable = "the archive cannot be read (bad zip)"
    broken = row(
        "s1",
        [case(f"c{i}", False, unreadable) for i in range(4)],
        [case(f"d{i}", False, unreadable) for i in range(2)],
    )
    other = row("s2", [case(f"c{i}", False, unreadable) for i in range(4)], [case("d0", True)] * 2)

    text = summary.markdown([broken, other], COURSE)

    section = text.split("### softmax")[1].split("###")[0]
    assert "- 2 of 2 students: the archive cannot be read (bad zip)" in section
    assert "8" not in section


def test_failures_that_differ_only_in_numbers_count_their_student_once() -> None:
    """ "a list of 3 items, got 1" and "a list of 4 items, got 1" in one student's cases are
    one failure of one student (they read as "9 of 3 students" in a batch of three)."""
    cases = [case("c0", False, "expected a list of 3 items, got 1")]
    cases += [case("c1", False, "expected a list of 4 items, got 1"), case("c2", True)]
    student = row("s1", cases, [case("d0", True)] * 2)

    text = summary.markdown([student], COURSE)

    section = text.split("### softmax")[1].split("###")[0]
    assert ["- 1 of 1 students: expected a list of 3 items, got 1"] == [
        line for line in section.splitlines() if line.startswith("- ")
    ]


#: an exception's text as a student can write it: controls, HTML, an image, a link, a column
HOSTILE = (
    "fine\u202eexcellent\x00\x1b[2J</script><script>alert(1)</script>"
    " ![x](http://example.invalid/p.png) [click](javascript:alert(1)) <!-- c --> a | b"
)


def test_the_summary_shows_what_students_wrote_as_text() -> None:
    """An exception text and a student id with a bidi override, NUL, ESC, HTML, a Markdown
    image, a link and a column break reach summary.md escaped, in every section."""
    broken = row("s1\u202e<img src=x>", [case("c0", False, HOSTILE)], [case("d0", True)] * 2)
    refused = row("![y](http://example.invalid/q.png)", [], [], outcome="refused", message=HOSTILE)

    text = summary.markdown([broken, refused], COURSE)

    assert [] == [c for c in ("\u202e", "\x00", "\x1b", "a | b") if c in text]
    assert [] == re.findall(r"(?<!\\)(?:<|!\[|\]\()", text)  # HTML, images, links unescaped
    assert "fine\\\\u202eexcellent\\\\x00\\\\x1b\\[2J\\</script\\>" in text
    assert "### s1\\\\u202e\\<img src=x\\>" in text


def test_named_misconceptions_come_first() -> None:
    """In the class summary and in each student's own, a named misconception leads."""
    softmax = [
        case("c0", False, "values differ"),
        case("c1", False, "values differ", misconception="no_max_shift", hint="subtract max"),
        case("c2", True),
        case("c3", True),
    ]
    student = row("s1", softmax, [case("d0", True)] * 2)

    own = summary.student_lines(student)
    section = summary.markdown([student], COURSE).split("### softmax")[1].split("###")[0]

    assert ["### s1", "", "4/6", ""] == own[:4]
    assert own[4].startswith("- softmax: misconception no_max_shift: subtract max")
    assert "- softmax: values differ" == own[5]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert ["misconception no_max_shift" in lines[0], "values differ" in lines[1]] == [True] * 2


#: words of the summary's own headings, table heads and counts in English
ENGLISH_SUMMARY = re.compile(
    r"\b(?:Batch|Scores|Distribution|Exercises|Hardest|Refused|Not graded|mean|median|min|max"
    r"|out of|full marks|score|students|exercise|case|passed|hidden|submissions|graded)\b"
)


def test_summary_in_japanese() -> None:
    """In Japanese, every heading, table head and count of the summary is Japanese: what is
    left in Latin letters is the students' ids, the exercise ids and case names."""
    hidden = {**COURSE["exercises"][0], "cases": [{"name": "c0", "points": 1, "hidden": True}]}
    course = {"exercises": [hidden, COURSE["exercises"][1]]}
    broken = Row(
        **result("e5", outcome="grader_error", score=None, message="template died"), roster={}
    )
    refused = row("d4", [case("c0", False, "x")], [case("d0", False, "x")], outcome="refused")
    wrong = row("w1", [case("c0", False, "values differ from the reference")], [case("d0", True)])
    rows = students(
        [full("s012", entry="lina", roster=ROSTER["lina"]), broken, refused, wrong], ROSTER
    )
    english = summary.markdown(rows, course)
    messages.set_language("ja")

    text = summary.markdown(rows, course)

    assert "## 名簿にあり、提出物なし" in text
    kept = re.sub(r"\b(?:softmax|sgd_step|c0|d0|s012|e5|d4|w1|lina|carol|s014)\b", "", text)
    assert [] == ENGLISH_SUMMARY.findall(kept)
    assert len(ENGLISH_SUMMARY.findall(english)) > 20  # the check above can fail


def test_batch_console_lines_in_japanese() -> None:
    """The lines a batch prints while it runs follow its language too."""
    from grader.batch.progress import Progress, changes_text

    messages.set_language("ja")
    progress = Progress(3, enabled=False)
    for outcome in ("grader_error", "refused"):
        progress.update(outcome)

    assert progress.line().endswith("採点プログラムのエラー 1 件、受け付けなかったもの 1 件")
    assert changes_text([], regrade=True).startswith("採点し直し")
    assert changes_text([("bob", 1.0, 2.0)], regrade=True).startswith("得点の変わった学生（1 名）")


def test_history_shows_each_grading_and_the_change() -> None:
    """history.csv: one line per grading, with run, grader, rubric version and score change."""
    history = [
        HistoryRow("bob", 1, 0.0, "0.1.0", "r1" * 8, "c1" * 8, "graded", 4.0, None, "grade batch"),
        HistoryRow("bob", 2, 60.0, "0.2.0", "r2" * 8, "c2" * 8, "graded", 6.0, 4.0, "grade b2"),
    ]

    lines = table(history_csv(history))

    assert ["student", "graded_at", "run", "command", "grader_version"] == lines[0][:5]
    assert ["bob", "1970-01-01T00:01:00+00:00", "2", "grade b2", "0.2.0"] == lines[2][:5]
    assert ["graded", "6", "4", "+2"] == lines[2][-4:]
    assert ["graded", "4", "", ""] == lines[1][-4:]


def test_a_refused_submission_is_one_line_not_one_per_exercise() -> None:
    """A refused archive is said once in its student's summary and kept out of the
    per-exercise failures, where it would repeat on every exercise."""
    reason = "your submission was not graded: the archive cannot be read (bad zip)"
    cases = [case(f"c{i}", False, reason) for i in range(4)]
    refused = row("d4", cases, [case("d0", False, reason)] * 2, outcome="refused", message=reason)

    own = summary.student_lines(refused)
    text = summary.markdown([refused, full("a1")], COURSE)

    assert ["### d4", "", "0/6", "", reason, ""] == own
    assert reason not in text.split("## Most common failures")[1].split("## Students")[0]
    assert f"## Refused submissions\n\n- d4 (d4): {reason}" in text


def test_a_gradebook_of_the_first_schema_gains_roster_and_history(tmp_path: Path) -> None:
    """A gradebook written before rosters and history were kept opens, and keeps its rows."""
    import sqlite3

    with Gradebook(tmp_path / FILENAME) as book:
        book.record(result("alice", score=6.0))
    with sqlite3.connect(tmp_path / FILENAME) as db:
        db.execute("DROP TABLE roster")
        db.execute("DROP TABLE history")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")

    with Gradebook(tmp_path / FILENAME) as book:
        assert ["alice"] == [r.student for r in book.rows()]
        assert book.roster() is None
        book.record(result("alice", score=4.0))
        assert [(4.0, 6.0)] == [(h.score, h.previous) for h in book.history()]
