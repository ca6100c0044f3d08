"""What a student release was made from: rubric, reference and variant hashes, grader version.

A release stores its fingerprint in ``rubrics/release.json``. The student copy shows it in
every report; the course compares a submission's fingerprint with its own material and warns
when the submission came from another release (naming the exercises that changed). The file
sits in a student's fork, so reading it is validated like any other student input: a regular
file (never followed through a link), at most `MAX_BYTES`, JSON of the expected shape.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader import __version__
from grader.student_files import read_student_bytes

if TYPE_CHECKING:
    from grader.rubric import Rubric

__all__ = ["RELEASE_FILE", "Fingerprint", "course_fingerprint", "find_release", "read_release"]

#: the fingerprint's file name, inside the release's ``rubrics/`` folder
RELEASE_FILE = "release.json"
MAX_BYTES = 256 << 10
_FORMAT = 1
_PARTS = ("rubric", "reference", "variants")


@dataclass(frozen=True)
class Fingerprint:
    """Hashes of what each exercise of a release was made from."""

    grader_version: str
    #: exercise id -> {"rubric": sha256, "reference": sha256, "variants": sha256 or ""}
    exercises: dict[str, dict[str, str]]

    @property
    def digest(self) -> str:
        """One hash over everything (the release's identity)."""
        canonical = json.dumps(
            {"grader_version": self.grader_version, "exercises": self.exercises},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def short(self) -> str:
        """The first 12 hex digits of `digest`, as reports show it."""
        return self.digest[:12]

    def changed(self, other: Fingerprint) -> list[str]:
        """Exercise ids whose material differs between the two (added or removed included)."""
        ids = sorted(set(self.exercises) | set(other.exercises))
        return [i for i in ids if self.exercises.get(i) != other.exercises.get(i)]

    def to_json(self) -> str:
        """The ``release.json`` text."""
        data = {
            "format": _FORMAT,
            "fingerprint": self.digest,
            "grader_version": self.grader_version,
            "exercises": self.exercises,
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _sha(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def course_fingerprint(rubrics: list[Rubric], solutions: Path) -> Fingerprint:
    """The fingerprint a release made now from ``rubrics`` and ``solutions`` would have."""
    from grader.plan import variant_file

    exercises = {}
    for rubric in rubrics:
        reference = solutions / (rubric.solution or rubric.file)
        variants = variant_file(rubric, solutions) if rubric.misconceptions else None
        exercises[rubric.id] = {
            "rubric": _sha(rubric.source),
            "reference": _sha(reference),
            "variants": _sha(variants),
        }
    return Fingerprint(__version__, exercises)


def read_release(path: Path) -> Fingerprint | None:
    """The fingerprint stored at ``path``; None when it is missing, not a regular file, too
    large or not of the expected shape (it may come from a student's fork)."""
    raw = read_student_bytes(path, MAX_BYTES)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return _parse(data)


def _parse(data: object) -> Fingerprint | None:
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    version = data.get("grader_version")
    exercises = data.get("exercises")
    if not isinstance(version, str) or not isinstance(exercises, dict):
        return None
    parsed: dict[str, dict[str, str]] = {}
    for key, value in exercises.items():
        if not isinstance(value, dict) or set(value) != set(_PARTS):
            return None
        if not all(isinstance(value[p], str) for p in _PARTS):
            return None
        parsed[str(key)] = {p: str(value[p]) for p in _PARTS}
    return Fingerprint(version[:40], parsed)


def find_release(folder: Path) -> Path | None:
    """The ``release.json`` of the release (or fork of one) that ``folder`` belongs to:
    ``folder`` is the repository root or its ``exercises/`` folder."""
    for root in (folder, folder.parent):
        candidate = root / "rubrics" / RELEASE_FILE
        if os.path.lexists(candidate):
            return candidate
    return None
