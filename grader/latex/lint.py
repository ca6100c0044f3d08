"""Zenn-safe rules: things KaTeX accepts but Zenn (or the lecture) does not want.

Each rule is a function of the source returning `Finding`s; a finding names a catalogue key,
so every message says what to write instead. Rules are switched on and off per rubric case
(`Rules`). Dollar delimiters are handled separately by `strip_delimiters`, since the formula
inside them is still graded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RULES", "Finding", "escape_slip", "lint", "strip_delimiters", "text_groups"]


@dataclass(frozen=True)
class Finding:
    """One rule broken: the rule's name, its message key and the values for the message."""

    rule: str
    key: str
    values: dict[str, Any] = field(default_factory=dict)


_MACRO_DEFS = re.compile(
    r"\\(newcommand|renewcommand|providecommand|def|gdef|edef|xdef|let|global)(?![A-Za-z])"
)
_BOLD_SYMBOL = re.compile(r"\\(boldsymbol|bm|pmb)(?![A-Za-z])")
_TEXT_COMMANDS = re.compile(
    r"\\(text|textrm|textit|textbf|textsf|texttt|textnormal|textup|mbox|hbox|operatorname\*?)"
    r"(?![A-Za-z])\s*\{"
)
_DELIMITED = re.compile(r"^\s*(\$\$|\$|\\\[|\\\()(.*?)(\$\$|\$|\\\]|\\\))\s*$", re.DOTALL)


#: control characters a normal (not raw) Python string makes of ``\\t``, ``\\f``, ...:
#: the escape's letter and the catalogue key naming the character
_ESCAPES = {
    "\t": ("t", "latex_char_tab"),
    "\f": ("f", "latex_char_form_feed"),
    "\b": ("b", "latex_char_backspace"),
    "\a": ("a", "latex_char_bell"),
    "\v": ("v", "latex_char_vertical_tab"),
    "\r": ("r", "latex_char_carriage_return"),
    "\n": ("n", "latex_char_newline"),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|[\t\n](?=[A-Za-z])")


def escape_slip(source: str) -> Finding | None:
    """A control character in the formula: LaTeX written in a normal Python string.

    ``"\\text"`` arrives as a tab and ``ext``, ``"\\frac"`` as a form feed and ``rac``,
    ``"\\nabla"`` as a newline and ``abla``. Any control character (a tab or a newline only
    when a letter follows it: a multi-line string may break a line) points to a missing
    ``r`` prefix. The finding names the command as written and the character it became.
    """
    match = _CONTROL.search(source)
    if match is None:
        return None
    char = match.group()
    letter, key = _ESCAPES.get(char, ("", "latex_char_control"))
    rest = re.match(r"[A-Za-z]*", source[match.end() :])
    word = rest.group() if rest else ""
    if letter:
        command, escape = f"\\{letter}{word}", f"\\{letter}"
    else:
        command = escape = f"U+{ord(char):04X}"
    return Finding("raw_string", key, {"command": command, "escape": escape})


def _no_macros(source: str) -> list[Finding]:
    return [
        Finding("no_macros", "latex_rule_macros", {"command": "\\" + m.group(1)})
        for m in _MACRO_DEFS.finditer(source)
    ][:1]


def _mathbf(source: str) -> list[Finding]:
    return [
        Finding("mathbf", "latex_rule_mathbf", {"command": "\\" + m.group(1)})
        for m in _BOLD_SYMBOL.finditer(source)
    ][:1]


def text_groups(source: str) -> list[tuple[str, str, int]]:
    """Each ``\\text{…}``-like group: (command, content, offset of the content)."""
    groups = []
    for match in _TEXT_COMMANDS.finditer(source):
        start = match.end()
        depth, i = 1, start
        while i < len(source) and depth:
            if source[i] == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(source[i], 0)
            i += 1
        groups.append(("\\" + match.group(1), source[start : i - 1 if not depth else i], start))
    return groups


def _ascii_text(source: str) -> list[Finding]:
    for command, content, _ in text_groups(source):
        if any(ord(c) > 127 for c in content):
            return [
                Finding(
                    "ascii_text", "latex_rule_ascii_text", {"command": command, "text": content}
                )
            ]
    return []


#: rule name -> rule; the names are the keys of the rubric's ``rules`` parameter
RULES: dict[str, Callable[[str], list[Finding]]] = {
    "no_macros": _no_macros,
    "ascii_text": _ascii_text,
    "mathbf": _mathbf,
}


def lint(source: str, enabled: dict[str, bool]) -> list[Finding]:
    """The findings of every enabled rule, in rule order."""
    found: list[Finding] = []
    for name, rule in RULES.items():
        if enabled.get(name, True):
            found.extend(rule(source))
    return found


def strip_delimiters(source: str) -> tuple[str, str, int]:
    """``source`` without surrounding ``$…$``/``$$…$$``/``\\[…\\]``: (inside, delimiter, offset).

    The delimiter is ``""`` when there was none; offset is where the inside starts.
    """
    match = _DELIMITED.match(source)
    if match and _pairs(match.group(1), match.group(3)) and "$" not in match.group(2):
        return match.group(2), match.group(1), match.start(2)
    return source, "", 0


def _pairs(opening: str, closing: str) -> bool:
    return {"$$": "$$", "$": "$", "\\[": "\\]", "\\(": "\\)"}[opening] == closing
