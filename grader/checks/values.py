"""Structured answers: compare a tuple, list, dict, string or None part by part.

A result is a tree of plain data: numbers and arrays (as `Received`), strings, None, and
tuples, lists and dicts of these, as `grader.sandbox.transport` delivers it. The expected
value has the same shape, made from the reference. Each part is compared by its own check
kind and parameters (``parts:`` in the rubric; numbers by `allclose` with the case's
tolerances unless a part says otherwise), and a failure names the part: ``weights: expected
shape (4, 6), got (6, 4)``. A wrong structure (two items instead of three, a missing key, a
string where a number belongs) is a clear failure, never an error of the grader.

Part names: the whole result is ``result``; a tuple's items take the rubric's ``returns``
names (else ``result[1]``), a dict's items their keys (``main_result.value`` below the top).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import messages as msg
from grader.checks import Failure, Mismatch, get_check
from grader.sandbox.transport import MAX_ITEMS, MAX_PARTS, Received, Unsupported

__all__ = [
    "ROOT",
    "Layout",
    "Part",
    "as_array",
    "child_name",
    "compare",
    "describe",
    "judged_by_value",
    "kind_of",
]

#: how the whole result is named
ROOT = "result"


@dataclass(frozen=True)
class Part:
    """How one part of a result is compared: by which check kind, with which parameters."""

    check: str = "allclose"
    params: Any = None
    #: False: the part is not compared with the reference (properties may still check it)
    compare: bool = True
    #: "any": a list's items may come in any order
    order: str = "exact"


@dataclass(frozen=True)
class Layout:
    """What a case knows about the structure of its result."""

    #: the case's own check kind and parameters (used for parts without their own)
    default: Part = field(default_factory=Part)
    #: names of a tuple result's items, in order (the rubric's ``returns``)
    names: tuple[str, ...] = ()
    #: per part name
    parts: Mapping[str, Part] = field(default_factory=dict)
    #: "str" when the reference's other answers are lists of strings: an empty list expected
    #: as the whole result is then named an empty list of strings
    list_items: str = ""

    def part(self, name: str) -> Part:
        """How the part ``name`` is compared."""
        return self.parts.get(name, self.default)


def judged_by_value(part: Part) -> bool:
    """Whether a part's value is compared with the reference's (free text, a free formula and
    ``compare: false`` parts are not): only such parts can tell known mistakes apart."""
    if not part.compare or part.check == "text":
        return False
    return bool(getattr(part.params, "equivalent", True))


def compare(actual: Any, expected: Any, layout: Layout) -> None:
    """Raise `Failure` naming the first part of ``actual`` that differs from ``expected``."""
    if isinstance(actual, Unsupported) and actual.too_many:
        # the limits are the grader's own: the child only says that its value exceeded them
        raise Failure(
            msg.t("too_many_parts", kind=actual.type_name, parts=MAX_PARTS, items=MAX_ITEMS),
            reason="bad_output_type",
            details={"expected": describe(expected), "actual": actual.describe()},
        )
    _compare(actual, expected, layout, ROOT, top=True)


def child_name(name: str, key: Any, layout: Layout, *, top: bool) -> str:
    """The name of item ``key`` of the part ``name`` (see the module's docstring)."""
    if isinstance(key, int):
        if top and key < len(layout.names):
            return layout.names[key]
        return f"{name}[{key}]"
    return str(key) if top else f"{name}.{key}"


def _compare(actual: Any, expected: Any, layout: Layout, name: str, *, top: bool) -> None:
    part = layout.part(name)
    if not part.compare:
        return
    if part.check != "allclose" or isinstance(expected, np.ndarray):
        _leaf(actual, expected, part, name, top=top)
        return
    if isinstance(expected, str) or expected is None:
        if actual != expected or type(actual) is not type(expected):
            raise _differs("value_differs", expected, actual, name, top=top)
        return
    if isinstance(expected, tuple | list):
        items = _sequence(actual, expected, name, top=top, of=layout.list_items if top else "")
        if part.order == "any":
            if sorted(map(_sort_key, items)) != sorted(map(_sort_key, expected)):
                raise _differs("items_differ_any_order", expected, items, name, top=top)
            return
        for index, (got, want) in enumerate(zip(items, expected, strict=True)):
            _compare(got, want, layout, child_name(name, index, layout, top=top), top=False)
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise _structure(msg.t("want_dict", got=kind_of(actual)), name, top=top)
        missing = [k for k in expected if k not in actual]
        if missing:
            keys = ", ".join(repr(k) for k in missing)
            raise _structure(msg.t("missing_keys", keys=keys), name, top=top)
        for key, want in expected.items():
            _compare(actual[key], want, layout, child_name(name, key, layout, top=top), top=False)
        return
    raise _structure(msg.t("value_differs"), name, top=top)


def _leaf(actual: Any, expected: Any, part: Part, name: str, *, top: bool) -> None:
    kind = get_check(part.check)
    if part.check == "allclose" and isinstance(actual, list | tuple):
        array = as_array(actual)  # a list of numbers where an array is expected is fine
        actual = actual if array is None else Received(array, "list")
    try:
        kind.fn(actual, expected, part.params)
    except Failure as exc:
        raise _named(exc, name, top=top) from None


def _sequence(
    actual: Any, expected: tuple[Any, ...] | list[Any], name: str, *, top: bool, of: str = ""
) -> Any:
    wanted = "tuple" if isinstance(expected, tuple) else "list"
    numbers = isinstance(actual, Received) and actual.origin == "list" and actual.array.ndim >= 1
    sequence = numbers or isinstance(actual, tuple | list)
    if not expected and not (sequence and len(actual.array if numbers else actual) == 0):
        # the whole difference is what came instead of nothing: show it, not just a count
        key = "want_empty_strings" if of == "str" else "want_empty"
        got = (
            msg.t("kind_container", kind="list", count=len(actual.array))
            if numbers
            else kind_of(actual)
        )
        rationale = msg.t(key, kind=wanted, got=got)
        mismatch = Mismatch(
            rationale,
            expected=describe(expected),
            actual=describe(actual),
            reason="wrong_structure",
        )
        raise _named(mismatch, name, top=top)
    if not sequence:
        raise _structure(
            msg.t("want_sequence", kind=wanted, count=len(expected), got=kind_of(actual)),
            name,
            top=top,
        )
    count = len(actual.array) if numbers else len(actual)
    if count != len(expected):
        raise _structure(
            msg.t("wrong_length", kind=wanted, count=len(expected), got=count), name, top=top
        )
    if numbers:
        # a list of numbers travels as one array: [w, b] for (w, b) is the same answer (split
        # only once the lengths agree: four million numbers were four million objects here)
        return [Received(item, "float") for item in actual.array]
    return actual


def _sort_key(value: Any) -> tuple[str, str]:
    return (type(value).__name__, describe(value))


def _differs(key: str, expected: Any, actual: Any, name: str, *, top: bool) -> Failure:
    mismatch = Mismatch(
        msg.t(key), expected=describe(expected), actual=describe(actual), reason="wrong"
    )
    return _named(mismatch, name, top=top)


def _structure(rationale: str, name: str, *, top: bool) -> Failure:
    return _named(Failure(rationale, reason="wrong_structure"), name, top=top)


def _named(exc: Failure, name: str, *, top: bool) -> Failure:
    """``exc`` with the part named in front (nothing for a whole result compared as today)."""
    if top and name == ROOT:
        return exc
    exc.rationale = f"{name}: {exc.rationale}"
    exc.args = (exc.rationale,)
    exc.details = {**exc.details, "part": name}
    return exc


def as_array(value: Any) -> np.ndarray[Any, Any] | None:
    """A list or tuple of numbers or arrays (nested, rectangular) as a float64 array; else
    None (as a list of numbers travelled before structured answers existed)."""
    plain = _plain_numbers(value, 0)
    if plain is None:
        return None
    try:
        return np.array(plain, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None


def _plain_numbers(value: Any, depth: int) -> Any:
    if depth > 32:
        return None
    if isinstance(value, Received):
        return value.array
    if type(value) in (list, tuple):
        items = [_plain_numbers(v, depth + 1) for v in value]
        return None if any(i is None for i in items) else items
    return value if type(value) in (int, float, bool) else None


def kind_of(value: Any) -> str:
    """A short description of what a value is: ``a str``, ``a tuple of 3 items``, ..."""
    if value is None:
        return "None"
    if isinstance(value, Received):
        shape = value.array.shape
        return msg.t("kind_number") if shape == () else msg.t("kind_array", shape=str(shape))
    if isinstance(value, Unsupported):
        return value.describe()
    if isinstance(value, tuple | list | dict):
        return msg.t("kind_container", kind=type(value).__name__, count=len(value))
    return type(value).__name__


def describe(value: Any, limit: int = 120) -> str:
    """A short, neutral rendering of a value for a report."""
    from grader.checks.numeric import describe_array

    if isinstance(value, Received):
        text = describe_array(value.array)
    elif isinstance(value, np.ndarray):
        text = describe_array(value)
    elif type(value) in (int, float):
        text = describe_array(np.asarray(value))
    elif isinstance(value, Unsupported):
        text = value.describe()
    elif isinstance(value, tuple | list):
        inner = ", ".join(describe(v, limit) for v in value[:8])
        more = ", ..." if len(value) > 8 else ""
        text = f"({inner}{more})" if isinstance(value, tuple) else f"[{inner}{more}]"
    elif isinstance(value, dict):
        inner = ", ".join(f"{k!r}: {describe(v, limit)}" for k, v in list(value.items())[:8])
        text = "{" + inner + (", ..." if len(value) > 8 else "") + "}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
