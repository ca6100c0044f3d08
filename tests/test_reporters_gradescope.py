"""The Gradescope reporter: golden output and our JSON Schema of results.json."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from grader.model import GradeReport
from grader.reporters import REPORTERS
from grader.reporters.gradescope import HIDDEN_VISIBILITY, GradescopeReporter

SCHEMA = Path(__file__).resolve().parents[1] / "grader" / "schema" / "gradescope.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    """A validator for grader/schema/gradescope.schema.json."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _results(report: GradeReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GradescopeReporter().render(report))
    return data


def test_registered() -> None:
    """The CLI offers --format gradescope."""
    from grader.grade_command import _format_option

    assert GradescopeReporter is type(REPORTERS["gradescope"])
    assert "gradescope" == REPORTERS["gradescope"].name == _format_option("gradescope")


def test_golden(sample_report: GradeReport, golden: Callable[[str, str], None]) -> None:
    """The sample report renders exactly as the golden results.json."""
    golden("sample.gradescope.json", GradescopeReporter().render(sample_report))


def test_valid_against_schema(
    sample_report: GradeReport, validator: jsonschema.Draft202012Validator
) -> None:
    """The sample results.json validates against the schema written from the spec."""
    validator.validate(_results(sample_report))


def test_schema_rejects_an_unknown_visibility(
    sample_report: GradeReport, validator: jsonschema.Draft202012Validator
) -> None:
    """The schema is strict enough to catch a misspelt visibility."""
    data = _results(sample_report)
    data["tests"][0]["visibility"] = "after_publish"
    assert not validator.is_valid(data)


def test_one_test_per_case_with_points(sample_report: GradeReport) -> None:
    """Every case is a test; the tests' scores add up to the report's score."""
    data = _results(sample_report)
    cases = [c for e in sample_report.exercises for c in e.cases]
    assert len(cases) == len(data["tests"])
    assert sample_report.score == sum(t["score"] for t in data["tests"])
    assert sample_report.max_score == sum(t["max_score"] for t in data["tests"])


def test_hidden_points_are_not_shown_before_publication(sample_report: GradeReport) -> None:
    """With hidden tests there is no top-level score, and the output counts visible cases only."""
    data = _results(sample_report)
    hidden = [c for e in sample_report.exercises for c in e.cases if c.hidden]
    visible = [c for e in sample_report.exercises for c in e.cases if not c.hidden]
    assert hidden
    assert "score" not in data
    shown = f"{sum(c.score for c in visible):g}/{sum(c.max_score for c in visible):g}"
    assert data["output"].startswith(f"**total {shown}**")
    everything = f"{sample_report.score:g}/{sample_report.max_score:g}"
    assert everything not in data["output"]
    assert f"{sum(c.max_score for c in hidden):g} more points" in data["output"]


def test_without_hidden_cases_the_score_is_given(sample_report: GradeReport) -> None:
    """A report without hidden cases carries the top-level score, as the spec allows."""
    exercises = tuple(
        dataclasses.replace(e, cases=tuple(c for c in e.cases if not c.hidden))
        for e in sample_report.exercises
    )
    report = dataclasses.replace(sample_report, exercises=exercises)
    data = _results(report)
    assert report.score == data["score"]
    assert [] == [t for t in data["tests"] if t["visibility"] != "visible"]


def test_results_name_the_sandbox(sample_report: GradeReport) -> None:
    """results.json says which sandbox mode ran the student's code."""
    report = dataclasses.replace(sample_report, sandbox="secure")
    data = _results(report)
    assert "secure" == data["extra_data"]["sandbox"]
    assert "secure sandbox mode" in data["output"]


def test_test_fields(sample_report: GradeReport) -> None:
    """A failed test is named, numbered, tagged, with Markdown output (expected before got)."""
    tests = {t["name"]: t for t in _results(sample_report)["tests"]}
    test = tests["softmax · 2-D input, each row separately"]
    assert "1.5" == test["number"]
    assert ["softmax", "2-D"] == test["tags"]
    assert ("md", "visible", "failed") == (
        test["output_format"],
        test["visibility"],
        test["status"],
    )
    assert test["output"].index("expected [[") < test["output"].index("got      [[")
    assert "> **hint:**" in test["output"]


def test_hidden_cases_show_after_publishing(sample_report: GradeReport) -> None:
    """Hidden cases are visible to students only after grades are published."""
    tests = {t["name"]: t for t in _results(sample_report)["tests"]}
    assert "after_published" == HIDDEN_VISIBILITY
    assert HIDDEN_VISIBILITY == tests["softmax · hidden 2-D batch"]["visibility"]
