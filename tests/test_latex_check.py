"""The ``latex`` check kind: registration, verdicts, messages, payload and the unchecked path."""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import yaml

from grader.checks import Failure, Mismatch, Unchecked, get_check, make_params
from grader.checks.latex import LatexParams
from grader.latex import engine as katex
from grader.sandbox.transport import Received, Unsupported

ROOT = Path(__file__).resolve().parent.parent
ATTENTION = r"\text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"
ELBO_LECTURE = (
    r"\mathcal{L}_{\text{ELBO}} = \mathbb{E}_{q_\phi(\mathbf{z}|\mathbf{x})} \left[ \log"
    r" p_\theta(\mathbf{x}|\mathbf{z}) \right] - D_{\text{KL}}(q_\phi(\mathbf{z}|\mathbf{x})"
    r" \| p(\mathbf{z}))"
)
KIND = get_check("latex")


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fail(actual: Any, expected: str = ATTENTION, **params: Any) -> Failure:
    with pytest.raises(Failure) as info:
        KIND.fn(actual, expected, make_params(KIND, params))
    json.dumps(info.value.details)  # the payload must always be JSON
    return info.value


def test_registered() -> None:
    """The kind is registered under 'latex' with its parameter class and a description."""
    assert (
        LatexParams,
        "the formula renders in KaTeX, is Zenn-safe and matches the reference",
    ) == (
        KIND.params,
        KIND.description,
    )


def test_passes_on_harmless_variant() -> None:
    """A formula that differs only harmlessly from the reference passes."""
    variant = r"\mathrm{Attention}(Q,K,V)=\operatorname{softmax}(\frac{Q K^T}{\sqrt{d_k}})V"
    assert None is KIND.fn(variant, ATTENTION, LatexParams())


def test_passes_on_listed_alternative() -> None:
    """A rubric's accepted alternative passes even where it is not equivalent."""
    alternative = r"\text{Attention}(Q, K, V) = \text{softmax}(QK^\top / \sqrt{d_k})V"
    assert None is KIND.fn(
        alternative, ATTENTION, make_params(KIND, {"alternatives": [alternative]})
    )


def test_fails_with_message_naming_the_difference() -> None:
    """A wrong formula fails with the first difference and both readable forms."""
    failure = _fail(r"\text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^\top}{d_k}\right)V")
    assert isinstance(failure, Mismatch)
    assert (
        "the formula differs from the reference: the denominator has `d_k`;"
        " the reference has `\\sqrt{d_k}`",
        "wrong",
        ATTENTION,
        "Attention(Q, K, V) = softmax((QKᵀ)/√(dₖ))V",
        "Attention(Q, K, V) = softmax((QKᵀ)/(dₖ))V",
    ) == (
        failure.rationale,
        failure.reason,
        failure.expected,
        failure.details["reference_unicode"],
        failure.details["student_unicode"],
    )


def test_stub_is_not_implemented() -> None:
    """The empty stub fails with the friendly not-implemented message."""
    failure = _fail("")
    assert ("not_implemented", "not implemented yet: write the formula as a LaTeX string") == (
        failure.reason,
        failure.rationale,
    )


@pytest.mark.parametrize(
    ("actual", "message"),
    [
        (None, "the answer is None; assign the formula to the constant as a string"),
        (Unsupported("dict"), "expected a LaTeX string, got dict"),
        (Received(np.float64(3.0), "float"), "expected a LaTeX string, got a number"),
        (Received(np.zeros(3), "list"), "expected a LaTeX string, got an array"),
        (b"x", "expected a LaTeX string, got bytes"),
    ],
)
def test_not_a_string(actual: Any, message: str) -> None:
    """A value that is not a string fails with what it is instead."""
    failure = _fail(actual)
    assert ("bad_output_type", message) == (failure.reason, failure.rationale)


def test_parse_error_shows_message_position_and_caret() -> None:
    """A KaTeX parse error names KaTeX's message and position and carries a caret excerpt."""
    failure = _fail(r"x^1^2")
    assert (
        "KaTeX could not render: Double superscript at position 3",
        "put both parts in one group, e.g. x^{ab} or {x^a}^b",
        3,
        "x^1^2\n   ^",
    ) == (
        failure.rationale,
        failure.hint,
        failure.details["position"],
        failure.details["caret"],
    )


