"""Misconceptions: recognise the classic slip behind a wrong answer, and name it.

A rubric lists known-wrong variants (``misconceptions:``), each one or more functions in
``solutions/misconceptions/<solution file>`` and a sentence in English and Japanese. When a
case fails, the variants run here, in the grader's process, on the same inputs as the
student's code (trusted code, like the reference solution). A variant is *confirmed* when,
on every case that gave a numeric answer, the student's output matches the variant's within
the case's tolerance (plus, where the rubric's eps decides the answer, what eps moves it by:
`grader.eps`) and the same inputs were changed in place, and the variant differs from the
reference on at least one of those cases. The first confirmed variant in rubric order is
named on every visible failing case: ``details["misconception"]`` holds its id and its
sentence (or the rubric's words for that case, ``case_hints``), which says what is wrong and
how to fix it, becomes the hint. With none,
`grader.signatures` looks for a telling pattern: ``details["signature"]`` holds its id and
its sentence is added to the message.

Nothing here runs unless a case failed, so a passing submission pays nothing; variant
outputs are cached per rubric version for batch runs.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from grader import signatures
from grader.checks.values import ROOT, Layout, Part, child_name, judged_by_value
from grader.eps import eps_slack
from grader.errors import RubricError
from grader.execute import CaseRun, ExerciseRun
from grader.frozen import FrozenError, freeze, thaw
from grader.model import CaseResult, Outcome
from grader.plan import (
    ExercisePlan,
    PlannedCase,
    check_variants,
    expected_value,
    variant_file,
    variants_module,
)
from grader.rubric import Rubric, display_path, text_of
from grader.sandbox.transport import Received

__all__ = [
    "Misconception",
    "diagnose",
    "frozen_misconceptions",
    "indistinguishable",
    "misconceptions_of",
    "variant_file",
]

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Misconception:
    """A known-wrong variant of an exercise, as the rubric lists it."""

    id: str
    functions: tuple[str, ...]
    hint: dict[str, str]
    #: position in the rubric's ``misconceptions`` list (for error messages)
    index: int = 0
    #: in a student release, each function's output per case name (see `frozen_misconceptions`)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the sentence for particular cases (by case name), where the general one would be wrong
    case_hints: dict[str, dict[str, str]] = field(default_factory=dict)

    def hint_for(self, case: str, lang: str) -> str:
        """The sentence shown on the failing case named ``case``."""
        return text_of(self.case_hints.get(case) or self.hint, lang)


@dataclass(frozen=True)
class _Seen:
    """What one call produced: the output (an array, or a structure as `_plain` keeps it) and
    the inputs it changed in place."""

    value: Any
    changed: frozenset[str]


def misconceptions_of(rubric: Rubric) -> tuple[Misconception, ...]:
    """The rubric's misconceptions, in order."""
    out = []
    for index, item in enumerate(rubric.misconceptions):
        function = item["function"]
        names = (function,) if isinstance(function, str) else tuple(function)
        by_case = {str(k): _text(v) for k, v in item.get("case_hints", {}).items()}
        outputs = item.get("outputs")
        stored = dict(outputs) if isinstance(outputs, dict) else {}
        hint = _text(item.get("hint", {}))
        out.append(Misconception(str(item["id"]), names, hint, index, stored, by_case))
    return tuple(out)


def _text(value: Any) -> dict[str, str]:
    return {"en": value} if isinstance(value, str) else dict(value)


# -- diagnosis ---------------------------------------------------------------------------------


def diagnose(
    plan: ExercisePlan, run: ExerciseRun, results: Sequence[CaseResult], *, lang: str = "en"
) -> list[CaseResult]:
    """``results`` with each failing case's misconception, or else signature, named."""
    out = list(results)
    if not any(r.outcome is Outcome.FAILED for r in out):
        return out
    by_name = {r.name: r for r in out}
    usable: list[tuple[PlannedCase, CaseResult, _Seen]] = []
    for case in plan.cases:
        result = by_name.get(case.spec.name)
        case_run = run.cases.get(case.spec.index)
        if result is None or case_run is None or case_run.error:
            continue
        seen = _student(case, case_run)
        if seen is not None and _comparable(case.expected):
            usable.append((case, result, seen))
    if not usable:
        return out
    found = _confirmed(plan, usable)
    notes: dict[str, tuple[str, str, str]] = {}
    if found is not None:
        notes = {
            r.name: ("misconception", found.id, found.hint_for(r.name, lang))
            for _, r, _ in usable
            if r.outcome is Outcome.FAILED
        }
    else:
        samples = [
            _sample(case, result, seen)
            for case, result, seen in usable
            if isinstance(case.expected, np.ndarray) and isinstance(seen.value, np.ndarray)
        ]
        notes = {
            name: ("signature", finding.id, finding.text)
            for name, finding in signatures.find(samples).items()
        }
    for i, result in enumerate(out):
        note = notes.get(result.name)
        if note is None or result.hidden or result.outcome is not Outcome.FAILED:
            continue
        key, ident, text = note
        details = dict(result.details)
        details[key] = ident
        if key == "misconception":
            # the named slip says what is wrong and how to fix it: it is the hint
            out[i] = replace(result, hint=text, details=details)
        else:
            message = "\n".join(part for part in (result.message, text) if part)
            out[i] = replace(result, message=message, details=details)
    return out


