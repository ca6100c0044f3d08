"""``grade release --check OUT``: prove a release against the course it was made from.

The release must carry the course's current fingerprint and none of its secrets, and it must
grade like the course on every visible case: the reference solutions score full marks, the
stubs zero, and every known-wrong variant gets the same scores, messages and named
misconception as in the course. Each submission is graded twice in one sandbox template, with
the release's rubrics (no solutions anywhere) and with the course's (visible cases only).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.model import ExerciseResult, GradeReport
from grader.release.build import Course
from grader.release.fingerprint import RELEASE_FILE, course_fingerprint, read_release
from grader.rubric import Rubric, display_path, load_rubrics

__all__ = ["Finding", "check_release"]


@dataclass(frozen=True)
class Finding:
    """One line of the check's verdict."""

    ok: bool
    text: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.text}"


def check_release(course: Course, out: Path, *, sandbox: str = "auto") -> list[Finding]:
    """Every check of ``out`` against ``course``, in order."""
    release_rubrics = out / "rubrics"
    if not release_rubrics.is_dir():
        raise UsageError(f"{display_path(out)}: no rubrics/ folder: not a release")
    course_list = load_rubrics(course.rubrics, use_cache=False)
    release_list = load_rubrics(release_rubrics, use_cache=False)
    findings = [_fingerprint(course, course_list, out), _leaks(course, course_list, out)]
    course_ids = [r.id for r in course_list]
    release_ids = [r.id for r in release_list]
    if course_ids != release_ids:
        findings.append(
            Finding(False, f"exercises differ: course {course_ids}, release {release_ids}")
        )
        return findings
    from grader.sandbox import secure

    template = secure.settle(secure.start(sandbox, None), sandbox)
    try:
        with tempfile.TemporaryDirectory(prefix="grade-release-check-") as tmp:
            grader = _Twice(course, course_list, release_list, template)
            findings.extend(grader.stubs(out / "exercises", Path(tmp) / "stubs"))
            findings.extend(grader.references(Path(tmp) / "references"))
            findings.extend(grader.variants(Path(tmp) / "variants"))
    finally:
        template.close()
    return findings


def _fingerprint(course: Course, rubrics: list[Rubric], out: Path) -> Finding:
    stored = read_release(out / "rubrics" / RELEASE_FILE)
    if stored is None:
        return Finding(False, f"rubrics/{RELEASE_FILE} is missing or unreadable")
    now = course_fingerprint(rubrics, course.solutions)
    if stored.digest == now.digest:
        return Finding(True, f"made from the course as it is now (release {now.short})")
    changed = (
        ", ".join(stored.changed(now)) or f"grader {stored.grader_version} → {now.grader_version}"
    )
    return Finding(False, f"made from other course material (changed: {changed}); rebuild it")


def _leaks(course: Course, rubrics: list[Rubric], out: Path) -> Finding:
    from grader.release.scan import course_secrets, release_files, scan

    leaks = scan(out, course_secrets(course, rubrics))
    if leaks:
        return Finding(False, "course material found: " + "; ".join(map(str, leaks[:10])))
    files = len(release_files(out))
    return Finding(True, f"no reference, variant or hidden-case material in its {files} files")


