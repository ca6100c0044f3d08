"""Property checks: what must hold of a result, whatever its exact values.

Declared in the rubric (``properties:`` of a case, or of the rubric for every case), each
names the part it is about (``of:``, a part name of `grader.checks.values`, optionally with an
index into an array: ``weights[0]``) and fails with a sentence that says what did not hold:

==================  ============================================================
``monotonic``       ``increasing``, ``non-decreasing``, ``decreasing`` or ``non-increasing``
``sums_to``         a number, along ``axis`` (default: all), within ``atol``
``argmax_equals``   an index (of a 1-D part, or along ``axis``)
``within``          ``{value: 2.5, atol: 0.1}``: every element within atol of value
``shape``           a list of whole numbers
==================  ============================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import messages as msg
from grader.checks import Failure
from grader.checks.values import ROOT, Layout, as_array, describe, kind_of
from grader.sandbox.transport import Received

__all__ = ["KINDS", "Property", "check_properties", "make_property"]

_DIRECTIONS = ("increasing", "non-decreasing", "decreasing", "non-increasing")
_PATH = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_.]*|result(?:\[\d+\])*)(?P<index>(?:\[-?\d+\])*)$"
)


@dataclass(frozen=True)
class Property:
    """One property of a case's result, as the rubric declares it."""

    kind: str
    of: str
    value: Any
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def part(self) -> str:
        """The part name (without an array index)."""
        found = _PATH.match(self.of)
        return found.group("name") if found else self.of

    @property
    def index(self) -> tuple[int, ...]:
        """The array index written after the part name (``weights[0]`` gives (0,))."""
        found = _PATH.match(self.of)
        if found is None:
            return ()
        return tuple(int(i) for i in re.findall(r"-?\d+", found.group("index")))


def make_property(data: dict[str, Any]) -> Property:
    """A `Property` from a rubric entry; `ValueError` names what is wrong."""
    kinds = [k for k in data if k in KINDS]
    if len(kinds) != 1:
        import difflib

        unknown = [k for k in data if k not in ("of", *_OPTIONS)]
        close = difflib.get_close_matches(unknown[0], list(KINDS), n=1) if unknown else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"name one property of {', '.join(KINDS)}{hint}")
    kind = kinds[0]
    of = str(data.get("of", ROOT))
    if not _PATH.match(of):
        raise ValueError(f"'of': {of!r} is not a part name such as weights or weights[0]")
    options = {k: v for k, v in data.items() if k not in (kind, "of")}
    allowed = _OPTIONS_OF[kind]
    for key in options:
        if key not in allowed:
            raise ValueError(f"{key!r} is not an option of {kind!r} (options: {sorted(allowed)})")
    value = data[kind]
    _VALIDATE[kind](value, options)
    return Property(kind, of, value, options)


def check_properties(properties: tuple[Property, ...], actual: Any, layout: Layout) -> None:
    """Raise `Failure` for the first property that does not hold of ``actual``."""
    for prop in properties:
        target = _resolve(actual, prop, layout)
        KINDS[prop.kind](prop, target)


def _resolve(actual: Any, prop: Property, layout: Layout) -> np.ndarray[Any, Any]:
    """The numeric array a property is about, or a `Failure` saying it is missing."""
    value = actual
    name = prop.part
    if name != ROOT:
        path = _steps(name, layout)
        for step in path:
            found = (
                isinstance(step, int) and isinstance(value, tuple | list) and step < len(value)
            ) or (isinstance(step, str) and isinstance(value, dict) and step in value)
            if not found:
                raise _fail(msg.t("prop_missing_part", part=prop.of, got=kind_of(actual)))
            value = value[step]
    array = value.array if isinstance(value, Received) else as_array(value)
    if array is None:
        raise _fail(msg.t("prop_not_numeric", part=prop.of, got=kind_of(value)))
    array = array.astype(np.float64)
    if prop.index:
        try:
            array = np.asarray(array[prop.index])
        except IndexError:
            raise _fail(
                msg.t("prop_missing_part", part=prop.of, got=kind_of(Received(array, "")))
            ) from None
    return array


def _steps(name: str, layout: Layout) -> list[int | str]:
    if name.startswith(ROOT):
        return [int(i) for i in re.findall(r"\[(\d+)\]", name)]
    head, *rest = name.split(".")
    first: int | str = layout.names.index(head) if head in layout.names else head
    return [first, *rest]


def _fail(text: str) -> Failure:
    return Failure(text, reason="property")


# -- the kinds ---------------------------------------------------------------------------------


