"""The gradebook: one SQLite database per batch, in RESULTS/gradebook.sqlite.

Each submission is written in one transaction as soon as it is graded (WAL journal, so a
``kill -9`` loses at most the submissions in flight). Rows are keyed by student id, so a
rerun replaces rather than duplicates. A row remembers the content hash, rubric hash and
grader version it was graded with; `Gradebook.needs_grading` decides what a resumed batch
skips: unchanged content under unchanged rubrics, unless the grader failed on it last time.

The roster given once (``--roster``) is kept here, so later runs without it map entries to the
same student ids (`Gradebook.roster`); an entry graded under another id before (its name, then
a roster id) is moved to its new id, never duplicated (`Gradebook.rekey`). Every grading of a
student is also appended to ``history`` (run, grader and rubric version, score and the score
before), which `grade export` writes to history.csv.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.untrusted import storable_data

__all__ = ["FILENAME", "Gradebook", "HistoryRow", "Row", "Stored"]

FILENAME = "gradebook.sqlite"
_SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL,
    grader_version TEXT NOT NULL,
    rubric_hash TEXT NOT NULL,
    command TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE TABLE IF NOT EXISTS students (
    student TEXT PRIMARY KEY,
    entry TEXT NOT NULL,
    roster TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT PRIMARY KEY,
    entry TEXT NOT NULL,
    kind TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    rubric_hash TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    outcome TEXT NOT NULL CHECK (outcome IN ('graded', 'refused', 'grader_error')),
    score REAL,
    max_score REAL,
    message TEXT NOT NULL DEFAULT '',
    report TEXT,
    run_id INTEGER
);
CREATE TABLE IF NOT EXISTS cases (
    student TEXT NOT NULL REFERENCES submissions(student) ON DELETE CASCADE,
    exercise TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    outcome TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    hidden INTEGER NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (student, exercise, position)
);
CREATE TABLE IF NOT EXISTS roster (
    student TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    columns TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    run_id INTEGER,
    graded REAL NOT NULL,
    grader_version TEXT NOT NULL,
    rubric_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    outcome TEXT NOT NULL,
    score REAL,
    previous REAL
);
"""


@dataclass(frozen=True)
class Row:
    """One submission as stored."""

    student: str
    entry: str
    kind: str
    content_hash: str
    rubric_hash: str
    grader_version: str
    started: float
    finished: float | None
    outcome: str
    score: float | None
    max_score: float | None
    message: str
    report: dict[str, Any] | None
    roster: dict[str, str]
    #: True / False when a roster was given (on it or not), None without a roster
    on_roster: bool | None = None


@dataclass(frozen=True)
class Stored:
    """What a resumed batch needs of a stored submission."""

    content_hash: str
    rubric_hash: str
    outcome: str
    score: float | None


@dataclass(frozen=True)
class HistoryRow:
    """One grading of one student: which run, with which grader and rubrics, and the change."""

    student: str
    run_id: int | None
    graded: float
    grader_version: str
    rubric_hash: str
    content_hash: str
    outcome: str
    score: float | None
    #: the score stored before this grading (None when there was none, or no score)
    previous: float | None
    command: str