class _Twice:
    """Grades a folder with the course's rubrics and with the release's, and compares."""

    def __init__(
        self, course: Course, course_list: list[Rubric], release_list: list[Rubric], template: Any
    ) -> None:
        self.course = course
        self.course_list = course_list
        self.release_list = release_list
        self.template = template

    def grade(self, folder: Path, only: str | None = None) -> tuple[GradeReport, GradeReport]:
        from grader import messages
        from grader.grading import Submission, grade_submission

        messages.set_language("en")
        submission = Submission(
            folder,
            folder.resolve(),
            frozenset({only}) if only else None,
            tuple(sorted(p.resolve() for p in folder.glob("*.ipynb"))),
        )
        course = grade_submission(
            submission, self.course_list, self.course.solutions, self.template
        )
        release = grade_submission(submission, self.release_list, None, self.template)
        return course, release

    def stubs(self, exercises: Path, folder: Path) -> Iterator[Finding]:
        shutil.copytree(exercises, folder)
        course, release = self.grade(folder)
        scored = [e.id for e in release.exercises if e.score]
        yield Finding(
            not scored, "the stubs score 0" + (f" (not: {', '.join(scored)})" if scored else "")
        )
        yield from _same(course, release, "the stubs")

    def references(self, folder: Path) -> Iterator[Finding]:
        folder.mkdir(parents=True)
        for rubric in self.course_list:
            source = self.course.solutions / (rubric.solution or rubric.file)
            shutil.copyfile(source, folder / rubric.file)
        course, release = self.grade(folder)
        short = [e.id for e in release.exercises if e.score < e.max_score]
        cases = sum(len(e.cases) for e in release.exercises)
        text = f"the references score full marks on all {cases} visible cases"
        yield Finding(not short, text + (f" (not: {', '.join(short)})" if short else ""))
        yield from _same(course, release, "the references")

    def variants(self, root: Path) -> Iterator[Finding]:
        from grader.misconceptions import misconceptions_of
        from grader.plan import variant_file

        for rubric in self.course_list:
            if not rubric.misconceptions or not rubric.function:
                continue
            source = variant_file(rubric, self.course.solutions).read_text(encoding="utf-8")
            for item in misconceptions_of(rubric):
                for name in item.functions:
                    folder = root / f"{rubric.id}-{name}"
                    folder.mkdir(parents=True)
                    alias = f"\n\n{rubric.function} = {name}\n"
                    (folder / rubric.file).write_text(source + alias, encoding="utf-8")
                    course, release = self.grade(folder, only=rubric.id)
                    yield _named(rubric.id, item.id, name, course, release)


def _named(
    exercise: str, expected: str, name: str, course: GradeReport, release: GradeReport
) -> Finding:
    label = f"{exercise} · {name}"
    course_named = _misconceptions(course)
    release_named = _misconceptions(release)
    differences = list(_differences(course, release))
    if differences:
        return Finding(False, f"{label}: graded differently: {differences[0]}")
    if not any(not c.passed for e in release.exercises for c in e.cases):
        return Finding(True, f"{label}: passes every visible case (as in the course)")
    if release_named != course_named or not release_named:
        return Finding(
            False, f"{label}: named {sorted(release_named)}, course {sorted(course_named)}"
        )
    shown = ", ".join(sorted(release_named))
    note = "" if expected in release_named else f" (its visible outputs match {shown})"
    return Finding(True, f"{label}: named {shown!r} as in the course{note}")


def _misconceptions(report: GradeReport) -> set[str]:
    return {
        str(c.details["misconception"])
        for e in report.exercises
        for c in e.cases
        if "misconception" in c.details
    }


def _same(course: GradeReport, release: GradeReport, what: str) -> Iterator[Finding]:
    differences = list(_differences(course, release))
    if differences:
        yield Finding(False, f"{what} are graded differently: {differences[0]}")
    else:
        yield Finding(True, f"{what} get the same scores and messages as in the course")


def _differences(course: GradeReport, release: GradeReport) -> Iterator[str]:
    release_by_id = {e.id: e for e in release.exercises}
    for exercise in course.exercises:
        other = release_by_id.get(exercise.id)
        if other is None:
            yield f"{exercise.id} is not graded by the release"
            continue
        if _visible(exercise) != _visible(other):
            for mine, theirs in zip(_visible(exercise), _visible(other), strict=False):
                if mine != theirs:
                    yield f"{exercise.id}: course {mine!r}, release {theirs!r}"
                    break
            else:
                yield f"{exercise.id}: the number of cases differs"


def _visible(exercise: ExerciseResult) -> list[tuple[Any, ...]]:
    head: list[tuple[Any, ...]] = [("exercise", exercise.message, exercise.hidden_not_run)]
    return head + [
        (
            c.name,
            c.outcome.value,
            c.score,
            c.message,
            c.hint,
            c.details.get("misconception"),
            c.details.get("signature"),
        )
        for c in exercise.cases
        if not c.hidden
    ]
