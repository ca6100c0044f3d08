"""Grade one submission: rubric -> plan -> run (child) -> check -> score -> report."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.errors import UsageError
from grader.execute import run_exercise
from grader.model import ExerciseResult, GradeReport
from grader.plan import ExercisePlan, plan_exercise
from grader.rubric import Rubric
from grader.sandbox.runner import Limits, Template
from grader.scoring import score_exercise

__all__ = ["Submission", "grade_submission", "locate_submission"]


@dataclass(frozen=True)
class Submission:
    """Where a student's exercise files are, and which exercises to grade."""

    path: Path
    folder: Path
    #: exercise ids to grade; None means every rubric
    only: frozenset[str] | None = None


def locate_submission(path: Path, rubrics: list[Rubric]) -> Submission:
    """Resolve PATH (a folder of exercise files, or one exercise file)."""
    if path.is_dir():
        return Submission(path, path.resolve())
    if path.is_file():
        if path.suffix == ".ipynb":
            raise UsageError(f"{path}: notebook submissions are not supported yet")
        matching = frozenset(r.id for r in rubrics if r.file == path.name)
        if not matching:
            known = ", ".join(sorted(r.file for r in rubrics))
            raise UsageError(
                f"{path}: no rubric grades a file named {path.name!r} (known: {known})"
            )
        return Submission(path, path.resolve().parent, matching)
    raise UsageError(f"{path}: no such file or folder")


def grade_submission(
    submission: Submission,
    rubrics: list[Rubric],
    solutions: Path | None,
    template: Template,
    *,
    include_hidden: bool = False,
    lang: str = "en",
    progress: Callable[[ExerciseResult], None] | None = None,
    jobs: int | None = None,
) -> GradeReport:
    """Grade every selected exercise of ``submission``; one exercise's failure costs only it."""
    started = time.perf_counter()
    selected = [r for r in rubrics if submission.only is None or r.id in submission.only]
    plans = [plan_exercise(r, solutions, include_hidden=include_hidden) for r in selected]

    def one(plan: ExercisePlan) -> ExerciseResult:
        rubric = plan.rubric
        file = submission.folder / rubric.file
        limits = Limits(wall_seconds=rubric.time_limit, memory_bytes=rubric.memory_limit_mb << 20)
        run = run_exercise(template, plan, file, limits)
        return score_exercise(plan, run, file, lang=lang)

    # Children run in parallel; the threads here only wait on pipes.
    workers = max(1, min(len(plans), jobs or (os.cpu_count() or 2)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, plans))
    if progress is not None:
        for result in results:
            progress(result)
    return GradeReport(
        submission=str(submission.path),
        exercises=tuple(results),
        include_hidden=include_hidden,
        sandbox=template.mode,
        meta={"sandbox_fallback": template.fallback} if template.fallback else {},
        grader_version=__version__,
        seconds=time.perf_counter() - started,
    )