def _tolerance(case: PlannedCase) -> tuple[float, float]:
    params = case.spec.params
    return float(getattr(params, "rtol", 1e-6)), float(getattr(params, "atol", 1e-9))


def _comparable(expected: Any) -> bool:
    """Whether a case's answer can tell variants apart (numbers, or a structure; not a formula
    string, which the LaTeX check judges)."""
    return expected is not None and not isinstance(expected, str)


def _same(a: _Seen, b: _Seen, case: PlannedCase, slack: Array | float = 0.0) -> bool:
    """Same output within the case's tolerance (plus ``slack``), same inputs changed."""
    rtol, atol = _tolerance(case)
    if a.changed != b.changed:
        return False
    if not (isinstance(a.value, np.ndarray) and isinstance(b.value, np.ndarray)):
        layout = case.spec.layout or Layout(Part(case.spec.check, case.spec.params))
        return _close(a.value, b.value, (rtol, atol), layout, ROOT)
    if a.value.shape != b.value.shape:
        return False
    if bool(np.allclose(a.value, b.value, rtol=rtol, atol=atol, equal_nan=True)):
        return True
    finite = np.isfinite(a.value) & np.isfinite(b.value)
    if not np.any(slack) or not np.array_equal(finite, np.isfinite(a.value) | np.isfinite(b.value)):
        return False
    with np.errstate(invalid="ignore"):
        gap = np.abs(a.value - b.value) - (atol + rtol * np.abs(b.value) + slack)
    same_kind = (a.value == b.value) | (np.isnan(a.value) & np.isnan(b.value))
    return bool(np.all(np.where(finite, gap <= 0, same_kind)))


def _confirmed(
    plan: ExercisePlan, usable: list[tuple[PlannedCase, CaseResult, _Seen]]
) -> Misconception | None:
    known = misconceptions_of(plan.rubric)
    frozen = plan.rubric.frozen_variants
    solutions = plan.solutions
    if not known or (solutions is None and not frozen):
        return None
    if not any(r.outcome is Outcome.FAILED for _, r, _ in usable):
        return None
    for item in known:
        for name in item.functions:
            observe: Callable[[PlannedCase], _Seen | None]
            if frozen or solutions is None:
                observe = functools.partial(_stored, item, name)
            else:
                fn = _function(plan.rubric, solutions, name)
                observe = functools.partial(_variant, plan, fn, name)
            if _explains(observe, usable, functools.partial(eps_slack, plan)):
                return item
    return None


def _explains(
    observe: Callable[[PlannedCase], _Seen | None],
    usable: list[tuple[PlannedCase, CaseResult, _Seen]],
    slack: Callable[[PlannedCase], Array | float],
) -> bool:
    differs = False
    for case, _, student in usable:
        variant = observe(case)
        if variant is None or not _same(student, variant, case, slack(case)):
            return False
        reference = _Seen(case.expected, frozenset())
        differs = differs or not _same(variant, reference, case)
    return differs