class Gradebook:
    """The SQLite gradebook of one batch; use from one thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against a killed process in WAL mode (not against power loss)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path}: not a gradebook ({exc})") from None
        stored = self._meta("schema_version")
        if stored in (None, "1"):  # version 1 lacked the roster and history tables, now made
            self._set_meta("schema_version", str(_SCHEMA_VERSION))
        elif stored != str(_SCHEMA_VERSION):
            raise UsageError(f"{path}: gradebook schema {stored} is not {_SCHEMA_VERSION}")

    @classmethod
    def open_existing(cls, results: Path) -> Gradebook:
        """The gradebook in RESULTS, which must exist."""
        path = results / FILENAME
        if not path.is_file():
            raise UsageError(
                f"{results}: no gradebook here (run `grade batch ... --out {results}`)"
            )
        return cls(path)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta and runs ---------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def set_course(self, info: dict[str, Any]) -> None:
        """Remember the exercises, cases and points of the current rubrics (for exports)."""
        self._set_meta("course", json.dumps(info))

    def course(self) -> dict[str, Any]:
        """What `set_course` stored, or an empty course."""
        raw = self._meta("course")
        return json.loads(raw) if raw else {"exercises": []}

    def start_run(self, grader_version: str, rubric_hash: str, command: str) -> int:
        """Record the start of a run; returns its id."""
        cursor = self._db.execute(
            "INSERT INTO runs (started, grader_version, rubric_hash, command) VALUES (?, ?, ?, ?)",
            (time.time(), grader_version, rubric_hash, command),
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str) -> None:
        """Record how a run ended ("done" or "interrupted")."""
        if self._db.in_transaction:
            # Ctrl-C can land between BEGIN and the block that would end it: drop that
            # half-written submission (it is graded again on resume) so this update commits.
            self._db.execute("ROLLBACK")
        self._db.execute(
            "UPDATE runs SET finished = ?, status = ? WHERE id = ?", (time.time(), status, run_id)
        )

    def setting(self, key: str) -> str | None:
        """A batch setting remembered for later runs and exports (``assignment``, ``lang``)."""
        return self._meta(f"setting:{key}")

    def set_setting(self, key: str, value: str) -> None:
        """Remember a batch setting (see `setting`)."""
        self._set_meta(f"setting:{key}", value)

    def set_students(self, students: list[tuple[str, str, dict[str, str]]]) -> None:
        """Store the entries found in SUBMISSIONS with their roster columns."""
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO students VALUES (?, ?, ?)",
                [(s, e, json.dumps(r)) for s, e, r in students],
            )

    # -- roster ----------------------------------------------------------------------------

    def set_roster(self, roster: dict[str, dict[str, str]]) -> None:
        """Replace the stored roster (entry name -> its columns, ``id`` among them)."""
        with self._transaction():
            self._db.execute("DELETE FROM roster")
            self._db.executemany(
                "INSERT INTO roster VALUES (?, ?, ?)",
                [(row["id"], name, json.dumps(row)) for name, row in roster.items()],
            )
        self._set_meta("roster", "yes")

    def roster(self) -> dict[str, dict[str, str]] | None:
        """The roster given to an earlier run (entry name -> columns), or None if never."""
        if self._meta("roster") is None:
            return None
        query = "SELECT name, columns FROM roster ORDER BY student"
        return {str(r[0]): json.loads(r[1]) for r in self._db.execute(query)}

    def rekey(self, entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Move stored submissions whose entry now maps to another student id.

        ``entries`` are (student id, entry name) of this run. A submission stored under an
        old id (say the entry's name, before a roster) moves to the new one with its cases
        and history, so a rerun never holds a student twice. Returns the (old, new) moves.
        """
        moves = []
        with self._transaction():
            for student, entry in entries:
                rows = self._db.execute(
                    "SELECT student FROM submissions WHERE entry = ? AND student != ?",
                    (entry, student),
                ).fetchall()
                for (old,) in rows:
                    taken = self._db.execute(
                        "SELECT 1 FROM submissions WHERE student = ?", (student,)
                    ).fetchone()
                    if taken:  # the new id already has its own grade: the old row goes
                        self._db.execute("DELETE FROM submissions WHERE student = ?", (old,))
                    else:
                        self._db.execute("PRAGMA defer_foreign_keys = ON")
                        for table in ("submissions", "cases", "history"):
                            self._db.execute(
                                f"UPDATE {table} SET student = ? WHERE student = ?",  # noqa: S608 - fixed table names
                                (student, old),
                            )
                    self._db.execute("DELETE FROM students WHERE student = ?", (old,))
                    moves.append((str(old), student))
        return moves

    # -- submissions -----------------------------------------------------------------------

    def stored(self) -> dict[str, Stored]:
        """Student -> what is stored of their submission."""
        rows = self._db.execute(
            "SELECT student, content_hash, rubric_hash, outcome, score FROM submissions"
        )
        return {r[0]: Stored(r[1], r[2], r[3], r[4]) for r in rows}

    @staticmethod
    def needs_grading(stored: Stored | None, content_hash: str, rubric_hash: str) -> bool:
        """Whether a submission must be graded (again)."""
        if stored is None:
            return True
        return stored.outcome == "grader_error" or (stored.content_hash, stored.rubric_hash) != (
            content_hash,
            rubric_hash,
        )

    def record(self, result: dict[str, Any], run_id: int | None = None) -> None:
        """Store one submission's result, its cases and a history line, in one transaction
        (every text encodable: a lone surrogate from a submission would fail the write)."""
        result = storable_data(result)
        report = result.get("report")
        with self._transaction():
            before = self._db.execute(
                "SELECT score FROM submissions WHERE student = ?", (result["student"],)
            ).fetchone()
            self._db.execute("DELETE FROM cases WHERE student = ?", (result["student"],))
            self._db.execute(
                "INSERT OR REPLACE INTO submissions VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result["student"],
                    result["entry"],
                    result["kind"],
                    result["content_hash"],
                    result["rubric_hash"],
                    result["grader_version"],
                    result["started"],
                    result["finished"],
                    result["outcome"],
                    result["score"],
                    result["max_score"],
                    result["message"],
                    json.dumps(report) if report is not None else None,
                    run_id,
                ),
            )
            self._db.execute(
                "INSERT INTO history (student, run_id, graded, grader_version, rubric_hash, "
                "content_hash, outcome, score, previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result["student"],
                    run_id,
                    result["finished"] or result["started"],
                    result["grader_version"],
                    result["rubric_hash"],
                    result["content_hash"],
                    result["outcome"],
                    result["score"],
                    before[0] if before else None,
                ),
            )
            if report is not None:
                self._db.executemany(
                    "INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            result["student"],
                            exercise["id"],
                            position,
                            case["name"],
                            case["outcome"],
                            case["score"],
                            case["max_score"],
                            int(bool(case.get("hidden"))),
                            case.get("reason", ""),
                            case.get("message", ""),
                        )
                        for exercise in report["exercises"]
                        for position, case in enumerate(exercise["cases"])
                    ],
                )

    def history(self) -> list[HistoryRow]:
        """Every grading of every student, by student then time, with its run's command."""
        query = (
            "SELECT h.student, h.run_id, h.graded, h.grader_version, h.rubric_hash, "
            "h.content_hash, h.outcome, h.score, h.previous, COALESCE(r.command, '') "
            "FROM history h LEFT JOIN runs r ON r.id = h.run_id ORDER BY h.student, h.id"
        )
        return [HistoryRow(*r) for r in self._db.execute(query)]

    def rows(self) -> Iterator[Row]:
        """Every stored submission, by student id, with its roster columns."""
        query = (
            "SELECT s.*, COALESCE(st.roster, '{}') FROM submissions s "
            "LEFT JOIN students st ON st.student = s.student ORDER BY s.student"
        )
        for r in self._db.execute(query):
            yield Row(
                student=r[0],
                entry=r[1],
                kind=r[2],
                content_hash=r[3],
                rubric_hash=r[4],
                grader_version=r[5],
                started=r[6],
                finished=r[7],
                outcome=r[8],
                score=r[9],
                max_score=r[10],
                message=r[11],
                report=json.loads(r[12]) if r[12] else None,
                roster=json.loads(r[14]),
            )

    def count(self) -> dict[str, int]:
        """How many stored submissions have each outcome."""
        rows = self._db.execute("SELECT outcome, COUNT(*) FROM submissions GROUP BY outcome")
        return {str(r[0]): int(r[1]) for r in rows}

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *exc: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
