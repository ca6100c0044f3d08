"""Shared children: one child answers the cases of several exercises, split afterwards.

Forking a child costs a few milliseconds of CPU, most of it in the kernel; a submission with
five exercises, each with visible and hidden cases, used to cost about eleven. Here one child
answers every visible case of a submission and another every hidden case (a child that answers
visible cases never holds a hidden input). `split_sections` cuts a shared child's messages into
one run per exercise, which `grader.execute.run_exercise` reads through a `Replay` as if the
exercise's own child had sent them.

Notebooks are one program, so their exercises always share (`grader.notebook_grader`). The
``.py`` files of a folder are separate programs, graded one child per exercise; sharing them
(`share_files`) is only a faster way to the same verdicts:

- each file is imported in the shared child in turn, and after each the child checks that
  the modules every file relies on (builtins, math, NumPy and its linalg and random) still
  hold the objects they held before any student file ran (and NumPy's error state is
  unchanged); if a file patched them, the files after it are not answered there;
- an exercise takes a shared child's clean answers if every case passes with them; answers
  that are not clean (an exception, an import error, a missing name), an exercise the child
  never reached and any failure are graded in children of the exercise's own, exactly as
  without sharing, so every message a student reads about a mistake comes from such a child;
- a time or CPU limit that stops a shared child in an exercise is that exercise's verdict,
  as it would be alone (a function that hangs is not given a second time limit).
"""

from __future__ import annotations

import dataclasses
import signal as signals
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.plan import ExercisePlan, PlannedCase
from grader.sandbox.protocol import Case, Job, Section, build_job, combine, encode_job
from grader.sandbox.runner import Limits, RunResult

if TYPE_CHECKING:
    from grader.sandbox.runner import Template

__all__ = [
    "Replay",
    "SharedReplay",
    "share_files",
    "split_sections",
]

#: events after which an exercise is not taken from a shared child
_UNCLEAN_EVENTS = frozenset({"exception", "import_error", "missing", "grader_error"})


class Replay:
    """Runs an exercise's jobs: a job for exactly the cases a shared child answered gets
    that child's answers (once); any other job (a restart after a death) a child of its own."""

    def __init__(self, template: Template, stored: dict[frozenset[int], RunResult]) -> None:
        self.template = template
        self.stored = stored

    def run(self, job: Job, blobs: list[bytes], limits: Limits) -> RunResult:
        """The stored answers for this job's cases, else a fresh child's."""
        key = frozenset(c.number for c in job.cases)
        stored = self.stored.pop(key, None)
        if stored is not None:
            return stored
        return self.template.run(job, blobs, limits)


def split_sections(
    result: RunResult, where: dict[int, tuple[int, int]]
) -> dict[int, RunResult] | None:
    """A shared child's messages as one child's per section, in the exercise's numbering.

    None when no section began (a notebook's cells did not end). A section followed by the next one
    (or by the end) is complete, as if its own child had answered everything and exited; the
    section running when the child stopped gets how it stopped. Sections never begun are left
    out (their exercises run in children of their own). An answer naming a case of another
    section keeps an index no job has, so that reading it is a protocol error, as always.
    """
    sections: dict[int, list[tuple[dict[str, Any], list[bytes]]]] = {}
    current: int | None = None
    running: int | None = None  # a case announced and not yet answered
    ended = False
    for message, blobs in result.messages:
        event = message.get("event")
        following = 0 if current is None else current + 1
        if event == "section" and message.get("s") == following and running is None:
            current = following
            sections[current] = [({"event": "import"}, [])]
            continue
        if current is None:
            continue
        if event == "done":
            ended = True
            break
        translated = dict(message)
        if "i" in translated:
            index = translated["i"]
            found = where.get(index) if isinstance(index, int) else None
            translated["i"] = found[1] if found is not None and found[0] == current else -2
            if event == "case":
                running = index
            elif event in ("result", "exception"):
                running = None
        sections[current].append((translated, blobs))
    if current is None:
        return None
    split: dict[int, RunResult] = {}
    for number, messages in sections.items():
        own = {g: local for g, (s, local) in where.items() if s == number}
        case_output = {own[g]: t for g, t in result.case_output.items() if g in own}
        case_printed = {own[g]: n for g, n in result.case_printed.items() if g in own}
        case_seconds = {own[g]: t for g, t in result.case_seconds.items() if g in own}
        if number < current or ended:
            split[number] = RunResult(
                messages=[*messages, ({"event": "done"}, [])],
                output=result.output,
                output_truncated=result.output_truncated,
                output_seen=result.output_seen,
                exit_code=0,
                case_output=case_output,
                case_printed=case_printed,
                case_seconds=case_seconds,
            )
            continue
        running_case = None
        if result.running_case is not None:
            found = where.get(result.running_case)
            running_case = found[1] if found is not None and found[0] == number else None
        split[number] = RunResult(
            messages=messages,
            output=result.output,
            output_truncated=result.output_truncated,
            output_seen=result.output_seen,
            killed=result.killed,
            limit_seconds=result.limit_seconds,
            running_case=running_case,
            exit_code=result.exit_code,
            signal=result.signal,
            protocol_error=result.protocol_error,
            case_output=case_output,
            case_printed=case_printed,
            case_seconds=case_seconds,
        )
    return split