def test_parse_error_suggests_command() -> None:
    """An undefined command gets a did-you-mean hint."""
    failure = _fail(r"\sqrt{d_k} \alhpa")
    assert (
        "KaTeX could not render: Undefined control sequence: \\alhpa at position 11",
        "check the spelling of \\alhpa; did you mean \\alpha?",
    ) == (failure.rationale, failure.hint)


def test_parse_error_position_counts_from_the_original_string() -> None:
    """With delimiters stripped, the position still points into what the student wrote."""
    failure = _fail("$x^1^2$")
    assert (4, "$x^1^2$\n    ^") == (failure.details["position"], failure.details["caret"])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            r"\newcommand{\A}{\text{Attention}}" + ATTENTION,
            "\\newcommand cannot be used on Zenn; write the formula out in full instead of"
            " defining a macro",
        ),
        (
            r"\text{注意}(Q, K, V)",
            "non-ASCII text inside \\text{…} (注意); write it outside the formula, in the"
            " sentence around it",
        ),
        (r"\boldsymbol{Q}", "use \\mathbf{…} rather than \\boldsymbol for bold vectors"),
        (
            "$$" + ATTENTION + "$$",
            "remove the $$ delimiters: the string should hold only the formula"
            " (Zenn adds $$ around it)",
        ),
        (
            r"\href{https://zenn.dev}{Q}",
            "\\href is not allowed in a formula (links and raw HTML are refused);"
            " remove it and write the link outside the formula",
        ),
    ],
)
def test_zenn_rules(source: str, message: str) -> None:
    """Each Zenn-safe rule fails the case with a message naming the fix."""
    failure = _fail(source)
    assert ("zenn_rule", message) == (failure.reason, failure.rationale)


def test_delimiters_rule_off_grades_the_inside() -> None:
    """With the delimiters rule off, a correct formula inside $$ passes."""
    params = make_params(KIND, {"rules": {"delimiters": False}})
    assert None is KIND.fn("$$" + ATTENTION + "$$", ATTENTION, params)


def test_strict_warnings_fail_when_rule_on() -> None:
    """KaTeX strict-mode warnings are shown and fail the case by default."""
    failure = _fail("注意 Q")
    assert (
        "zenn_rule",
        "write Japanese text outside the formula; keep only math inside it",
    ) == (failure.reason, failure.hint)
    assert failure.rationale.startswith("KaTeX strict mode warns: unicodeTextInMathMode")


def test_strict_warnings_shown_when_rule_off() -> None:
    """With the warnings rule off, warnings travel in the payload of a later failure."""
    failure = _fail("注意 Q", rules={"warnings": False})
    assert "unicodeTextInMathMode" in failure.details["warnings"][0]


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ("x" * 2001, "is 2001 characters long"),
        ("{" * 80 + "}" * 80, "nests groups 80 levels"),
        (
            r"\def\a{" + "x" * 1900 + r"}\def\b{" + r"\a" * 7 + r"}\def\c{" + r"\b" * 7 + r"}\c",
            "expands to more than 20000 symbols",
        ),
    ],
    ids=["long", "deep", "macros that multiply"],
)
def test_guarded_input(source: str, key: str) -> None:
    """Over-long, over-nested and self-multiplying input fails with a clear message, never a
    crash."""
    failure = _fail(source)
    assert ("latex_input", True) == (failure.reason, key in failure.rationale)


def test_engine_error_is_a_clear_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception inside the engine becomes a failure with a message, not a traceback."""

    class Broken:
        def render(self, source: str) -> object:
            raise katex.EngineError("InternalError: stack overflow")

    monkeypatch.setattr(katex, "get_engine", Broken)
    failure = _fail("x")
    assert failure.rationale.startswith("KaTeX failed on this formula (InternalError")


def _no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> object:
        raise katex.EngineUnavailable("dukpy (the JavaScript engine) is not installed")

    monkeypatch.setattr(katex, "get_engine", unavailable)


def test_unchecked_without_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an engine a plausible formula is unchecked: neither passed nor failed."""
    _no_engine(monkeypatch)
    with pytest.raises(Unchecked) as info:
        KIND.fn(ATTENTION, ATTENTION, LatexParams())
    assert (
        "no KaTeX engine is available here (dukpy (the JavaScript engine) is not installed)"
        == info.value.rationale
    )


