"""How a rubric case's result is compared: its parts and its properties, built at loading.

``returns`` (rubric) names a tuple result's items; ``parts`` (rubric or case; the case's win)
gives a part its own check kind, tolerances, ``compare: false`` or ``order: any``;
``properties`` (rubric, for every case, and case) lists what must hold of the result
(`grader.checks.properties`). Every mistake is a `RubricError` naming file, field and line.
"""

from __future__ import annotations

import re
from typing import Any

from grader.checks.properties import Property, make_property
from grader.checks.values import Layout, Part
from grader.errors import RubricError

__all__ = ["case_layout"]

_PART_KEYS = ("check", "compare", "order")


def case_layout(
    data: dict[str, Any],
    case: dict[str, Any],
    where: list[Any],
    default: Part,
    error: Any,
) -> tuple[Layout, tuple[Property, ...]]:
    """The case's `Layout` and properties. ``error(field_path, problem)`` builds the
    `RubricError` for a field path of the rubric."""
    parts: dict[str, Part] = {}
    written = [(["parts"], data.get("parts", {})), ([*where, "parts"], case.get("parts", {}))]
    for base, spec in written:
        for name, options in spec.items():
            parts[str(name)] = _part(options, case, data, [*base, name], error)
    properties = []
    listed = [
        (["properties"], data.get("properties", [])),
        ([*where, "properties"], case.get("properties", [])),
    ]
    for base, entries in listed:
        for index, entry in enumerate(entries):
            try:
                properties.append(make_property(entry))
            except ValueError as exc:
                raise error([*base, index], str(exc)) from None
    names = tuple(str(n) for n in data.get("returns", ()))
    return Layout(default, names, parts), tuple(properties)


def _part(
    options: dict[str, Any], case: dict[str, Any], data: dict[str, Any], path: list[Any], error: Any
) -> Part:
    from grader.checks import get_check, make_params

    kind_name = str(options.get("check", "allclose"))
    try:
        kind = get_check(kind_name)
    except KeyError as exc:
        raise error([*path, "check"], str(exc.args[0])) from None
    values = {k: v for k, v in options.items() if k not in _PART_KEYS}
    if kind_name == "allclose":
        for tol in ("rtol", "atol"):  # a part inherits the case's tolerances
            if tol not in values and tol in case:
                values[tol] = case[tol]
            elif tol not in values and tol in data:
                values[tol] = data[tol]
    order = options.get("order", "exact")
    if order not in ("exact", "any"):
        raise error([*path, "order"], f"must be 'exact' or 'any' (got {order!r})")
    compare = options.get("compare", True)
    if not isinstance(compare, bool):
        raise error([*path, "compare"], f"must be true or false (got {compare!r})")
    try:
        params = make_params(kind, values)
    except (ValueError, TypeError) as exc:
        quoted = re.match(r"'(\w+)'", str(exc))
        field = [*path, quoted.group(1)] if quoted and quoted.group(1) in values else path
        raise error(field, str(exc)) from None
    return Part(kind_name, params, compare, order)


def rubric_error(shown: str, path_of: Any) -> Any:
    """An ``error(field_path, problem)`` that names ``shown`` and the YAML line."""
    from grader.rubric import field_name

    def make(field_path: list[Any], problem: str) -> RubricError:
        return RubricError(shown, field_name(field_path), problem, path_of(field_path))

    return make
