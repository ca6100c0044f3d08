"""The ``latex`` check: the student's string renders in KaTeX, is Zenn-safe, and matches.

Order of the verdicts, first that applies wins:

1. not a string / ``None`` / empty stub -> fail (``not_implemented`` for the stub)
1b. a control character (``"\\text"`` in a normal string holds a tab) -> fail: use ``r"..."``
2. too long or nested too deeply -> fail, before the engine sees it
3. KaTeX parse error -> fail, with KaTeX's message, the position and a caret
4. ``\\href``/``\\url``/``\\html*`` (refused by the trust function) -> fail
5. Zenn-safe rules (macros, non-ASCII ``\\text``, ``\\boldsymbol``, ``$`` delimiters) -> fail
6. strict-mode warnings -> fail when the ``warnings`` rule is on, otherwise shown only
7. not equivalent to the reference or an accepted alternative -> fail, naming the difference

With no engine, rules that need none still fail a case; otherwise it is `Unchecked`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grader import messages as msg
from grader.checks import Failure, Mismatch, Unchecked, check
from grader.latex import engine as katex
from grader.latex.equivalence import explain, normalise
from grader.latex.feedback import caret, suggest_command
from grader.latex.lint import escape_slip, lint, strip_delimiters
from grader.latex.render import to_unicode
from grader.sandbox.transport import Received, Unsupported

__all__ = ["RULE_NAMES", "LatexParams", "latex"]

#: the switches of ``params.rules``; all on by default
RULE_NAMES = ("no_macros", "ascii_text", "mathbf", "delimiters", "warnings")


@dataclass(frozen=True)
class LatexParams:
    """Parameters of `latex`: accepted alternatives to the reference, and rule switches."""

    alternatives: tuple[str, ...] = ()
    rules: Mapping[str, bool] = field(default_factory=dict)
    #: False: the formula must render and follow the rules, but may be any formula (a free
    #: answer, such as a paper's key formula)
    equivalent: bool = True

    def __post_init__(self) -> None:
        alternatives: Any = self.alternatives
        if not isinstance(alternatives, list | tuple) or not all(
            isinstance(a, str) and a.strip() for a in alternatives
        ):
            raise ValueError(
                f"'alternatives' must be a list of non-empty strings (got {alternatives!r})"
            )
        object.__setattr__(self, "alternatives", tuple(alternatives))
        rules: Any = self.rules
        if not isinstance(rules, Mapping):
            raise ValueError(
                f"'rules' must be a mapping of rule names to true/false (got {rules!r})"
            )
        for name, value in rules.items():
            if name not in RULE_NAMES:
                raise ValueError(
                    f"'rules' must use the names {', '.join(RULE_NAMES)} (got {name!r})"
                )
            if not isinstance(value, bool):
                raise ValueError(f"'rules.{name}' must be true or false (got {value!r})")
        object.__setattr__(self, "rules", {name: rules.get(name, True) for name in RULE_NAMES})
        if not isinstance(self.equivalent, bool):
            raise ValueError(f"'equivalent' must be true or false (got {self.equivalent!r})")


def _text(actual: Any) -> str:
    """The student's string, or a `Failure` saying what it is instead."""
    if actual is None:
        raise Failure(msg.t("latex_none"), reason="bad_output_type")
    if isinstance(actual, Unsupported):
        got = actual.describe()
    elif isinstance(actual, Received):
        got = msg.t("latex_got_array" if actual.array.ndim else "latex_got_number")
    elif not isinstance(actual, str):
        got = type(actual).__name__
    else:
        if not actual.strip():
            raise Failure(msg.t("latex_not_implemented"), reason="not_implemented")
        return actual
    raise Failure(msg.t("latex_not_string", got=got), reason="bad_output_type")


