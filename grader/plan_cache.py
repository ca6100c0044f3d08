"""Plans kept between runs: a course's inputs and expected values, computed once.

Planning runs every reference solution (and data function) on every case: for the twelve
exercises of lecture 1 that is about 40 ms of each ``grade`` run, on the path before the
children can start (`bench/grade_speed.py`). The plan depends only on the rubric, the files of
the solutions folder, the grader and NumPy (its generators make the random inputs), so it is
stored under a hash of all of these, as exact frozen values (`grader.frozen`), beside the
rubric cache. Any change to any of them makes a new key; a stored plan that cannot be read is
made again. Plans of a student release (no solutions) are cheap and not stored.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from grader import __version__
from grader.frozen import FrozenError, freeze, thaw
from grader.plan import ExercisePlan, PlannedCase, plan_exercise
from grader.rubric import Rubric, cache_root

__all__ = ["cached_plans"]

#: the form of a stored plan; a new one when a plan's values change meaning (plan-2: an empty
#: list expected stays a list, no longer an empty array)
_FORMAT = b"plan-2"


def cached_plans(
    rubrics: list[Rubric], solutions: Path | None, *, include_hidden: bool, use_cache: bool = True
) -> list[ExercisePlan]:
    """`plan_exercise` for each rubric, from the cache where it holds the same plan."""
    if solutions is None or not use_cache:
        return [plan_exercise(r, solutions, include_hidden=include_hidden) for r in rubrics]
    course = _course_hash(solutions)
    plans = []
    for rubric in rubrics:
        key = _key(rubric, course, include_hidden)
        plan = _read(key, rubric, solutions, include_hidden)
        if plan is None:
            plan = plan_exercise(rubric, solutions, include_hidden=include_hidden)
            _write(key, plan)
        plans.append(plan)
    return plans


def _course_hash(solutions: Path) -> bytes:
    import numpy as np

    digest = hashlib.sha256(_FORMAT + __version__.encode() + np.__version__.encode())
    for root, dirs, files in os.walk(solutions):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = Path(root) / name
            digest.update(path.relative_to(solutions).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.digest()


def _key(rubric: Rubric, course: bytes, include_hidden: bool) -> str:
    flag = b"hidden" if include_hidden else b"visible"
    return hashlib.sha256(course + rubric.digest.encode() + flag).hexdigest()


def _path(key: str) -> Path:
    return cache_root() / "plans" / f"{key}.json"


def _read(key: str, rubric: Rubric, solutions: Path, include_hidden: bool) -> ExercisePlan | None:
    try:
        data = json.loads(_path(key).read_text(encoding="utf-8"))
        by_index = {c.index: c for c in rubric.cases}
        cases = tuple(
            PlannedCase(
                by_index[item["index"]],
                tuple(thaw(a) for a in item["args"]),
                {k: thaw(v) for k, v in item["kwargs"].items()},
                thaw(item["expected"]),
            )
            for item in data["cases"]
        )
    except (OSError, ValueError, KeyError, TypeError, FrozenError):
        return None
    skipped = tuple(c for c in rubric.cases if c.hidden and not include_hidden)
    return ExercisePlan(rubric, cases, skipped, solutions)


def _write(key: str, plan: ExercisePlan) -> None:
    try:
        cases: list[dict[str, Any]] = [
            {
                "index": case.spec.index,
                "args": [freeze(a) for a in case.args],
                "kwargs": {k: freeze(v) for k, v in case.kwargs.items()},
                "expected": freeze(case.expected),
            }
            for case in plan.cases
        ]
    except FrozenError:
        return  # a value with no exact data form: planned again next time
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"cases": cases}), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