class SharedReplay:
    """What shared children answered for one exercise, read by `run_exercise` like `Replay`.

    A job gets the stored answers if they are clean (`shared` is then set), or if the shared
    child was stopped by a time or CPU limit in this exercise and answered nothing wrongly:
    a function that hangs hangs alone too, so that verdict stands (`final`). Only a death by
    those limits is taken: memory, output and CPU totals are shared by the whole child, so
    dying of those there says nothing about the exercise alone. Any other job (answers that
    were not clean, a section the child never reached, a restart after a death) runs in a
    child of its own, as it would without sharing.
    """

    def __init__(self, template: Template, stored: dict[frozenset[int], RunResult]) -> None:
        self.template = template
        self.stored = stored
        #: clean answers of a shared child were used
        self.shared = False
        #: a shared child's death by a limit was taken as this exercise's verdict
        self.final = False
        #: a shared child stopped by a limit while importing the file: the file hangs at
        #: import, so every job of the exercise ends so (as alone: once for the exercise)
        self.import_death = next(
            (r for r in stored.values() if _stopped_by_limit(r) and not _imported(r)), None
        )

    @property
    def settled(self) -> bool:
        """Whether the run is what children of the exercise's own would give, pass or fail."""
        return self.final or not self.shared

    def run(self, job: Job, blobs: list[bytes], limits: Limits) -> RunResult:
        """The shared child's answers for exactly this job's cases, or a child's of its own."""
        key = frozenset(c.number for c in job.cases)
        stored = self.stored.pop(key, None)
        if stored is not None and _clean(stored):
            self.shared = True
            return stored
        if stored is not None and _stopped_by_limit(stored):
            self.final = True
            return stored
        if self.import_death is not None:
            self.final = True
            return dataclasses.replace(self.import_death, messages=list(self.import_death.messages))
        return self.template.run(job, blobs, limits)


def _answered_wrong(result: RunResult) -> bool:
    return any(m.get("event") in _UNCLEAN_EVENTS for m, _ in result.messages)


def _imported(result: RunResult) -> bool:
    return any(m.get("event") == "imported" for m, _ in result.messages)


def _clean(result: RunResult) -> bool:
    if result.killed or result.signal is not None or result.exit_code != 0:
        return False
    if result.output_truncated:  # whose output it was, and how much, shows only alone
        return False
    return not _answered_wrong(result)


def _stopped_by_limit(result: RunResult) -> bool:
    by_limit = result.killed == "timeout" or (
        not result.killed and result.signal == signals.SIGXCPU
    )
    return by_limit and not _answered_wrong(result)


def share_files(
    template: Template, items: list[tuple[ExercisePlan, Path]], limits: Limits
) -> dict[str, SharedReplay]:
    """Answer the cases of several ``.py`` exercises in two children: visible, then hidden.

    ``items`` are the exercises and their files, all graded with ``limits``. Returns, per
    exercise (rubric id), what the children answered for it. The hidden child starts only
    after the visible one has ended, so the two never run at the same time, and leaves out
    an exercise that stopped the visible one (its hidden cases run in children of their own).
    """
    stored: dict[str, dict[frozenset[int], RunResult]] = {p.rubric.id: {} for p, _ in items}
    stopped: set[str] = set()
    for hidden in (False, True):
        groups = [
            (plan, file, [c for c in plan.cases if c.spec.hidden == hidden])
            for plan, file in items
            if plan.rubric.id not in stopped
        ]
        groups = [group for group in groups if group[2]]
        if not groups:
            continue
        sections, cases, blobs, where = _encoded(groups, hidden)
        shared = build_job(
            file=str(groups[0][1]),
            cases=cases,
            sections=[
                section._replace(file=str(file))
                for section, (_plan, file, _planned) in zip(sections, groups, strict=True)
            ],
            files=True,
        )
        split = split_sections(template.run(shared, blobs, limits), where)
        for number, (plan, _file, planned) in enumerate(groups):
            if split is not None and number in split:
                key = frozenset(c.spec.index for c in planned)
                stored[plan.rubric.id][key] = split[number]
                if not _clean(split[number]):
                    stopped.add(plan.rubric.id)
    return {rid: SharedReplay(template, parts) for rid, parts in stored.items() if parts}


_Encoded = tuple[list[Section], list[Case], list[bytes], dict[int, tuple[int, int]]]
#: shared jobs by the plans they answer: the inputs are the same for every submission
_ENCODED: dict[tuple[tuple[int, ...], bool], tuple[tuple[ExercisePlan, ...], _Encoded]] = {}
_ENCODED_KEPT = 64


def _encoded(groups: list[tuple[ExercisePlan, Path, list[PlannedCase]]], hidden: bool) -> _Encoded:
    """Sections (without their files), cases, blobs and where each case came from, for a
    shared child answering ``groups``; made once per set of plans (batch grading reuses
    its plans for every submission). Nothing here is changed once made."""
    plans = tuple(plan for plan, _file, _planned in groups)
    key = (tuple(id(plan) for plan in plans), hidden)
    found = _ENCODED.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], plans, strict=True)):
        return found[1]
    parts = []
    for plan, file, planned in groups:
        job, job_blobs = encode_job(plan, file, planned)
        parts.append((Section(names=job.names, module=job.module), job.cases, job_blobs))
    made = combine(parts)
    if len(_ENCODED) >= _ENCODED_KEPT:
        _ENCODED.clear()
    _ENCODED[key] = (plans, made)
    return made
