"""Check kinds: a check passes by returning and fails by raising `Failure` (or `Mismatch`).

A kind is registered with `@check("name", params=SomeParams)`; the rubric names it in a
case's ``check`` field (default ``allclose``) and its parameters in the case. Checks never
print and never touch student code: they receive plain data the child sent back.

    @check("allclose", params=AllcloseParams)
    def allclose(actual, expected, params): ...
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CHECKS",
    "CheckKind",
    "Failure",
    "Mismatch",
    "Unchecked",
    "check",
    "get_check",
    "make_params",
]


class Failure(Exception):  # noqa: N818 - check50's name for "this check failed"
    """The student's value is wrong; ``rationale`` says how, ``hint`` what to look at."""

    def __init__(
        self,
        rationale: str,
        *,
        hint: str = "",
        reason: str = "wrong",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(rationale)
        self.rationale = rationale
        self.hint = hint
        self.reason = reason
        self.details = dict(details or {})


class Mismatch(Failure):
    """Expected and actual differ; the payload keeps both for reporters."""

    def __init__(
        self,
        rationale: str,
        *,
        expected: Any = None,
        actual: Any = None,
        tolerance: str = "",
        hint: str = "",
        reason: str = "wrong",
        details: dict[str, Any] | None = None,
    ) -> None:
        payload = {"expected": expected, "actual": actual, "tolerance": tolerance}
        payload.update(details or {})
        super().__init__(rationale, hint=hint, reason=reason, details=payload)
        self.expected = expected
        self.actual = actual
        self.tolerance = tolerance


class Unchecked(Exception):  # noqa: N818 - a state, not an error
    """The check could not be carried out here (e.g. no KaTeX engine); never a pass or fail."""

    def __init__(self, rationale: str) -> None:
        super().__init__(rationale)
        self.rationale = rationale


CheckFn = Callable[[Any, Any, Any], None]


@dataclass(frozen=True)
class _NoParams:
    pass


@dataclass(frozen=True)
class CheckKind:
    """A registered check: its function, its parameter type and its description."""

    name: str
    fn: CheckFn
    params: type[Any]
    description: str


CHECKS: dict[str, CheckKind] = {}

#: modules that register kinds; imported on first lookup, so start-up stays cheap
_MODULES = ("grader.checks.numeric", "grader.checks.latex", "grader.checks.text")
_loaded = False


def check(name: str, *, params: type[Any] = _NoParams) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as the check kind ``name`` with parameters ``params`` (a dataclass)."""

    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = CheckKind(name, fn, params, (fn.__doc__ or "").strip().split("\n")[0])
        return fn

    return register


def _load() -> None:
    global _loaded  # noqa: PLW0603 - a one-time lazy registry fill
    if _loaded:
        return
    _loaded = True
    for module in _MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def get_check(name: str) -> CheckKind:
    """The registered kind ``name``; `KeyError` with a did-you-mean message otherwise."""
    _load()
    try:
        return CHECKS[name]
    except KeyError:
        close = difflib.get_close_matches(name, CHECKS, n=1)
        known = ", ".join(sorted(CHECKS))
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise KeyError(f"unknown check kind {name!r}; {hint}known kinds: {known}") from None


def make_params(kind: CheckKind, values: dict[str, Any]) -> Any:
    """Build ``kind``'s parameter dataclass from rubric values; `ValueError` names the field."""
    fields = {f.name: f for f in dataclasses.fields(kind.params)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(f"{unknown[0]!r}: not a parameter of check {kind.name!r}")
    return kind.params(**values)