def _monotonic(prop: Property, array: np.ndarray[Any, Any]) -> None:
    flat = array.ravel()
    steps = np.diff(flat)
    tol = float(prop.options.get("atol", 0.0))
    bad = {
        "increasing": steps <= 0,
        "non-decreasing": steps < -tol,
        "decreasing": steps >= 0,
        "non-increasing": steps > tol,
    }[prop.value] | ~np.isfinite(steps)
    if bad.any():
        at = int(np.argmax(bad))
        raise _fail(
            msg.t(
                "prop_monotonic",
                part=prop.of,
                direction=msg.t(f"direction_{prop.value.replace('-', '_')}"),
                index=at + 1,
                before=describe(float(flat[at])),
                after=describe(float(flat[at + 1])),
            )
        )


def _sums_to(prop: Property, array: np.ndarray[Any, Any]) -> None:
    axis = prop.options.get("axis")
    atol = float(prop.options.get("atol", 1e-6))
    sums = np.sum(array, axis=axis)
    if not np.allclose(sums, float(prop.value), rtol=0.0, atol=atol):
        where = msg.t("along_axis", axis=axis) if axis is not None else ""
        raise _fail(
            msg.t(
                "prop_sums_to",
                part=prop.of,
                target=describe(float(prop.value)),
                where=where,
                sums=describe(Received(np.asarray(sums), "")),
            )
        )


def _argmax_equals(prop: Property, array: np.ndarray[Any, Any]) -> None:
    axis = prop.options.get("axis")
    if array.size == 0:
        raise _fail(msg.t("prop_not_numeric", part=prop.of, got=kind_of(Received(array, ""))))
    got = np.argmax(array, axis=axis) if axis is not None else np.argmax(array.ravel())
    if not np.all(got == prop.value):
        raise _fail(
            msg.t(
                "prop_argmax",
                part=prop.of,
                expected=prop.value,
                got=describe(Received(np.asarray(got), "")),
            )
        )


def _within(prop: Property, array: np.ndarray[Any, Any]) -> None:
    target = float(prop.value["value"])
    atol = float(prop.value["atol"])
    if not (np.isfinite(array).all() and np.all(np.abs(array - target) <= atol)):
        raise _fail(
            msg.t(
                "prop_within",
                part=prop.of,
                atol=describe(atol),
                value=describe(target),
                got=describe(Received(array, "")),
            )
        )


def _shape(prop: Property, array: np.ndarray[Any, Any]) -> None:
    if tuple(array.shape) != tuple(prop.value):
        raise _fail(
            msg.t(
                "prop_shape",
                part=prop.of,
                expected=str(tuple(prop.value)),
                got=str(tuple(array.shape)),
            )
        )


KINDS: dict[str, Callable[[Property, np.ndarray[Any, Any]], None]] = {
    "monotonic": _monotonic,
    "sums_to": _sums_to,
    "argmax_equals": _argmax_equals,
    "within": _within,
    "shape": _shape,
}
_OPTIONS_OF: dict[str, frozenset[str]] = {
    "monotonic": frozenset({"atol"}),
    "sums_to": frozenset({"axis", "atol"}),
    "argmax_equals": frozenset({"axis"}),
    "within": frozenset(),
    "shape": frozenset(),
}
_OPTIONS = frozenset().union(*_OPTIONS_OF.values())


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_monotonic(value: Any, options: dict[str, Any]) -> None:
    if value not in _DIRECTIONS:
        raise ValueError(f"monotonic must be one of {', '.join(_DIRECTIONS)} (got {value!r})")
    _check_options(options)


def _check_sums_to(value: Any, options: dict[str, Any]) -> None:
    if not _number(value):
        raise ValueError(f"sums_to must be a number (got {value!r})")
    _check_options(options)


def _check_argmax(value: Any, options: dict[str, Any]) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"argmax_equals must be a whole number (got {value!r})")
    _check_options(options)


def _check_within(value: Any, options: dict[str, Any]) -> None:
    if not (
        isinstance(value, dict)
        and set(value) == {"value", "atol"}
        and all(_number(v) for v in value.values())
    ):
        raise ValueError(f"within must be {{value: NUMBER, atol: NUMBER}} (got {value!r})")


def _check_shape(value: Any, options: dict[str, Any]) -> None:
    if not (isinstance(value, list) and all(isinstance(n, int) and n >= 0 for n in value)):
        raise ValueError(f"shape must be a list of whole numbers (got {value!r})")


def _check_options(options: dict[str, Any]) -> None:
    axis = options.get("axis")
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool)):
        raise ValueError(f"'axis' must be a whole number (got {axis!r})")
    atol = options.get("atol", 0.0)
    if not _number(atol) or atol < 0:
        raise ValueError(f"'atol' must be a number >= 0 (got {atol!r})")


_VALIDATE: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "monotonic": _check_monotonic,
    "sums_to": _check_sums_to,
    "argmax_equals": _check_argmax,
    "within": _check_within,
    "shape": _check_shape,
}