def test_unchecked_when_engine_fails_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing katex.min.js makes the real loader report unavailability, hence unchecked."""
    monkeypatch.setattr(katex, "_ENGINE", None)
    monkeypatch.setattr(katex, "KATEX_DISTRIBUTION", "no-such-distribution-for-katex")
    with pytest.raises(Unchecked):
        KIND.fn(ATTENTION, ATTENTION, LatexParams())


def test_rules_still_fail_without_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rules that need no engine still fail the case when the engine is missing."""
    _no_engine(monkeypatch)
    assert "zenn_rule" == _fail(r"\boldsymbol{Q}").reason


def test_stub_fails_without_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stub is not implemented whether or not an engine exists."""
    _no_engine(monkeypatch)
    assert "not_implemented" == _fail("").reason


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"alternatives": "x"}, "'alternatives' must be a list of non-empty strings (got 'x')"),
        ({"alternatives": [""]}, "'alternatives' must be a list of non-empty strings (got [''])"),
        ({"rules": ["mathbf"]}, "'rules' must be a mapping of rule names to true/false"),
        ({"rules": {"mathbf": "yes"}}, "'rules.mathbf' must be true or false (got 'yes')"),
        ({"rules": {"bold": True}}, "'rules' must use the names no_macros, ascii_text, mathbf"),
        ({"tolerance": 1}, "'tolerance': not a parameter of check 'latex'"),
    ],
)
def test_rejects_bad_params(params: dict[str, Any], message: str) -> None:
    """Bad rubric parameters raise ValueError naming the field."""
    with pytest.raises(
        ValueError,
        match="^"
        + message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]"),
    ):
        make_params(KIND, params)


def _rubric_cases() -> list[dict[str, Any]]:
    rubric = yaml.safe_load((ROOT / "rubrics" / "latex_formulas.yaml").read_text(encoding="utf-8"))
    return list(rubric["cases"])


@pytest.mark.parametrize("case", _rubric_cases(), ids=lambda c: c["name"])
def test_solution_passes_and_stub_is_not_implemented(case: dict[str, Any]) -> None:
    """Every solution string passes its case and every stub fails as not implemented."""
    solution = _load(ROOT / "solutions" / "latex_formulas.py")
    stub = _load(ROOT / "exercises" / "latex_formulas.py")
    reference = getattr(solution, case["attribute"])
    params = make_params(KIND, case["params"])
    KIND.fn(reference, reference, params)
    for alternative in params.alternatives:
        KIND.fn(alternative, reference, params)
    assert "not_implemented" == _fail(getattr(stub, case["attribute"]), reference).reason


def test_solutions_are_the_lecture_strings() -> None:
    """The solutions hold the lecture's formulas character for character."""
    solution = _load(ROOT / "solutions" / "latex_formulas.py")
    assert ATTENTION == solution.ATTENTION
    assert ELBO_LECTURE == solution.ELBO


def test_stubs_have_bilingual_docstrings() -> None:
    """Each stub constant is followed by a docstring with English and Japanese text."""
    tree = ast.parse((ROOT / "exercises" / "latex_formulas.py").read_text(encoding="utf-8"))
    docs = {}
    for node, after in zip(tree.body, tree.body[1:], strict=False):
        if isinstance(node, ast.Assign) and isinstance(after, ast.Expr):
            docs[node.targets[0].id] = after.value.value  # type: ignore[attr-defined]
    assert [
        "ATTENTION",
        "CROSS_ENTROPY",
        "ELBO",
        "GRADIENT_DESCENT",
        "KL_DIVERGENCE",
    ] == sorted(docs)
    assert [True] * 5 == [
        any(ord(c) > 0x3000 for c in d) and any(c.isascii() and c.isalpha() for c in d)
        for d in docs.values()
    ]