def _close(a: Any, b: Any, tol: tuple[float, float], layout: Layout, name: str) -> bool:
    """Two structured answers alike in every part judged by value: arrays within tolerance,
    everything else equal (free text, free formulas and uncompared parts are passed over)."""
    if not judged_by_value(layout.part(name)):
        return True
    rtol, atol = tol
    top = name == ROOT
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(
            _close(x, y, tol, layout, child_name(name, i, layout, top=top))
            for i, (x, y) in enumerate(zip(a, b, strict=True))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(
            _close(a[k], b[k], tol, layout, child_name(name, k, layout, top=top)) for k in a
        )
    return type(a) is type(b) and bool(a == b)


def _sample(case: PlannedCase, result: CaseResult, seen: _Seen) -> signatures.Sample:
    rtol, atol = _tolerance(case)
    return signatures.Sample(
        name=result.name,
        failed=result.outcome is Outcome.FAILED,
        expected=np.asarray(case.expected, dtype=np.float64),
        got=seen.value,
        inputs=(*case.args, *case.kwargs.values()),
        inputs_modified=bool(seen.changed),
        rtol=rtol,
        atol=atol,
    )


# -- observing the student and the variants ----------------------------------------------------


def _inputs(case: PlannedCase) -> list[tuple[str, Any]]:
    return [(str(i), a) for i, a in enumerate(case.args)] + list(case.kwargs.items())


def _student(case: PlannedCase, run: CaseRun) -> _Seen | None:
    value = _plain(run.value)
    if value is None:
        return None
    changed = set()
    for key, original in _inputs(case):
        after = run.inputs.get(key)
        if (
            isinstance(original, np.ndarray)
            and isinstance(after, Received)
            and not _unchanged(after.array, original)
        ):
            changed.add(key)
    return _Seen(value, frozenset(changed))


def _plain(value: Any, depth: int = 0) -> Any:
    """What the student returned as the reference's answers are kept (`expected_value`):
    arrays of float64, strings, and tuples, lists and dicts of them; None for anything a
    variant could never match (an unsupported type, a bare None)."""
    if depth > 16 or value is None:
        return None
    if isinstance(value, Received):
        if value.origin == "list" and value.array.shape == (0,):
            return []  # an empty list, as `expected_value` keeps the reference's
        return value.array.astype(np.float64)
    if isinstance(value, str):
        return value
    if isinstance(value, tuple | list):
        items = [_plain(v, depth + 1) for v in value]
        if any(v is None for v in items):
            return None
        if isinstance(value, list) and items and all(isinstance(v, np.ndarray) for v in items):
            try:  # a list of numbers is an array, as a reference's is
                return np.array(items, dtype=np.float64)
            except ValueError:
                return items
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        out = {str(k): _plain(v, depth + 1) for k, v in value.items()}
        return None if any(v is None for v in out.values()) else out
    return None


def _unchanged(after: Array, original: Array) -> bool:
    return after.shape == original.shape and bool(np.array_equal(after, original, equal_nan=True))


_cache: dict[tuple[str, str, str, int], _Seen | None] = {}


def _variant(
    plan: ExercisePlan, fn: Callable[..., Any], name: str, case: PlannedCase
) -> _Seen | None:
    # a case's inputs are fixed by the rubric's content (seeds derive from it): cache by digest
    assert plan.solutions is not None  # noqa: S101 - checked by the caller
    key = (
        plan.rubric.digest,
        str(variant_file(plan.rubric, plan.solutions)),
        name,
        case.spec.index,
    )
    if key in _cache:
        return _cache[key]
    args = copy.deepcopy(case.args)
    kwargs = copy.deepcopy(case.kwargs)
    seen: _Seen | None
    try:
        with np.errstate(all="ignore"):
            value = expected_value(fn(*args, **kwargs))
    except Exception:  # noqa: BLE001 - a variant that cannot run this case explains nothing
        seen = None
    else:
        after = [(str(i), a) for i, a in enumerate(args)] + list(kwargs.items())
        changed = frozenset(
            k
            for (k, original), (_, now) in zip(_inputs(case), after, strict=True)
            if isinstance(original, np.ndarray) and not _unchanged(np.asarray(now), original)
        )
        seen = _Seen(value, changed)
    _cache[key] = seen
    return seen


def _stored(item: Misconception, name: str, case: PlannedCase) -> _Seen | None:
    """A variant's output on ``case`` as a student release stores it (None where it raised)."""
    entry = item.outputs.get(name, {}).get(case.spec.name)
    if not isinstance(entry, dict):
        return None
    try:
        value = expected_value(thaw(entry["value"]))
    except (FrozenError, KeyError, TypeError, ValueError):
        return None
    return _Seen(value, frozenset(str(k) for k in entry.get("changed", ())))


def indistinguishable(plan: ExercisePlan) -> list[tuple[Misconception, str]]:
    """Variant functions that give the reference's answer on every case of ``plan`` (so they
    could never be named), or that raise on every case."""
    if plan.solutions is None:
        return []
    found = []
    for item in misconceptions_of(plan.rubric):
        for name in item.functions:
            fn = _function(plan.rubric, plan.solutions, name)
            seen = [(case, _variant(plan, fn, name, case)) for case in plan.cases]
            numeric = [(c, v) for c, v in seen if _comparable(c.expected)]
            reference = [_Seen(c.expected, frozenset()) for c, _ in numeric]
            if all(
                v is None or _same(v, r, c) for (c, v), r in zip(numeric, reference, strict=True)
            ):
                found.append((item, name))
    return found


def frozen_misconceptions(plan: ExercisePlan) -> list[dict[str, Any]]:
    """The rubric's ``misconceptions`` with every variant's output on every case of ``plan``
    stored (``outputs``), so that a student release names them without the variants' code."""
    if plan.solutions is None:
        raise RubricError(display_path(plan.rubric.source), "misconceptions", "no solutions")
    out = []
    for item, raw in zip(misconceptions_of(plan.rubric), plan.rubric.misconceptions, strict=True):
        outputs: dict[str, dict[str, Any]] = {}
        for name in item.functions:
            fn = _function(plan.rubric, plan.solutions, name)
            per_case: dict[str, Any] = {}
            for case in plan.cases:
                seen = _variant(plan, fn, name, case)
                per_case[case.spec.name] = (
                    None
                    if seen is None
                    else {"value": freeze(seen.value), "changed": sorted(seen.changed)}
                )
            outputs[name] = per_case
        out.append({**{k: v for k, v in raw.items() if k != "outputs"}, "outputs": outputs})
    return out


def _function(rubric: Rubric, solutions: Path, name: str) -> Callable[..., Any]:
    fn = getattr(variants_module(rubric, solutions), name, None)
    if not callable(fn):
        check_variants(rubric, solutions)  # raises the RubricError naming the rubric's line
        raise AssertionError(name)  # pragma: no cover - check_variants raised
    return fn  # type: ignore[no-any-return]