@check("latex", params=LatexParams)
def latex(actual: Any, expected: Any, params: LatexParams) -> None:
    """the formula renders in KaTeX, is Zenn-safe and matches the reference"""
    original = _text(actual)
    reference = str(expected)
    views = {"student_unicode": to_unicode(original), "reference_unicode": to_unicode(reference)}
    slip = escape_slip(original)
    if slip is not None:  # "\text" in a normal string: a tab, then "ext"
        raise Failure(
            msg.t("latex_raw_string", char=msg.t(slip.key), **slip.values),
            hint=msg.t("latex_raw_string_hint"),
            reason="raw_string",
            details={**views, "rule": slip.rule},
        )
    rules = dict(params.rules)
    source, delimiter, offset = strip_delimiters(original)
    try:
        katex.guard(source)
    except katex.InputRejected as exc:
        raise Failure(msg.t(exc.key, **exc.values), reason="latex_input", details=views) from None
    try:
        engine: katex.Engine | None = katex.get_engine()
    except katex.EngineUnavailable as exc:
        engine, missing = None, str(exc)
    rendered = _render(engine, source, original, offset, views) if engine else None
    if engine is not None and rendered is not None:
        shown = engine.render(reference)
        if isinstance(shown, katex.Rendered):  # for reports that draw both formulas
            views = {
                **views,
                "student_mathml": _math_element(rendered.mathml),
                "reference_mathml": _math_element(shown.mathml),
            }
    findings = lint(source, rules)
    if findings:
        first = findings[0]
        raise Failure(
            msg.t(first.key, **first.values),
            reason="zenn_rule",
            details={**views, "rule": first.rule, "rules_broken": [f.rule for f in findings]},
        )
    if rendered is not None and rendered.trusted:
        raise Failure(
            msg.t("latex_trust", command=rendered.trusted[0]),
            reason="zenn_rule",
            details={**views, "rule": "trust", "refused": list(rendered.trusted)},
        )
    if delimiter and rules["delimiters"]:
        raise Failure(
            msg.t("latex_rule_delimiters", delimiter=delimiter),
            reason="zenn_rule",
            details={**views, "rule": "delimiters"},
        )
    if engine is None or rendered is None:
        raise Unchecked(msg.t("latex_engine_missing", reason=missing))
    warnings = [f"{code}: {text}" for code, text in rendered.warnings]
    if warnings and rules["warnings"]:
        raise Failure(
            msg.t("latex_warnings", warnings="; ".join(warnings)),
            hint=msg.t("latex_warning_hint"),
            reason="zenn_rule",
            details={**views, "rule": "warnings", "warnings": warnings},
        )
    if not params.equivalent:
        return
    student = normalise(rendered.mathml)
    candidates = [reference, *params.alternatives]
    for candidate in candidates:
        target = engine.render(candidate)
        if isinstance(target, katex.ParseError):
            raise Unchecked(f"the reference does not render in KaTeX: {target.message}")
        if normalise(target.mathml) == student:
            return
    target = engine.render(reference)
    assert isinstance(target, katex.Rendered)  # noqa: S101 - checked in the loop above
    difference = explain(student, normalise(target.mathml))
    raise Mismatch(
        msg.t("latex_not_equivalent", difference=difference),
        expected=reference,
        actual=original,
        reason="wrong",
        details={**views, "difference": difference, "warnings": warnings},
    )


def _math_element(html: str) -> str:
    """The ``<math>`` element of KaTeX's output, without KaTeX's wrapping ``<span>``."""
    start, end = html.find("<math"), html.rfind("</math>")
    return html[start : end + len("</math>")] if start >= 0 and end > start else html


def _render(
    engine: katex.Engine, source: str, original: str, offset: int, views: dict[str, str]
) -> katex.Rendered:
    try:
        result = engine.render(source)
    except katex.InputRejected as exc:
        raise Failure(msg.t(exc.key, **exc.values), reason="latex_input", details=views) from None
    except katex.EngineError as exc:
        raise Failure(
            msg.t("latex_engine_error", error=str(exc)[:200]), reason="latex_input", details=views
        ) from None
    if isinstance(result, katex.Rendered):
        return result
    details: dict[str, Any] = {**views, "katex_message": result.message}
    hint = _hint(result.message)
    if result.position is None:
        raise Failure(
            msg.t("latex_parse_error_nopos", message=result.message),
            hint=hint,
            reason="latex_parse_error",
            details=details,
        )
    position = result.position + offset
    details.update(position=position, caret=caret(original, position, result.length))
    raise Failure(
        msg.t("latex_parse_error", message=result.message, position=position),
        hint=hint,
        reason="latex_parse_error",
        details=details,
    )


def _hint(message: str) -> str:
    undefined = suggest_command(message)
    if undefined:
        command, suggestion = undefined
        if suggestion:
            return msg.t("latex_parse_hint_undefined", command=command, suggestion=suggestion)
        return msg.t("latex_parse_hint_undefined_plain", command=command)
    if "Double superscript" in message or "Double subscript" in message:
        return msg.t("latex_parse_hint_double")
    if "\\right" in message or "\\left" in message:
        return msg.t("latex_parse_hint_left")
    if "expected '}'" in message.lower() or "unexpected '}'" in message.lower():
        return msg.t("latex_parse_hint_braces")
    return ""
