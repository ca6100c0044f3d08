"""Plan: turn a rubric's cases into concrete inputs and expected values.

Inputs written in YAML become what the student receives: a list of numbers becomes a float64
ndarray, ``{random: normal, shape: [3, 4]}`` a seeded random array, ``{callable: name}`` a
function from `grader.sandbox.callables`. Expected values come from the reference solution
(imported here, in the grader's process — never in the child) unless a case gives them.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.errors import RubricError
from grader.frozen import FrozenError, thaw
from grader.rubric import CaseSpec, Rubric, display_path, field_name, locate
from grader.sandbox.callables import CALLABLES

__all__ = [
    "ExercisePlan",
    "PlannedCase",
    "check_variants",
    "input_recipe",
    "load_solution",
    "plan_exercise",
    "reference_file",
    "variant_file",
    "variants_module",
]

_DTYPES = {"float64", "float32", "int64", "int32", "bool"}


@dataclass(frozen=True)
class PlannedCase:
    """A case ready to run: concrete inputs and the value to compare with."""

    spec: CaseSpec
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    expected: Any


@dataclass(frozen=True)
class ExercisePlan:
    """All cases of one exercise that will run."""

    rubric: Rubric
    cases: tuple[PlannedCase, ...]
    #: hidden cases left out (not run) and their points
    hidden_skipped: tuple[CaseSpec, ...] = ()
    #: the reference solutions folder (misconception variants live in its misconceptions/)
    solutions: Path | None = None


class _SpecError(Exception):
    def __init__(self, where: list[Any], problem: str) -> None:
        super().__init__(problem)
        self.where = where
        self.problem = problem


def plan_exercise(
    rubric: Rubric, solutions: Path | None, *, include_hidden: bool = False
) -> ExercisePlan:
    """Generate every case's inputs and expected value."""
    specs = [c for c in rubric.cases if include_hidden or not c.hidden]
    skipped = tuple(c for c in rubric.cases if c.hidden and not include_hidden)
    solution: ModuleType | None = None
    planned = []
    for spec in specs:
        where: list[Any] = ["cases", spec.index]
        try:
            args = tuple(
                _materialize(a, [*where, "args", i], rubric.id, spec.name)
                for i, a in enumerate(spec.args)
            )
            kwargs = {
                k: _materialize(v, [*where, "kwargs", k], rubric.id, spec.name)
                for k, v in spec.kwargs.items()
            }
        except _SpecError as exc:
            raise RubricError(
                display_path(rubric.source),
                field_name(exc.where),
                exc.problem,
                locate(rubric.source, exc.where),
            ) from None
        if spec.data is not None:
            made = _data_inputs(rubric, spec, solutions)
            if isinstance(made, dict):
                kwargs = {**made, **kwargs}
            else:
                args = (*made, *args)
        if spec.has_expected:
            expected = _literal_expected(rubric, spec)
        else:
            if solution is None:
                solution = load_solution(rubric, solutions)
            expected = _reference(rubric, spec, solution, args, kwargs)
        planned.append(PlannedCase(spec, args, kwargs, expected))
    if rubric.misconceptions and solutions is not None and not rubric.frozen_variants:
        check_variants(rubric, solutions)
    return ExercisePlan(rubric, tuple(planned), skipped, solutions)


#: the course's data functions, beside the references: ``{data: {function: NAME}}`` in a case
DATA_FILE = "data.py"


def _data_inputs(rubric: Rubric, spec: CaseSpec, solutions: Path | None) -> Any:
    """Inputs made by the course's data function for ``spec`` (e.g. x and y of a regression,
    so that derived inputs are never pasted into the rubric): a tuple or list of positional
    arguments, or a dict of keyword arguments."""
    assert spec.data is not None  # noqa: S101 - the caller checks
    where = ["cases", spec.index, "data"]

    def error(problem: str) -> RubricError:
        return RubricError(
            display_path(rubric.source), field_name(where), problem, locate(rubric.source, where)
        )

    if solutions is None or not (solutions / DATA_FILE).is_file():
        raise error(f"data functions live in {DATA_FILE} beside the reference solutions")
    module = _cached(solutions / DATA_FILE, f"_ml_lectures_data_{rubric.id}", "the data functions")
    name = spec.data["function"]
    function = getattr(module, name, None)
    if not callable(function):
        raise error(f"{DATA_FILE} does not define {name!r}")
    try:
        made = function(**dict(spec.data.get("kwargs", {})))
    except Exception as exc:  # noqa: BLE001 - any failure of a course file is reported
        raise error(f"{name} raised {type(exc).__name__}: {exc}") from None
    if not isinstance(made, tuple | list | dict):
        raise error(f"{name} must return a tuple of inputs (or a dict), got {type(made).__name__}")
    return made


