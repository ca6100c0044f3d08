"""The command line in the report's language: argparse's own words and our options' help.

argparse wraps its own strings (``usage:``, ``the following arguments are required: %s``) in
gettext, bound in its module as ``_`` and ``ngettext``: `install` replaces those two with
lookups in our catalogue. `localise` puts a parser's description, help texts and group titles
through the same lookup, walking into its subcommands, so it works whatever the layout of
the parsers. Both look a text up by its English, as gettext does with a ``msgid``: the
catalogue keys ``argparse_*`` and ``cli_*`` hold the English exactly as argparse and our
parsers write it, and a text without an entry stays English (``tests/test_cli_text.py``
lists the help of ``grade`` that has none).
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from typing import Any

from grader import messages

__all__ = ["install", "language_of", "localise", "translate"]

_PREFIXES = ("argparse_", "cli_")
_by_english: dict[str, str] = {}


def translate(english: str) -> str:
    """``english`` in the current language, when the catalogue has it (else unchanged)."""
    if messages.get_language() == "en" or not english:
        return english
    if not _by_english:
        for key, text in messages.CATALOGUE.items():
            if key.startswith(_PREFIXES):
                _by_english.setdefault(text, key)
    found = _by_english.get(english)
    return messages.t(found) if found is not None else english


def _ngettext(singular: str, plural: str, count: int) -> str:
    return translate(singular if count == 1 else plural)


def install() -> None:
    """Let argparse speak the current language (its own words: usage, errors, headings)."""
    argparse._ = translate  # type: ignore[attr-defined]  # argparse's gettext hook
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns; a Japanese character takes
    two and may end a line anywhere (but a closing bracket or a comma never starts one)."""
    tokens = re.findall(r"[^\s\u3000-\u9fff\uff00-\uffef]+|[\u3000-\u9fff\uff00-\uffef]|\s+", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token.isspace():
            if line:
                line += " "
            continue
        if line and messages.columns(line + token) > width and token not in _NO_START:
            carried = line[-1] if line[-1] in _NO_END else ""  # an opening bracket moves down
            lines.append(line[: len(line) - len(carried)].rstrip())
            line = carried
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


#: characters a line may not start with, or end with (Japanese line breaking, kinsoku)
_NO_START = frozenset("、。，．）」』】：；！？")
_NO_END = frozenset("（「『【")


class _WideFormatter(argparse.HelpFormatter):
    """Help wrapped by terminal columns, with a full-width colon after Japanese headings."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        # argparse measures the prefix in characters: lay the usage out with a stand-in as
        # wide as the translated prefix is on screen, then put the prefix in its place
        real = translate("usage: ") if prefix is None else prefix
        stand_in = "u" * messages.columns(real)
        text: str = super()._format_usage(usage, actions, groups, stand_in)
        return text.replace(stand_in, real, 1)

    def format_help(self) -> str:
        text = super().format_help()
        return re.sub(r"(?m)^(\S[^\n]*[\u3000-\u9fff\uff00-\uffef]):$", r"\1：", text)


def localise(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``parser`` (and its subcommands' parsers) with help, descriptions and group titles in
    the current language, wrapped to the terminal's columns; returns it."""
    seen: set[int] = set()
    wide = messages.get_language() != "en"

    def walk(current: argparse.ArgumentParser) -> None:
        if id(current) in seen:
            return
        seen.add(id(current))
        if wide and current.formatter_class is argparse.HelpFormatter:
            current.formatter_class = _WideFormatter
        if current.usage:
            current.usage = translate(current.usage)
        if current.description:
            current.description = translate(current.description)
        if current.epilog:
            current.epilog = translate(current.epilog)
        for group in current._action_groups:  # titles made at construction
            if group.title:
                group.title = translate(group.title)
            if group.description:
                group.description = translate(group.description)
        for action in current._actions:  # the help of every option
            if action.help and action.help != argparse.SUPPRESS:
                action.help = translate(action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:  # the commands' one-line summaries
                    if choice.help:
                        choice.help = translate(choice.help)
                for sub in action.choices.values():
                    walk(sub)

    walk(parser)
    return parser


def language_of(argv: Sequence[str]) -> str:
    """The language asked for on the command line (``--lang``), else by the locale."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            chosen = argv[index + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
        else:
            continue
        if chosen in messages.LANGUAGES:
            return chosen
    return messages.language_from_env(os.environ)
