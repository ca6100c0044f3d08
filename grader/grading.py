"""Grade one submission: rubric -> plan -> run (child) -> check -> score -> report."""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import __version__
from grader.errors import InternalError, UsageError
from grader.execute import in_threads, run_exercise
from grader.messages import t
from grader.model import ExerciseResult, GradeReport, Outcome
from grader.plan import ExercisePlan
from grader.rubric import Rubric
from grader.sandbox.runner import Limits, Template
from grader.scoring import score_exercise

__all__ = ["Submission", "grade_submission", "locate_submission", "release_meta"]


@dataclass(frozen=True)
class Submission:
    """Where a student's exercise files are, and which exercises to grade."""

    path: Path
    folder: Path
    #: exercise ids to grade; None means every rubric
    only: frozenset[str] | None = None
    #: notebooks that may hold exercises: PATH itself, or those in the folder (see
    #: `grader.notebook_grader.assign_notebooks` for which one grades which exercise)
    notebooks: tuple[Path, ...] = ()
    #: the content of notebooks that exist only in memory (a kernel's history, `%grade`)
    texts: Mapping[Path, bytes] = field(default_factory=dict)


def locate_submission(path: Path, rubrics: list[Rubric]) -> Submission:
    """Resolve PATH (a folder of exercise files, or one exercise file).

    A folder that holds no exercise file but an ``exercises/`` folder (a student's fork of a
    release, or a course repository) stands for that ``exercises/`` folder.
    """
    if path.is_dir() and (path / "exercises").is_dir():
        names = {r.file for r in rubrics}
        if not any(p.name in names or p.suffix == ".ipynb" for p in path.iterdir()):
            path = path / "exercises"
    if path.is_dir():
        notebooks = tuple(sorted(p.resolve() for p in path.glob("*.ipynb") if p.is_file()))
        return Submission(path, path.resolve(), notebooks=notebooks)
    if path.is_file():
        if path.suffix == ".ipynb":
            return Submission(path, path.resolve().parent, notebooks=(path.resolve(),))
        matching = frozenset(r.id for r in rubrics if r.file == path.name)
        if not matching:
            known = ", ".join(sorted(r.file for r in rubrics))
            raise UsageError(
                t("usage_no_rubric_for_file", path=path, name=repr(path.name), known=known)
            )
        return Submission(path, path.resolve().parent, matching)
    raise UsageError(t("usage_no_path", path=path))


def grade_submission(
    submission: Submission,
    rubrics: list[Rubric],
    solutions: Path | None,
    template: Template | None,
    *,
    include_hidden: bool = False,
    lang: str = "en",
    progress: Callable[[ExerciseResult], None] | None = None,
    jobs: int | None = None,
    plans: Sequence[ExercisePlan] | None = None,
    kernel: bool = False,
    share: bool = True,
) -> GradeReport:
    """Grade every selected exercise of ``submission``; one exercise's failure costs only it.

    ``template`` may be None only when every exercise comes from a notebook run in a kernel.
    ``plans`` are the rubrics' plans made beforehand (batch grading makes them once per batch,
    with the same ``include_hidden``); by default they are made here. With ``share``, the
    ``.py`` exercises are first answered by two shared children (`grader.shared.share_files`);
    an exercise that does not pass there is graded in children of its own.
    """
    started = time.perf_counter()
    selected = [r for r in rubrics if submission.only is None or r.id in submission.only]
    if plans is None:
        from grader.plan_cache import cached_plans

        plans = cached_plans(selected, solutions, include_hidden=include_hidden)
    else:
        plans = [p for p in plans if submission.only is None or p.rubric.id in submission.only]
    meta: dict[str, Any] = {}
    notebooks: dict[str, Any] = {}
    choices: list[str] = []
    if submission.notebooks:  # imported only then: the .py path stays light
        from grader.notebook_grader import assign_notebooks, expect_exercises, notebook_meta

        notebooks, choices = assign_notebooks(submission, selected, template, kernel=kernel)
        if notebooks:
            meta = notebook_meta(notebooks)
        expect_exercises(notebooks, [(p, _limits(p.rubric)) for p in plans])

    shared: dict[str, Any] = {}
    if share and template is not None:
        shared = _share(template, submission, [p for p in plans if p.rubric.id not in notebooks])

    def one(plan: ExercisePlan) -> ExerciseResult:
        rubric = plan.rubric
        file = submission.folder / rubric.file
        limits = _limits(rubric)
        if rubric.id in notebooks:
            result: ExerciseResult = notebooks[rubric.id].grade(plan, limits, lang=lang)
            return result
        if template is None:
            raise InternalError("no child template for a .py exercise")
        replay = shared.get(rubric.id)
        if replay is not None:
            run = run_exercise(replay, plan, file, limits)
            result = score_exercise(plan, run, file, lang=lang, diagnose=replay.settled)
            if replay.settled or all(c.outcome is Outcome.PASSED for c in result.cases):
                return result
        run = run_exercise(template, plan, file, limits)
        return score_exercise(plan, run, file, lang=lang)

    # Children run in parallel; the threads here mostly wait on pipes.
    try:
        calls = [functools.partial(one, plan) for plan in plans]
        results = in_threads(calls, max(1, jobs or (os.cpu_count() or 2)))
    finally:
        if notebooks:  # again: the runs found the cells that fail; and stop any kernel
            meta = notebook_meta(notebooks, close=True)
    release, notes = release_meta(submission, selected, solutions)
    if choices or notes:
        meta = {**meta, "notes": [*notes, *choices, *meta.get("notes", [])]}
    meta.update(release)
    if progress is not None:
        for result in results:
            progress(result)
    if template is not None and template.fallback:
        meta = {**meta, "sandbox_fallback": template.fallback}
    seconds = time.perf_counter() - started
    if any(case.spec.hidden for plan in plans for case in plan.cases):
        # whole seconds: a hidden case's function could sleep as long as an input says
        seconds = float(math.ceil(seconds))
    return GradeReport(
        submission=str(submission.path),
        exercises=tuple(results),
        include_hidden=include_hidden,
        # a notebook run in a Jupyter kernel (--kernel) uses no template, so no sandbox of ours
        sandbox=template.mode if template is not None else "kernel",
        bwrap=template.bwrap if template is not None else "",
        grader_version=__version__,
        seconds=seconds,
        meta=meta,
    )


