"""The JUnit reporter: golden output, our XSD, and a real JUnit parser reading it back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.reporters import REPORTERS
from grader.reporters.junit import JunitReporter

XSD = Path(__file__).resolve().parents[1] / "grader" / "schema" / "junit.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    """Our JUnit XSD, compiled once."""
    return xmlschema.XMLSchema(str(XSD))


def test_registered() -> None:
    """The CLI offers --format junit."""
    from grader.grade_command import _format_option

    assert JunitReporter is type(REPORTERS["junit"])
    assert "junit" == REPORTERS["junit"].name == _format_option("junit")


def test_golden(sample_report: GradeReport, golden: Callable[[str, str], None]) -> None:
    """The sample report renders exactly as the golden XML."""
    golden("sample.junit.xml", JunitReporter().render(sample_report))


@pytest.mark.slow
def test_valid_against_xsd(sample_report: GradeReport, schema: xmlschema.XMLSchema) -> None:
    """The sample report's XML validates against grader/schema/junit.xsd."""
    schema.validate(JunitReporter().render(sample_report))


def test_read_back_by_junitparser(sample_report: GradeReport, tmp_path: Path) -> None:
    """junitparser sees one suite per exercise, one case per case, with the right outcomes."""
    path = tmp_path / "junit.xml"
    path.write_text(JunitReporter().render(sample_report), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert [e.id for e in sample_report.exercises] == list(suites)
    softmax = suites["softmax"]
    assert (8, 6, 0) == (softmax.tests, softmax.failures, softmax.errors)
    cases = {case.name: case for case in softmax}
    wrong = cases["2-D input, each row separately"]
    (failure,) = wrong.result
    assert isinstance(failure, Failure)
    assert "values differ from the reference" == failure.message
    assert "expected [[0.1152" in failure.text
    assert failure.text.index("expected [[") < failure.text.index("got      [[")
    assert "hint: normalise each row on its own" in failure.text
    assert cases["lecture example [2.0, 1.0, 0.1]"].is_passed
    cosine = {case.name: case for case in suites["cosine_similarity"]}
    (error,) = cosine["random vectors"].result
    assert isinstance(error, Error)
    assert "::add-mask::oops" in cosine["random vectors"].system_out
    latex = {case.name: case for case in suites["latex_formulas"]}
    assert isinstance(latex["VAE ELBO"].result[0], Skipped)


def test_control_characters_do_not_break_xml(schema: xmlschema.XMLSchema) -> None:
    """Printed bytes that XML 1.0 forbids are replaced, so the document stays valid."""
    case = CaseResult(
        "c", Outcome.ERRORED, 0.0, 1.0, "boom\x1b[31m", details={"output": "bell\x07 nul\x00"}
    )
    report = GradeReport("s", (ExerciseResult("ex", "Ex", "ex.py", (case,)),))
    text = JunitReporter().render(report)
    schema.validate(text)
    assert "bell\ufffd nul\ufffd" in text
