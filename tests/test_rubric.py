"""Rubric loading: malformed rubrics get one line naming file, line, field and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import cli
from grader.errors import RubricError
from grader.rubric import load_rubric, load_rubrics
from tests.conftest import RUBRICS, SOLUTIONS

GOOD = """\
id: softmax
title: Softmax
file: softmax.py
function: softmax
cases:
  - name: one
    args: [[1.0, 2.0]]
  - name: two
    args: [[3.0, 1.0]]
    rtol: 1.0e-6
"""


def _write(tmp_path: Path, text: str, name: str = "softmax.yaml") -> Path:
    folder = tmp_path / "rubrics"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


BAD = [
    pytest.param(
        GOOD.replace("rtol: 1.0e-6", "rtol: tight"),
        10,
        "cases[1].rtol",
        "must be a number, got 'tight'",
        id="rtol not a number",
    ),
    pytest.param(
        GOOD.replace("rtol: 1.0e-6", "rtol: -1"),
        10,
        "cases[1].rtol",
        "must be >= 0, got -1",
        id="negative rtol",
    ),
    pytest.param(
        GOOD.replace("function: softmax\n", "function: softmax\nponts: 3\n"),
        5,
        "ponts",
        "unknown field 'ponts'",
        id="unknown top-level field",
    ),
    pytest.param(
        GOOD.replace("  - name: two\n", "  - nme: two\n"),
        8,
        "cases[1]",
        "missing required field 'name'",
        id="case without name",
    ),
    pytest.param(
        GOOD.replace("    args: [[3.0, 1.0]]\n", "    args: [[3.0, 1.0]]\n    chek: x\n"),
        10,
        "cases[1].chek",
        "unknown field 'chek'; did you mean 'check'?",
        id="misspelt case field",
    ),
    pytest.param(
        GOOD.replace("    rtol: 1.0e-6\n", "    check: alclose\n"),
        10,
        "cases[1].check",
        "did you mean 'allclose'?",
        id="unknown check kind",
    ),
    pytest.param(
        GOOD.replace("title: Softmax\n", ""),
        1,
        "(top level)",
        "missing required field 'title'",
        id="missing title",
    ),
    pytest.param(
        GOOD.replace("    args: [[1.0, 2.0]]\n", "    args: [[1.0, 2.0]\n"),
        8,
        "",
        "invalid YAML",
        id="broken YAML",
    ),
    pytest.param(
        GOOD.replace("  - name: two", "  - name: one"),
        8,
        "cases[1].name",
        "duplicate case name 'one'",
        id="duplicate case name",
    ),
    pytest.param(
        GOOD.replace("    rtol: 1.0e-6\n", "    depends_on: [three]\n"),
        10,
        "cases[1].depends_on",
        "no case named 'three'",
        id="unknown dependency",
    ),
    pytest.param(
        GOOD.replace("    rtol: 1.0e-6\n", "    params: {returns: many}\n"),
        10,
        "cases[1].params.returns",
        "'returns' must be 'any' or 'scalar'",
        id="bad param value",
    ),
    pytest.param(
        GOOD.replace("    rtol: 1.0e-6\n", "    points: -2\n"),
        10,
        "cases[1].points",
        "must be >= 0",
        id="negative points",
    ),
    pytest.param("- just\n- a list\n", 1, "", "a rubric must be a mapping", id="not a mapping"),
    pytest.param(
        GOOD.replace("    rtol: 1.0e-6\n", "    hint: {en: h}\n    hint_when: [loops]\n"),
        11,
        "cases[1].hint_when[0]",
        "'loops' is not one of",
        id="unknown hint_when condition",
    ),
    pytest.param(
        GOOD
        + "misconceptions:\n  - id: x\n    function: x\n    hint: {en: h}\n"
        + "    case_hints:\n      three: {en: h3}\n",
        16,
        "misconceptions[0].case_hints.three",
        "no case named 'three'",
        id="case hint for a case that does not exist",
    ),
    pytest.param(
        GOOD.replace("function: softmax\n", "function: softmax\neps_argument: 1e-12\n"),
        5,
        "eps_argument",
        "must be a string",
        id="eps_argument not a name",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "problem"), BAD)
def test_malformed_rubric_is_named_precisely(
    tmp_path: Path, text: str, line: int, field: str, problem: str
) -> None:
    """Each malformed rubric raises one error with the file, line, field and problem."""
    path = _write(tmp_path, text)
    with pytest.raises(RubricError) as info:
        load_rubric(path, use_cache=False)
    error = info.value
    assert line == error.line
    assert field == error.field
    assert problem in error.problem


def test_cli_prints_rubric_error_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI shows `file:line: field: problem` and exits 2, without a traceback."""
    path = _write(tmp_path, GOOD.replace("rtol: 1.0e-6", "rtol: tight"))
    code = cli.main([str(SOLUTIONS), "--rubrics", str(path.parent), "--solutions", str(SOLUTIONS)])
    err = capsys.readouterr().err.strip()
    assert 2 == code
    assert err.endswith("softmax.yaml:10: cases[1].rtol: must be a number, got 'tight'")
    assert 1 == len(err.splitlines())


@pytest.mark.slow
def test_bad_input_generator_is_named_at_plan_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown random generator names its field and line when the plan is made."""
    text = GOOD.replace("args: [[3.0, 1.0]]", "args: [{random: gauss, shape: [3]}]")
    path = _write(tmp_path, text)
    code = cli.main([str(SOLUTIONS), "--rubrics", str(path.parent), "--solutions", str(SOLUTIONS)])
    err = capsys.readouterr().err.strip()
    assert 2 == code
    assert "softmax.yaml:9: cases[1].args[0].random: unknown generator 'gauss'" in err


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    """Two rubrics with one id are an error naming both files."""
    _write(tmp_path, GOOD, "a.yaml")
    path = _write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(RubricError, match="duplicate id 'softmax'"):
        load_rubrics(path.parent, use_cache=False)


def test_cache_gives_the_same_rubric(tmp_path: Path) -> None:
    """A rubric loaded from the cache equals the one validated from YAML."""
    path = _write(tmp_path, GOOD)
    fresh = load_rubric(path, use_cache=True)
    cached = load_rubric(path, use_cache=True)
    assert fresh == cached


def test_cache_sees_changed_files(tmp_path: Path) -> None:
    """Editing a rubric invalidates its cache entry (the key is the content hash)."""
    path = _write(tmp_path, GOOD)
    load_rubric(path)
    path.write_text(GOOD.replace("rtol: 1.0e-6", "rtol: tight"), encoding="utf-8")
    with pytest.raises(RubricError):
        load_rubric(path)


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    """Python-object tags in YAML are refused rather than executed."""
    path = _write(
        tmp_path, GOOD.replace("title: Softmax", "title: !!python/object/apply:os.getcwd []")
    )
    with pytest.raises(RubricError, match="invalid YAML"):
        load_rubric(path, use_cache=False)


def test_shipped_rubrics_are_valid() -> None:
    """Every rubric in rubrics/ loads, and cases have unique names."""
    rubrics = load_rubrics(RUBRICS, use_cache=False)
    assert len(rubrics) >= 5
    for rubric in rubrics:
        names = [c.name for c in rubric.cases]
        assert len(set(names)) == len(names)