def variant_file(rubric: Rubric, solutions: Path) -> Path:
    """Where the rubric's known-wrong variants live (`grader.misconceptions`)."""
    return solutions / "misconceptions" / (rubric.solution or rubric.file)


def check_variants(rubric: Rubric, solutions: Path) -> Path:
    """The known-wrong variants' file, which must exist and define at top level every
    function the rubric names (a `RubricError` naming the rubric's line otherwise), so that a
    misspelt variant fails ``grade solutions/`` rather than a student's report later. The file
    is parsed, not imported: a passing submission never pays for the variants."""
    path = _existing_variants(rubric, solutions)
    defined = _top_level_names(path)
    for index, item in enumerate(rubric.misconceptions):
        function = item["function"]
        for name in (function,) if isinstance(function, str) else function:
            if name not in defined:
                where = ["misconceptions", index, "function"]
                raise RubricError(
                    display_path(rubric.source),
                    field_name(where),
                    f"{display_path(path)} does not define {name!r}",
                    locate(rubric.source, where),
                )
    return path


def _existing_variants(rubric: Rubric, solutions: Path) -> Path:
    path = variant_file(rubric, solutions)
    if not path.is_file():
        raise RubricError(
            display_path(rubric.source),
            "misconceptions",
            f"the known-wrong variants {display_path(path)} were not found",
            locate(rubric.source, ["misconceptions"]),
        )
    return path


def _top_level_names(path: Path) -> frozenset[str]:
    import ast

    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError) as exc:
        raise RubricError(display_path(path), "", f"cannot be parsed: {exc}") from None
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


_variant_modules: dict[Path, ModuleType] = {}
_variant_lock = threading.Lock()


def variants_module(rubric: Rubric, solutions: Path) -> ModuleType:
    """The rubric's known-wrong variants, imported once per process (trusted course code)."""
    path = _existing_variants(rubric, solutions)
    return _cached(path, f"_ml_lectures_misconceptions_{rubric.id}", "the known-wrong variants")


def _cached(path: Path, module_name: str, what: str) -> ModuleType:
    """`load_trusted`, once per file and process."""
    with _variant_lock:
        module = _variant_modules.get(path)
        if module is None:
            module = load_trusted(path, module_name, what)
            _variant_modules[path] = module
        return module


def _literal_expected(rubric: Rubric, spec: CaseSpec) -> Any:
    value = spec.expected
    if isinstance(value, dict) and set(value) == {"frozen"}:
        where = ["cases", spec.index, "expected", "frozen"]
        try:
            return thaw(value["frozen"])
        except FrozenError as exc:
            raise RubricError(
                display_path(rubric.source),
                field_name(where),
                str(exc),
                locate(rubric.source, where),
            ) from None
    try:
        return expected_value(value)
    except ValueError as exc:
        where = ["cases", spec.index, "expected"]
        raise RubricError(
            display_path(rubric.source), field_name(where), str(exc), locate(rubric.source, where)
        ) from None


def reference_file(rubric: Rubric, solutions: Path) -> Path:
    """Where the rubric's reference solution lives."""
    return solutions / (rubric.solution or rubric.file)


def load_solution(rubric: Rubric, solutions: Path | None) -> ModuleType:
    """Import the rubric's reference solution (a `RubricError` when there is none)."""
    if solutions is None:
        raise RubricError(
            display_path(rubric.source),
            "cases",
            "expected values come from the reference solution, but no "
            "solutions folder was given (use --solutions DIR)",
        )
    path = reference_file(rubric, solutions)
    if not path.is_file():
        raise RubricError(
            display_path(rubric.source),
            "file",
            f"reference solution {display_path(path)} not found (use --solutions DIR, "
            "or give 'expected' in every case)",
            locate(rubric.source, ["file"]),
        )
    return load_trusted(path, f"_ml_lectures_solution_{rubric.id}", "the reference solution")


