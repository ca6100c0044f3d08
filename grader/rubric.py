"""Rubrics: YAML -> JSON Schema (`schema/rubric.schema.json`) -> `Rubric`.

Loading is the only place rubric files are read. A malformed rubric raises `RubricError`
naming file, line, field and problem. Validated rubrics are cached by content hash, so a
warm `grade` run parses no YAML and imports no jsonschema.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import __version__
from grader.errors import RubricError, UsageError
from grader.messages import t

__all__ = [
    "CaseSpec",
    "Rubric",
    "cache_root",
    "display_path",
    "field_name",
    "load_rubric",
    "load_rubrics",
    "locate",
    "text_of",
    "yaml_loader",
]

_SCHEMA_PATH = Path(__file__).with_name("schema") / "rubric.schema.json"
_DEFAULT_TIME_LIMIT = 5.0  # seconds per case (and for the import); docs/security.md
_DEFAULT_MEMORY_MB = 1024
#: how rubric files are parsed (part of the cache key: a parser change re-reads every rubric)
_PARSER = b"yaml-1.2-floats"


@dataclass(frozen=True)
class CaseSpec:
    """One case of a rubric, as written (inputs not yet generated)."""

    name: str
    index: int
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    attribute: str | None = None
    expected: Any = None
    has_expected: bool = False
    check: str = "allclose"
    params: Any = None
    points: float = 1.0
    hidden: bool = False
    hint: dict[str, str] = field(default_factory=dict)
    category: str = ""
    depends_on: tuple[str, ...] = ()
    time_limit: float | None = None
    #: the case's name as shown, per language (``name`` stays the identifier)
    title: dict[str, str] = field(default_factory=dict)
    #: when ``hint`` fits the failure: reasons, signature ids or ``only_failure`` (empty:
    #: always); otherwise the exercise's hint is shown (`grader.scoring`)
    hint_when: tuple[str, ...] = ()
    #: how the result is compared, part by part (`grader.checks.values`); None: as ``check``
    layout: Any = None
    #: what must hold of the result (`grader.checks.properties`)
    properties: tuple[Any, ...] = ()
    #: inputs made by a data function of the course: ``{function: NAME, kwargs: {...}}``
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Rubric:
    """One exercise: where the student's code is, what to call, and the cases."""

    id: str
    title: dict[str, str]
    file: str
    function: str | None
    cases: tuple[CaseSpec, ...]
    source: Path
    digest: str
    solution: str | None = None
    time_limit: float = _DEFAULT_TIME_LIMIT
    memory_limit_mb: int = _DEFAULT_MEMORY_MB
    hint: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    misconceptions: tuple[dict[str, Any], ...] = ()
    #: position in reports and listings (then by id)
    order: int = 100
    #: hidden cases a student release leaves out: how many, and their points (nothing else)
    withheld: tuple[int, float] = (0, 0.0)
    #: the argument that keeps a log away from 0: a known slip that uses an eps of its own
    #: still matches where that eps decides the answer (`grader.misconceptions`)
    eps_argument: str | None = None
    #: in a student release: that slack per case name, frozen (`grader.frozen`)
    eps_slack: dict[str, Any] = field(default_factory=dict)

    @property
    def max_score(self) -> float:
        """Points over all cases, hidden included (withheld ones too)."""
        return sum(c.points for c in self.cases) + self.withheld[1]

    @property
    def frozen_variants(self) -> bool:
        """Whether the known-wrong variants' outputs are stored in the rubric (a release)."""
        return any("outputs" in item for item in self.misconceptions)

    @property
    def stem(self) -> str:
        """The module name of the exercise file."""
        return Path(self.file).stem


def text_of(value: dict[str, str], lang: str = "en") -> str:
    """The text in ``lang``, falling back to English."""
    return value.get(lang) or value.get("en", "")


def _text(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value}
    return {k: str(v) for k, v in value.items()}


# -- loading -----------------------------------------------------------------------------------


def load_rubrics(directory: Path, *, use_cache: bool = True) -> list[Rubric]:
    """Every ``*.yaml`` rubric in ``directory``, sorted by file name."""
    if not directory.is_dir():
        raise UsageError(t("usage_no_rubric_folder", path=directory))
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    if not files:
        raise UsageError(t("usage_no_rubric_files", path=directory))
    rubrics = sorted(
        (load_rubric(p, use_cache=use_cache) for p in files), key=lambda r: (r.order, r.id)
    )
    seen: dict[str, Path] = {}
    for rubric in rubrics:
        if rubric.id in seen:
            raise RubricError(
                display_path(rubric.source),
                "id",
                f"duplicate id {rubric.id!r} (also in {display_path(seen[rubric.id])})",
                locate(rubric.source, ["id"]),
            )
        seen[rubric.id] = rubric.source
    return rubrics


