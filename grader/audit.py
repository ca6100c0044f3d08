"""``grade check-rubrics``: every problem of a course's rubrics, before a student sees one.

Each finding names file, line, field and problem. Beyond what loading a rubric already checks
(the schema, unknown fields, tolerances, duplicate case names, input forms and their keys,
the reference and the known-wrong variants' names), the audit

- reads every rubric even after one fails, and every case's inputs, hidden ones included;
- imports the known-wrong variants and reports one that does not import, and one whose
  outputs equal the reference's on every visible case (it could never be named);
- compares each literal ``expected`` with the reference solution's value;
- reports numbers written as quoted strings where numbers belong;
- reports duplicate exercise ids, two rubrics grading the same name in the same file, and a
  rubric whose stub is missing from ``exercises/``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from grader.errors import GraderError, RubricError
from grader.rubric import Rubric, display_path, field_name, load_rubric, locate

__all__ = ["Finding", "audit", "main"]

#: fields whose values are numbers (or hold numbers): a quoted number there is a mistake
_NUMERIC = frozenset({"args", "kwargs", "expected", "params", "rtol", "atol", "points"})


@dataclass(frozen=True)
class Finding:
    """One problem: where it is and what it is."""

    file: str
    line: int | None
    field: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.problem}" if self.field else f"{where}: {self.problem}"
        )

    @classmethod
    def of(cls, error: RubricError) -> Finding:
        """The finding a `RubricError` describes."""
        return cls(error.file, error.line, error.field, error.problem)


def audit(rubrics_dir: Path, solutions: Path | None) -> tuple[list[Finding], list[Rubric]]:
    """Every finding for the rubrics in ``rubrics_dir``, and the rubrics that loaded."""
    files = sorted(p for p in rubrics_dir.iterdir() if p.suffix in (".yaml", ".yml"))
    findings: list[Finding] = []
    loaded: list[Rubric] = []
    for path in files:
        findings.extend(_quoted_numbers(path))
        try:
            loaded.append(load_rubric(path, use_cache=False))
        except RubricError as exc:
            findings.append(Finding.of(exc))
    findings.extend(_duplicates(loaded))
    exercises = rubrics_dir.resolve().parent / "exercises"
    for rubric in loaded:
        findings.extend(_exercise(rubric, solutions, exercises))
    return findings, loaded


def _exercise(rubric: Rubric, solutions: Path | None, exercises: Path) -> Iterator[Finding]:
    from grader.plan import plan_exercise

    shown = display_path(rubric.source)
    if exercises.is_dir() and not (exercises / rubric.file).is_file():
        yield Finding(shown, locate(rubric.source, ["file"]), "file", "no stub in exercises/")
    try:
        plan = plan_exercise(rubric, solutions, include_hidden=True)
    except RubricError as exc:
        yield Finding.of(exc)
        return
    if solutions is None:
        return
    yield from _literals(rubric, solutions)
    if not rubric.misconceptions or rubric.frozen_variants:
        return
    from grader.misconceptions import indistinguishable
    from grader.plan import variants_module

    try:
        variants_module(rubric, solutions)
        visible = replace(plan, cases=tuple(c for c in plan.cases if not c.spec.hidden))
        useless = indistinguishable(visible)
    except RubricError as exc:
        yield Finding.of(exc)
        return
    for item, name in useless:
        where = ["misconceptions", item.index, "function"]
        yield Finding(
            shown,
            locate(rubric.source, where),
            field_name(where),
            f"{name!r} gives the reference's answer on every visible case (or raises on "
            "all of them), so it can never be named: add a visible case that tells them apart",
        )


def _literals(rubric: Rubric, solutions: Path) -> Iterator[Finding]:
    """Literal ``expected`` values that disagree with the reference solution."""
    from grader.plan import plan_exercise

    shown = display_path(rubric.source)
    for spec in rubric.cases:
        if not spec.has_expected:
            continue
        alone = replace(rubric, cases=(replace(spec, has_expected=False),))
        try:
            literal = plan_exercise(replace(rubric, cases=(spec,)), None, include_hidden=True)
            computed = plan_exercise(alone, solutions, include_hidden=True)
        except RubricError as exc:
            yield Finding.of(exc)
            continue
        expected, reference = literal.cases[0].expected, computed.cases[0].expected
        if not _agree(expected, reference, spec.params):
            where = ["cases", spec.index, "expected"]
            yield Finding(
                shown,
                locate(rubric.source, where),
                field_name(where),
                f"{_short(expected)} disagrees with the reference solution's {_short(reference)}",
            )


def _agree(literal: Any, reference: Any, params: Any) -> bool:
    if isinstance(literal, np.ndarray) and isinstance(reference, np.ndarray):
        rtol = float(getattr(params, "rtol", 1e-6))
        atol = float(getattr(params, "atol", 1e-9))
        return literal.shape == reference.shape and bool(
            np.allclose(literal, reference, rtol=rtol, atol=atol, equal_nan=True)
        )
    return bool(literal == reference)


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=6, threshold=8)
    return repr(value)[:80]


def _duplicates(rubrics: list[Rubric]) -> Iterator[Finding]:
    ids: dict[str, Rubric] = {}
    names: dict[tuple[str, str], Rubric] = {}
    for rubric in rubrics:
        shown = display_path(rubric.source)
        first = ids.setdefault(rubric.id, rubric)
        if first is not rubric:
            yield Finding(
                shown,
                locate(rubric.source, ["id"]),
                "id",
                f"duplicate id {rubric.id!r} (also in {display_path(first.source)})",
            )
        graded = [rubric.function] if rubric.function else []
        graded += [c.attribute for c in rubric.cases if c.attribute]
        for name in dict.fromkeys(graded):
            other = names.setdefault((rubric.file, name), rubric)
            if other is not rubric:
                yield Finding(
                    shown,
                    locate(rubric.source, ["file"]),
                    "file",
                    f"{rubric.file}: {name!r} is also graded by {display_path(other.source)}",
                )


def _quoted_numbers(path: Path) -> Iterator[Finding]:
    """Numbers written in quotes under fields that hold numbers (``rtol: "1e-6"``)."""
    import yaml

    from grader.rubric import yaml_loader

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml_loader())
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return  # loading the rubric reports it
    loader = yaml_loader()
    resolver = loader("")
    shown = display_path(path)

    def walk(node: Any, where: list[Any], numeric: bool) -> Iterator[Finding]:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                inner = numeric or key.value in _NUMERIC
                if key.value in ("alternatives", "hint", "title"):
                    inner = False
                yield from walk(value, [*where, key.value], inner)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                yield from walk(item, [*where, index], numeric)
        elif isinstance(node, yaml.ScalarNode) and numeric and node.style in ("'", '"'):
            tag = resolver.resolve(yaml.ScalarNode, node.value, (True, False))
            if tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int"):
                yield Finding(
                    shown,
                    node.start_mark.line + 1,
                    field_name(where),
                    f"{node.value!r} is a quoted string; write the number without quotes",
                )

    if root is not None:
        yield from walk(root, [], False)


def main(argv: Sequence[str]) -> int:
    """``grade check-rubrics [--rubrics DIR] [--solutions DIR]``."""
    from grader.cli import (
        ExitCode,
        add_course_options,
        print_error,
        rubrics_option,
        solutions_folder,
    )

    parser = argparse.ArgumentParser(
        prog="grade check-rubrics",
        description="Report every problem of the course's rubrics with file and line: schema, "
        "inputs, references, literal expected values, known-wrong variants, duplicates.",
    )
    add_course_options(parser)
    args = parser.parse_args(argv)
    try:
        rubrics_dir = rubrics_option(args.rubrics)
        if not rubrics_dir.is_dir():
            print_error(f"{rubrics_dir}: rubric folder not found")
            return int(ExitCode.USAGE_ERROR)
        solutions = solutions_folder(args.solutions, rubrics_dir)
        findings, loaded = audit(rubrics_dir, solutions)
    except GraderError as exc:
        print_error(str(exc))
        return exc.exit_code
    for finding in findings:
        print(finding)
    if findings:
        print(f"{len(findings)} problem(s) in {display_path(rubrics_dir)}")
        return int(ExitCode.TESTS_FAILED)
    cases = sum(len(r.cases) for r in loaded)
    variants = sum(len(r.misconceptions) for r in loaded)
    print(f"{len(loaded)} rubrics, {cases} cases, {variants} known mistakes: no problems found")
    return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
