"""Eps: how far a case's answer moves where eps decides it, so that a slip with its own eps matches.

A rubric names the argument that keeps a log away from 0 (``eps_argument: eps``). Code in the
wild uses an eps of its own (``1e-7``, ``1e-9``, ``np.finfo(float).eps``) or ignores the
argument; where eps dominates the answer (log(0 + eps) on a zero probability), that changes
the number a known slip produces, and the student's output would no longer match its
variant. `eps_slack` measures, per element, how far the reference's answer moves as eps spans
the values in use; `grader.misconceptions` allows that much more on those elements only. A
student release has no reference to run: `frozen_eps_slack` stores the slack at release time.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.frozen import FrozenError, freeze, thaw
from grader.plan import ExercisePlan, PlannedCase, load_solution, reference_file
from grader.rubric import Rubric

__all__ = ["EPS_RANGE", "eps_slack", "frozen_eps_slack"]

Array = np.ndarray[Any, Any]

#: the values of eps that code uses (np.finfo(float).eps ... Keras' 1e-7)
EPS_RANGE = (1e-16, 1e-7)

_cache: dict[tuple[str, str, int], Array | None] = {}
_references: dict[Path, ModuleType] = {}
_lock = threading.Lock()


def eps_slack(plan: ExercisePlan, case: PlannedCase) -> Array | float:
    """How far the reference moves, where eps decides it, as eps spans `EPS_RANGE` (and the
    case's own eps): 0 where it moves by a tenth of the answer or less, or without an eps."""
    name = plan.rubric.eps_argument
    if not name or plan.rubric.function is None:
        return 0.0
    if plan.rubric.eps_slack or plan.solutions is None:  # a student release stores it
        try:
            return np.asarray(thaw(plan.rubric.eps_slack[case.spec.name]), dtype=np.float64)
        except (FrozenError, KeyError, TypeError, ValueError):
            return 0.0
    key = (plan.rubric.digest, str(plan.solutions), case.spec.index)
    if key not in _cache:
        _cache[key] = _measure(plan, case, name, plan.solutions)
    slack = _cache[key]
    return 0.0 if slack is None else slack


def _measure(plan: ExercisePlan, case: PlannedCase, name: str, solutions: Path) -> Array | None:
    given = case.kwargs.get(name)
    high = max(EPS_RANGE[1], float(given)) if isinstance(given, int | float) else EPS_RANGE[1]
    assert plan.rubric.function is not None  # noqa: S101 - checked by the caller
    reference = getattr(_reference(plan.rubric, solutions), plan.rubric.function)
    try:
        with np.errstate(all="ignore"):
            ends = [
                np.asarray(
                    reference(*copy.deepcopy(case.args), **{**copy.deepcopy(case.kwargs), name: e}),
                    dtype=np.float64,
                )
                for e in (EPS_RANGE[0], high)
            ]
            span = np.abs(ends[0] - ends[1])
            own = np.abs(np.asarray(case.expected, dtype=np.float64))
            return np.where(np.isfinite(span) & (span > 0.1 * own), span, 0.0)
    except Exception:  # noqa: BLE001 - a reference that cannot vary eps gives no slack
        return None


def frozen_eps_slack(plan: ExercisePlan) -> dict[str, Any]:
    """Each case's slack where there is one, frozen for a student release (`grader.frozen`)."""
    out = {}
    for case in plan.cases:
        slack = np.asarray(eps_slack(plan, case), dtype=np.float64)
        if slack.any():
            out[case.spec.name] = freeze(np.broadcast_to(slack, np.shape(case.expected)).copy())
    return out


def _reference(rubric: Rubric, solutions: Path) -> ModuleType:
    """The reference solution, imported once per process."""
    path = reference_file(rubric, solutions)
    with _lock:
        if path not in _references:
            _references[path] = load_solution(rubric, solutions)
        return _references[path]
