"""The one catalogue of student-facing text, in English and Japanese.

Every sentence a student reads goes through `t(key, **values)` (or `tn` for one with a
count). `grader.catalogue` holds the English, the source language (`CATALOGUE`, `PLURALS`,
re-exported here); translations live in gettext catalogues,
``grader/locale/<lang>/LC_MESSAGES/grader.po`` (see `grader.po`), one entry per key with the
English as ``msgid``. A key without a current translation is shown in English, so new English
keys never break a Japanese run; ``tests/test_messages.py`` lists them, and
``uv run python -m grader.po`` adds them to the catalogues for translating.

The language is chosen once per process: `set_language` (the CLI's ``--lang``), defaulting
to `language_from_env` (``LC_ALL``, ``LC_MESSAGES``, ``LANG`` starting with ``ja``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from grader.catalogue import CATALOGUE, PLURALS

__all__ = [
    "CATALOGUE",
    "LANGUAGES",
    "PLURALS",
    "columns",
    "get_language",
    "hidden_not_run",
    "label",
    "labelled",
    "language_from_env",
    "missing_translations",
    "pad",
    "plural_translations",
    "points",
    "set_language",
    "shown_path",
    "t",
    "tn",
    "translations",
    "value_lines",
]

#: languages with a catalogue; English is the source and needs no file at run time
LANGUAGES = ("en", "ja")


#: which form a count takes, per language (the ``Plural-Forms`` of `grader.po.PLURAL_FORMS`)
def _english_form(n: float) -> int:
    return 0 if n == 1 else 1


def _one_form(n: float) -> int:
    return 0


_PLURAL_RULES: dict[str, Callable[[float], int]] = {"en": _english_form, "ja": _one_form}

_language = "en"
#: per language: (translations by key, plural translations by key), read once
_tables: dict[str, tuple[dict[str, str], dict[str, tuple[str, ...]]]] = {}
_lock = threading.Lock()


def set_language(lang: str) -> None:
    """Show every later message in ``lang`` (one of `LANGUAGES`)."""
    global _language  # noqa: PLW0603 - one language per process, chosen at start-up
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    _language = lang


def get_language() -> str:
    """The language messages are shown in."""
    return _language


def language_from_env(environ: Mapping[str, str]) -> str:
    """``ja`` when the locale asks for Japanese (POSIX order: LC_ALL, LC_MESSAGES, LANG)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def t(key: str, /, **values: Any) -> str:
    """The message ``key`` in the current language, with ``values`` filled in."""
    template = CATALOGUE[key]
    if _language != "en":
        template = translations(_language).get(key, template)
    return template.format(**values) if values else template


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes (East Asian wide and full-width take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def label(key: str) -> str:
    """A label and its separator, ready for the text after it: ``hint: `` or ``ヒント：``."""
    return t(key) + t("label_sep")


def points(score: float, max_score: float) -> str:
    """Points of a case or an exercise as shown right after its title: `` (1/2 pts)``."""
    return t("points", score=f"{score:g}", max_score=f"{max_score:g}")


def hidden_not_run(count: int, worth: float) -> str:
    """The line on the hidden cases that did not run, and the points they carry."""
    return t(
        "hidden_not_run",
        cases=tn("n_hidden_cases", count),
        points=tn("n_points", worth),
    )


def tn(key: str, count: float, /, **values: Any) -> str:
    """The sentence ``key`` of `PLURALS` in the form ``count`` takes in the current language.

    ``{count}`` is filled with ``count`` unless ``values`` give it (e.g. points as ``1.5``).
    """
    forms: tuple[str, ...] = PLURALS[key]
    rule = _PLURAL_RULES["en"]
    if _language != "en":
        translated = plural_translations(_language).get(key)
        if translated:
            forms, rule = translated, _PLURAL_RULES.get(_language, rule)
    values.setdefault("count", f"{count:g}")
    return forms[min(rule(count), len(forms) - 1)].format(**values)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (CJK characters take two)."""
    return text + " " * max(0, width - columns(text))


def labelled(*pairs: tuple[str, str]) -> list[str]:
    """``label value`` lines with the values lined up, whatever the labels' widths."""
    width = max((columns(label) for label, _ in pairs), default=0)
    return [f"{pad(label, width)} {value}" for label, value in pairs]


def value_lines(expected: object, actual: object, tolerance: str = "") -> list[str]:
    """The two lines that show the right value above the student's (with the tolerance)."""
    suffix = f" ± {tolerance}" if tolerance else ""
    return labelled((t("expected"), f"{expected}{suffix}"), (t("got"), str(actual)))


def _fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def translations(lang: str) -> dict[str, str]:
    """The usable translations of ``lang`` by key: current, not fuzzy, same placeholders.

    Read from the ``.po`` file once per process. An entry whose English (``msgid``) no longer
    matches `CATALOGUE`, or whose ``{placeholders}`` differ from the English ones, is left
    out, so that the English is shown rather than a stale or broken sentence.
    """
    return _both(lang)[0]


def plural_translations(lang: str) -> dict[str, tuple[str, ...]]:
    """The usable translations of `PLURALS` in ``lang``: every form, as `translations`."""
    return _both(lang)[1]


def _both(lang: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    tables = _tables.get(lang)
    if tables is not None:
        return tables
    with _lock:
        if lang not in _tables:
            _tables[lang] = _load(lang)
        return _tables[lang]


def _load(lang: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    from grader.po import catalogue_path, read_po

    path = catalogue_path(lang)
    if lang == "en" or not path.is_file():
        return {}, {}
    table = {}
    plurals = {}
    for entry in read_po(path):
        if entry.fuzzy:
            continue
        english = CATALOGUE.get(entry.context)
        if (
            english is not None
            and entry.msgstr
            and entry.msgid == english
            and _fields(entry.msgstr) == _fields(english)
        ):
            table[entry.context] = entry.msgstr
        source = PLURALS.get(entry.context)
        if (
            source is not None
            and (entry.msgid, entry.plural) == source
            and entry.forms
            and all(f and _fields(f) == _fields(source[1]) for f in entry.forms)
        ):
            plurals[entry.context] = entry.forms
    return table, plurals


def missing_translations(lang: str) -> list[str]:
    """Keys of `CATALOGUE` and `PLURALS` that ``lang`` shows in English (untranslated, stale
    or broken)."""
    table = translations(lang)
    plurals = plural_translations(lang)
    return [key for key in CATALOGUE if key not in table] + [
        key for key in PLURALS if key not in plurals
    ]


def shown_path(path: os.PathLike[str] | str) -> str:
    """A path as the student sees it in messages: relative to the working folder, unless
    that climbs more than two folders up (then absolute)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("../../..") else str(path)
