"""Zenn-safe rules: what KaTeX accepts but Zenn and the lecture do not want."""

from __future__ import annotations

import pytest

from grader.latex.lint import Finding, lint, strip_delimiters, text_groups

ALL_ON: dict[str, bool] = {}


@pytest.mark.parametrize(
    ("source", "command"),
    [
        (r"\newcommand{\R}{\mathbb{R}} \R", r"\newcommand"),
        (r"\renewcommand{\vec}{\mathbf} \vec{x}", r"\renewcommand"),
        (r"\def\x{y} \x", r"\def"),
        (r"\gdef\x{y} \x", r"\gdef"),
    ],
)
def test_macro_definitions_are_refused(source: str, command: str) -> None:
    """Every way of defining a macro is a finding that names the command."""
    assert [Finding("no_macros", "latex_rule_macros", {"command": command})] == lint(source, ALL_ON)


def test_commands_that_merely_start_like_def_pass() -> None:
    """\\defeq-like names and \\delta are not macro definitions."""
    assert [] == lint(r"\delta \deg x", ALL_ON)


@pytest.mark.parametrize("source", [r"\text{確率} p(x)", r"\mathrm{x} \text{ä}", r"\mbox{注意}"])
def test_non_ascii_text_is_refused(source: str) -> None:
    """Japanese (or any non-ASCII) inside \\text-like groups is a finding."""
    assert ["ascii_text"] == [f.rule for f in lint(source, ALL_ON)]


def test_ascii_text_passes() -> None:
    """Plain ASCII words in \\text are fine."""
    assert [] == lint(r"\text{softmax}(x) + \operatorname{KL}", ALL_ON)


@pytest.mark.parametrize("source", [r"\boldsymbol{\mu}", r"\bm{x}"])
def test_boldsymbol_is_refused(source: str) -> None:
    """\\boldsymbol and \\bm get the \\mathbf advice."""
    assert ["mathbf"] == [f.rule for f in lint(source, ALL_ON)]


def test_rules_can_be_switched_off() -> None:
    """A rule switched off in the rubric finds nothing."""
    assert [] == lint(r"\boldsymbol{x} \text{確率}", {"mathbf": False, "ascii_text": False})


def test_findings_come_in_rule_order() -> None:
    """Several broken rules are reported in a fixed order, macros first."""
    found = lint(r"\boldsymbol{x} \text{確率} \def\a{b}", ALL_ON)
    assert ["no_macros", "ascii_text", "mathbf"] == [f.rule for f in found]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("$x^2$", ("x^2", "$", 1)),
        ("$$ x^2 $$", (" x^2 ", "$$", 2)),
        (r"\[x\]", ("x", r"\[", 2)),
        ("x^2", ("x^2", "", 0)),
        ("$x$ and $y$", ("$x$ and $y$", "", 0)),
    ],
)
def test_strip_delimiters(source: str, expected: tuple[str, str, int]) -> None:
    """Surrounding delimiters are removed and reported with where the inside starts."""
    assert expected == strip_delimiters(source)


def test_text_groups_handle_nested_braces() -> None:
    """The content of \\text{…} is found up to its matching brace."""
    assert [(r"\text", "a{b}c", 6)] == text_groups(r"\text{a{b}c} x")