def load_trusted(path: Path, module_name: str, what: str) -> ModuleType:
    """Import a trusted file of the course (a reference or its known-wrong variants) by path.

    Only course files are imported in the grader's process; student code never is.
    """
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RubricError(display_path(path), "", f"cannot load {what}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any failure of a course file is reported
        raise RubricError(
            display_path(path), "", f"{what} failed to import: {type(exc).__name__}: {exc}"
        ) from None
    return module


def _reference(
    rubric: Rubric,
    spec: CaseSpec,
    solution: ModuleType,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    if spec.attribute:
        if not hasattr(solution, spec.attribute):
            raise RubricError(
                display_path(rubric.source),
                f"cases[{spec.index}].attribute",
                f"the reference solution has no {spec.attribute!r}",
                locate(rubric.source, ["cases", spec.index, "attribute"]),
            )
        return _expected(rubric, spec, getattr(solution, spec.attribute))
    assert rubric.function is not None  # noqa: S101 - rubric loading guarantees it
    function = getattr(solution, rubric.function, None)
    if function is None:
        raise RubricError(
            display_path(rubric.source),
            "function",
            f"the reference solution does not define {rubric.function!r}",
            locate(rubric.source, ["function"]),
        )
    try:
        value = function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception as exc:  # noqa: BLE001 - any failure of the reference is reported
        raise RubricError(
            display_path(rubric.source),
            f"cases[{spec.index}]",
            f"the reference solution raised {type(exc).__name__}: {exc}",
            locate(rubric.source, ["cases", spec.index]),
        ) from None
    return _expected(rubric, spec, value)


def _expected(rubric: Rubric, spec: CaseSpec, value: Any) -> Any:
    try:
        return expected_value(value)
    except ValueError as exc:
        where = ["cases", spec.index]
        raise RubricError(
            display_path(rubric.source),
            field_name(where),
            f"the reference solution returned {exc}",
            locate(rubric.source, where),
        ) from None


def expected_value(value: Any, depth: int = 0) -> Any:
    """A reference's answer as the grader compares it: numbers and non-empty lists of numbers
    become float64 arrays, strings and None stay, tuples, lists and dicts keep their structure.
    An empty list stays a list: nothing says its items would be numbers (the empty answer of a
    function that returns a list of strings is one); in a list of lists it is an empty row."""
    if depth > 16:
        raise ValueError("a value nested more than 16 levels deep")
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return tuple(expected_value(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return {str(k): expected_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list) and (not value or not _numeric(value)):
        return [expected_value(v, depth + 1) for v in value]
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a {type(value).__name__} that is not data ({exc})") from None
    return array


def _numeric(value: Any) -> bool:
    if isinstance(value, list):
        return all(_numeric(v) for v in value)
    return isinstance(value, int | float | np.number | np.ndarray) and not isinstance(value, str)


# -- inputs ------------------------------------------------------------------------------------


def _seed(rubric_id: str, case: str, where: list[Any]) -> int:
    key = f"{rubric_id}/{case}/{'/'.join(map(str, where))}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "little")


def _materialize(value: Any, where: list[Any], rubric_id: str, case: str) -> Any:
    if isinstance(value, list):
        try:
            array = np.array(value, dtype=np.float64)
        except (ValueError, TypeError):
            raise _SpecError(where, "a list must hold numbers only (a rectangular array)") from None
        return array
    if isinstance(value, dict):
        if len(value) == 0:
            raise _SpecError(where, "empty mapping; use random/array/list/callable/value")
        _known_keys(value, where)
        if "random" in value:
            return _random(value, where, _seed(rubric_id, case, where))
        if "array" in value:
            dtype = value.get("dtype", "float64")
            if dtype not in _DTYPES:
                raise _SpecError(
                    [*where, "dtype"],
                    f"unknown dtype {dtype!r}; use one of {', '.join(sorted(_DTYPES))}",
                )
            return np.array(value["array"], dtype=dtype)
        if "list" in value:
            return list(value["list"])
        if "callable" in value:
            name = value["callable"]
            if name not in CALLABLES:
                raise _SpecError(
                    [*where, "callable"],
                    f"unknown callable {name!r}; known: {', '.join(sorted(CALLABLES))}",
                )
            return CALLABLES[name]
        if "value" in value:
            return value["value"]
        if "frozen" in value:  # exact, as a student release stores it (`grader.frozen`)
            try:
                return thaw(value["frozen"])
            except FrozenError as exc:
                raise _SpecError([*where, "frozen"], str(exc)) from None
        raise _SpecError(
            where,
            f"unknown input form {sorted(value)}; use random/array/list/callable/value/frozen",
        )
    return value


#: the keys each input form takes (besides its own name)
_FORM_KEYS: dict[str, frozenset[str]] = {
    "array": frozenset({"dtype"}),
    "list": frozenset(),
    "callable": frozenset(),
    "value": frozenset(),
    "frozen": frozenset(),
}
_RANDOM_KEYS: dict[str, frozenset[str]] = {
    "normal": frozenset({"loc", "scale"}),
    "uniform": frozenset({"low", "high"}),
    "onehot": frozenset({"index"}),
    "simplex": frozenset({"alpha"}),
    "integers": frozenset({"low", "high"}),
}


def _known_keys(value: dict[str, Any], where: list[Any]) -> None:
    """A misspelt key of an input form is an error (it would silently take its default)."""
    import difflib

    if "random" in value:
        extra = _RANDOM_KEYS.get(str(value["random"]), frozenset()) | {"random", "shape", "seed"}
    else:
        form = next((k for k in _FORM_KEYS if k in value), None)
        if form is None:
            return
        extra = _FORM_KEYS[form] | {form}
    for key in value:
        if key not in extra:
            close = difflib.get_close_matches(str(key), sorted(extra), n=1)
            suggestion = f"; did you mean {close[0]!r}?" if close else ""
            raise _SpecError([*where, key], f"unknown key {key!r}{suggestion}")


def input_recipe(case: CaseSpec, rubric_id: str, where: tuple[Any, ...]) -> str | None:
    """One line of NumPy that makes the input of ``case`` at ``where`` (``("args", 0)`` or
    ``("kwargs", name)``) when a seeded generator made it, else None: what a student pastes
    to rebuild a random input (`_random` makes it with the same calls). A case whose inputs
    come from a data function of the course has none: its inputs are not the rubric's."""
    if case.data is not None:
        return None
    spec = case.args[where[1]] if where[0] == "args" else case.kwargs.get(where[1])
    if not isinstance(spec, dict) or "random" not in spec:
        return None
    path = ["cases", case.index, *where]
    seed = spec.get("seed", _seed(rubric_id, case.name, path))
    call = _RECIPES.get(spec["random"])
    if call is None:
        return None
    shape = tuple(spec.get("shape", ()))
    values = ", ".join(repr(spec.get(name, default)) for name, default in call[1])
    return f"np.random.default_rng({seed!r}).{call[0]}({values}, size={shape!r}){call[2]}"


#: generator -> (method, its parameters with their defaults, what follows the call)
_RECIPES: dict[str, tuple[str, tuple[tuple[str, Any], ...], str]] = {
    "normal": ("normal", (("loc", 0.0), ("scale", 1.0)), ""),
    "uniform": ("uniform", (("low", 0.0), ("high", 1.0)), ""),
    "integers": ("integers", (("low", 0), ("high", 10)), ".astype(np.float64)"),
}


def _random(spec: dict[str, Any], where: list[Any], default_seed: int) -> Any:
    kind = spec["random"]
    seed = spec.get("seed", default_seed)
    rng = np.random.default_rng(seed)
    shape = tuple(spec.get("shape", ()))
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise _SpecError([*where, "shape"], "must be a list of whole numbers")
    if kind in ("normal", "uniform"):
        method, params, _after = _RECIPES[kind]
        return getattr(rng, method)(*(spec.get(n, d) for n, d in params), size=shape)
    if kind == "onehot":
        if not shape:
            raise _SpecError([*where, "shape"], "onehot needs a shape, e.g. [5] or [4, 5]")
        classes = shape[-1]
        out = np.zeros(shape)
        index = spec.get("index")
        flat = out.reshape(-1, classes)
        for row in flat:
            row[index if index is not None else int(rng.integers(classes))] = 1.0
        return flat.reshape(shape)
    if kind == "simplex":
        if not shape:
            raise _SpecError([*where, "shape"], "simplex needs a shape, e.g. [5]")
        alpha = float(spec.get("alpha", 1.0))
        return rng.dirichlet(np.full(shape[-1], alpha), size=shape[:-1] or None)
    if kind == "integers":
        _method, params, _after = _RECIPES[kind]
        low, high = (spec.get(n, d) for n, d in params)
        return rng.integers(low, high, size=shape).astype(np.float64)
    raise _SpecError(
        [*where, "random"],
        f"unknown generator {kind!r}; use normal, uniform, onehot, simplex or integers",
    )