def release_meta(
    submission: Submission, rubrics: list[Rubric], solutions: Path | None
) -> tuple[dict[str, Any], list[str]]:
    """What the report says about student releases, and the notes to show.

    Graded with a release's rubrics (no solutions): the release's fingerprint, in every
    report. Graded by the course: when the submission comes from a release (a student's fork),
    whether that release was made from the course's current material, and a warning naming the
    exercises that changed when it was not.
    """
    from grader import messages as msg
    from grader.release.fingerprint import (
        RELEASE_FILE,
        course_fingerprint,
        find_release,
        read_release,
    )

    if not rubrics:
        return {}, []
    own = rubrics[0].source.parent / RELEASE_FILE
    if solutions is None:
        stored = read_release(own)
        if stored is None:
            return {}, []
        shown = msg.t("release_shown", version=stored.grader_version, fingerprint=stored.short)
        meta = {"fingerprint": stored.digest, "grader_version": stored.grader_version}
        return {"release": meta}, [shown]
    found = find_release(submission.folder)
    if found is None or found.parent.resolve() == own.parent.resolve():
        return {}, []
    theirs = read_release(found)
    if theirs is None:
        return {}, []
    ours = course_fingerprint(rubrics, solutions)
    changed = [r.id for r in rubrics if theirs.exercises.get(r.id) != ours.exercises.get(r.id)]
    if theirs.grader_version != ours.grader_version:
        changed.append(f"grader {theirs.grader_version} → {ours.grader_version}")
    found_meta: dict[str, Any] = {
        "fingerprint": theirs.digest,
        "matches": not changed,
        "changed": changed,
    }
    if not changed:
        return {"submitted_from": found_meta}, []
    note = msg.t("release_other", fingerprint=theirs.short, changed=", ".join(changed))
    return {"submitted_from": found_meta}, [note]


def _share(template: Template, submission: Submission, plans: list[ExercisePlan]) -> dict[str, Any]:
    """Shared children's answers for the ``.py`` exercises with the same limits (two or more)."""
    by_limits: dict[Limits, list[tuple[ExercisePlan, Path]]] = {}
    for plan in plans:
        file = submission.folder / plan.rubric.file
        if plan.cases and file.is_file():
            by_limits.setdefault(_limits(plan.rubric), []).append((plan, file))
    found: dict[str, Any] = {}
    for limits, items in by_limits.items():
        if len(items) > 1:
            from grader.shared import share_files

            found.update(share_files(template, items, limits))
    return found


def _limits(rubric: Rubric) -> Limits:
    return Limits(wall_seconds=rubric.time_limit, memory_bytes=rubric.memory_limit_mb << 20)