def load_rubric(path: Path, *, use_cache: bool = True) -> Rubric:
    """Read, validate and build one rubric."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricError(display_path(path), "", f"cannot read: {exc.strerror}") from None
    digest = hashlib.sha256(raw + _schema_bytes() + __version__.encode() + _PARSER).hexdigest()
    data = _cache_get(digest) if use_cache else None
    # (a hit skips YAML parsing and the jsonschema import: both cost more than grading)
    if data is None:
        data = _parse_and_validate(path, raw)
        if use_cache:
            _cache_put(digest, data)
    return _build(path, data, digest)


_YAML12_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


def yaml_loader() -> Any:
    """PyYAML's safe loader, reading numbers as YAML 1.2 does.

    YAML 1.1 reads ``1.0e6`` and ``1e-6`` (no dot, or no sign in the exponent) as strings;
    rubric authors mean numbers, and JSON, YAML 1.2 and Python agree with them.
    """
    global _loader  # noqa: PLW0603 - built once per process
    if _loader is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _loader = type("RubricLoader", (base,), {})
        _loader.add_implicit_resolver(
            "tag:yaml.org,2002:float", _YAML12_FLOAT, list("-+0123456789.")
        )
    return _loader


_loader: Any = None


def _parse_and_validate(path: Path, raw: bytes) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.load(raw, Loader=yaml_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricError(display_path(path), "", f"invalid YAML: {problem}", line) from None
    if not isinstance(data, dict):
        raise RubricError(display_path(path), "", "a rubric must be a mapping of fields", 1)
    data = _jsonable(data, path)
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(_schema_bytes()))
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.path), list(e.path)))
    if errors:
        error = errors[0]
        where = list(error.absolute_path)
        extra = _unknown_key(error)
        if extra is not None:
            where.append(extra)
        raise RubricError(
            display_path(path), field_name(where), _schema_problem(error), locate(path, where)
        )
    return data  # type: ignore[no-any-return]


def _unknown_key(error: Any) -> str | None:
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return None
    allowed = error.schema.get("properties", {})
    extra = [k for k in error.instance if k not in allowed]
    return str(extra[0]) if extra else None


def _schema_problem(error: Any) -> str:
    validator = error.validator
    instance = error.instance
    if validator == "type":
        wanted = error.validator_value
        names = {
            "number": "a number",
            "string": "a string",
            "integer": "a whole number",
            "boolean": "true or false",
            "array": "a list",
            "object": "a mapping",
        }
        want = (
            names.get(wanted, str(wanted))
            if isinstance(wanted, str)
            else " or ".join(names.get(w, w) for w in wanted)
        )
        return f"must be {want}, got {instance!r}"
    if validator == "required":
        missing = [k for k in error.validator_value if k not in instance]
        return f"missing required field {missing[0]!r}" if missing else error.message
    if validator == "additionalProperties":
        import difflib

        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in instance if k not in allowed]
        if extra:
            close = difflib.get_close_matches(extra[0], allowed, n=1)
            suggestion = f"; did you mean {close[0]!r}?" if close else ""
            return f"unknown field {extra[0]!r}{suggestion}"
    if validator == "minimum":
        return f"must be >= {error.validator_value}, got {instance!r}"
    if validator == "exclusiveMinimum":
        return f"must be > {error.validator_value}, got {instance!r}"
    if validator == "pattern":
        return f"{instance!r} is not a valid name here"
    if validator == "minItems":
        return "must not be empty"
    if validator == "oneOf":
        return f"must be a string or a mapping with 'en' (and 'ja'), got {instance!r}"
    return str(error.message)


def field_name(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _jsonable(value: Any, path: Path) -> Any:
    """YAML may hold dates and other non-JSON scalars; the cache and schema want JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v, path) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v, path) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _build(path: Path, data: dict[str, Any], digest: str) -> Rubric:
    from grader.checks import get_check, make_params
    from grader.checks.values import Part
    from grader.rubric_layout import case_layout, rubric_error

    shown = display_path(path)
    function = data.get("function")
    default_check = data.get("check", "allclose")
    base_params = dict(data.get("params", {}))
    cases: list[CaseSpec] = []
    names: set[str] = set()
    for index, case in enumerate(data["cases"]):
        where = ["cases", index]
        name = case["name"]
        if name in names:
            raise RubricError(
                shown,
                field_name([*where, "name"]),
                f"duplicate case name {name!r}",
                locate(path, [*where, "name"]),
            )
        names.add(name)
        if "attribute" not in case and not function:
            raise RubricError(
                shown,
                field_name(where),
                "needs 'attribute', or set 'function' for the whole rubric",
                locate(path, where),
            )
        kind_name = case.get("check", default_check)
        try:
            kind = get_check(kind_name)
        except KeyError as exc:
            field_path = [*where, "check"] if "check" in case else ["check"]
            raise RubricError(
                shown, field_name(field_path), str(exc.args[0]), locate(path, field_path)
            ) from None
        values = dict(base_params)
        values.update(case.get("params", {}))
        for tol in ("rtol", "atol"):
            if tol in case:
                values[tol] = case[tol]
            elif tol in data and tol not in values:
                values[tol] = data[tol]
        try:
            params = make_params(kind, values)
        except (ValueError, TypeError) as exc:
            problem = str(exc)
            quoted = re.match(r"'(\w+)'", problem)
            param = quoted.group(1) if quoted else ""
            field_path = [*where, "params", param] if param in case.get("params", {}) else where
            for tol in ("rtol", "atol"):
                if f"'{tol}'" in problem and tol in case:
                    field_path = [*where, tol]
            raise RubricError(
                shown, field_name(field_path), problem, locate(path, field_path)
            ) from None
        default = Part(kind_name, params, bool(case.get("compare", True)))
        layout, properties = case_layout(
            data, case, where, default, rubric_error(shown, lambda f: locate(path, f))
        )
        cases.append(
            CaseSpec(
                name=name,
                index=index,
                args=tuple(case.get("args", ())),
                kwargs=dict(case.get("kwargs", {})),
                attribute=case.get("attribute"),
                expected=case.get("expected"),
                has_expected="expected" in case,
                check=kind_name,
                params=params,
                points=float(case.get("points", 1)),
                hidden=bool(case.get("hidden", False)),
                hint=_text(case.get("hint")),
                category=str(case.get("category", "")),
                depends_on=tuple(case.get("depends_on", ())),
                time_limit=case.get("time_limit"),
                title=_text(case.get("title")),
                hint_when=tuple(case.get("hint_when", ())),
                layout=layout,
                properties=properties,
                data=case.get("data"),
            )
        )
    for case_spec in cases:
        for dep in case_spec.depends_on:
            if dep not in names:
                field_path = ["cases", case_spec.index, "depends_on"]
                raise RubricError(
                    shown,
                    field_name(field_path),
                    f"no case named {dep!r}",
                    locate(path, field_path),
                )
    for index, item in enumerate(data.get("misconceptions", ())):
        for name in item.get("case_hints", {}):
            if name not in names:
                field_path = ["misconceptions", index, "case_hints", name]
                raise RubricError(
                    shown,
                    field_name(field_path),
                    f"no case named {name!r}",
                    locate(path, field_path),
                )
    return Rubric(
        id=data["id"],
        title=_text(data["title"]),
        file=data["file"],
        function=function,
        cases=tuple(cases),
        source=path,
        digest=digest,
        solution=data.get("solution"),
        time_limit=float(data.get("time_limit", _DEFAULT_TIME_LIMIT)),
        memory_limit_mb=int(data.get("memory_limit_mb", _DEFAULT_MEMORY_MB)),
        hint=_text(data.get("hint")),
        description=_text(data.get("description")),
        misconceptions=tuple(data.get("misconceptions", ())),
        order=int(data.get("order", 100)),
        withheld=_withheld(data.get("withheld")),
        eps_argument=data.get("eps_argument"),
        eps_slack=dict(data.get("eps_slack", {})),
    )


def _withheld(value: Any) -> tuple[int, float]:
    if not isinstance(value, dict):
        return (0, 0.0)
    return (int(value.get("cases", 0)), float(value.get("points", 0.0)))


def locate(path: Path, where: list[Any]) -> int | None:
    """The 1-based line of the node at ``where`` in the YAML file, or of its nearest parent."""
    try:
        import yaml

        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except Exception:  # noqa: BLE001 - only used to decorate an error that is raised anyway
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in where:
        if node is None:
            break
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        node = child
    return line


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


# -- cache -------------------------------------------------------------------------------------

_schema_cache: bytes | None = None


def _schema_bytes() -> bytes:
    global _schema_cache  # noqa: PLW0603 - read once per process
    if _schema_cache is None:
        _schema_cache = _SCHEMA_PATH.read_bytes()
    return _schema_cache


def cache_root() -> Path:
    """Where the grader keeps what it can compute again (``$XDG_CACHE_HOME/ml-lectures``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ml-lectures"


def _cache_dir() -> Path:
    return cache_root() / "rubrics"


def _cache_get(digest: str) -> dict[str, Any] | None:
    try:
        data = json.loads((_cache_dir() / f"{digest}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _cache_put(digest: str, data: dict[str, Any]) -> None:
    directory = _cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{digest}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(directory / f"{digest}.json")
    except OSError:
        pass
