"""The one catalogue of student-facing text, in English and Japanese.

Every sentence a student reads goes through `t(key, **values)`. `CATALOGUE` below holds the
English, the source language; translations live in gettext catalogues,
``grader/locale/<lang>/LC_MESSAGES/grader.po`` (see `grader.po`), one entry per key with the
English as ``msgid``. A key without a current translation is shown in English, so new English
keys never break a Japanese run; ``tests/test_messages.py`` lists them, and
``uv run python -m grader.po`` adds them to the catalogues for translating.

The language is chosen once per process: `set_language` (the CLI's ``--lang``), defaulting
to `language_from_env` (``LC_ALL``, ``LC_MESSAGES``, ``LANG`` starting with ``ja``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CATALOGUE",
    "LANGUAGES",
    "get_language",
    "language_from_env",
    "missing_translations",
    "pad",
    "set_language",
    "t",
    "translations",
]

#: languages with a catalogue; English is the source and needs no file at run time
LANGUAGES = ("en", "ja")

CATALOGUE: dict[str, str] = {
    # numeric checks
    "tolerance": "rtol {rtol}, atol {atol}",
    "bad_type": "expected a number or a NumPy array, got {got}",
    "returned_none": "the function returned None; did you forget `return`?",
    "want_scalar": "expected a single number, got an array of shape {shape}",
    "wrong_shape": "expected shape {expected}, got {got}",
    "non_finite": "expected finite values, got {value} at {where} ({count} of {total} not finite)",
    "wrong_values": "values differ from the reference",
    "mismatch_stats": (
        "mismatched elements: {wrong} / {total} · max abs diff {abs} at {abs_at}"
        " · max rel diff {rel} at {rel_at}"
    ),
    "inputs_modified": (
        "the function changed its input {name!s}; work on a copy (e.g. `x = x.copy()`)"
        " or build a new array"
    ),
    "inputs_modified_hint": "return a new array instead of updating the argument in place",
    # running student code
    "not_implemented": "not implemented yet: replace `raise NotImplementedError` with your code",
    "raised": "{function} raised {type}: {text}",
    "raised_at": "{function} raised {type}: {text} ({file}, line {line})",
    "import_failed": "could not import {file}: {type}: {text}",
    "import_failed_at": "could not import {file}: {type}: {text} (line {line})",
    "syntax_error": "{file} has a syntax error at line {line}: {text}",
    "missing_file": "{file} was not found in {where}",
    "missing_function": "{file} does not define {name}",
    "timeout": "timed out after {seconds} s (does your loop terminate?)",
    "import_timeout": "importing {file} timed out after {seconds} s (does top-level code loop?)",
    "exited": "the code called exit ({code}); return a value instead",
    "crashed": "the process crashed (signal {signal})",
    "cpu_limit": "used more than its CPU time limit",
    "memory_limit": "ran out of memory (limit {limit})",
    "output_limit": "printed more than {limit}; remove print calls inside loops",
    "protocol": "the result could not be read back ({error})",
    "bad_output_type": "returned {got}, which is not a number or a numeric array",
    "grader_error": "the grader failed on this case (not your fault; please re-run): {error}",
    "hidden_case": "hidden case failed",
    "skipped_dependency": "skipped: needs {dependency} to pass first",
    "unchecked": "unchecked: {reason}",
    # report
    "total": "total",
    "hidden_not_run": "{count} hidden case(s) worth {points} point(s) not run (graded later)",
    "printed": "printed",
    "expected": "expected",
    "got": "got",
    "hint": "hint",
    "pts": "pts",
    # -- i18n (issue 8): report labels, signature hints ---------------------------------------
    "label_pass": "PASS",
    "label_fail": "FAIL",
    "label_case_ok": "ok",
    "label_case_fail": "FAIL",
    "label_case_error": "ERROR",
    "label_case_skip": "SKIP",
    "index": "index",
    "the_memory_limit": "the memory limit",
    "no_answer": "no answer for this case",
    "sig_transposed": (
        "right values, wrong shape: your result {got} is the transpose of the expected"
        " {expected}; reduce along the given axis and drop any .T"
    ),
    "sig_kept_dims": (
        "right values, wrong shape: got {got} instead of {expected}, an extra axis of length 1"
        " was kept; drop keepdims=True on the result (or index it) to get {expected}"
    ),
    "sig_kept_dims_scalar": (
        "right value, wrong shape: got an array of shape {got} instead of one number;"
        " return a float, e.g. float(result) or result.item()"
    ),
    "sig_flattened": (
        "right values, wrong shape: got {got} instead of {expected}, the result was"
        " flattened; keep the input's shape (no ravel/flatten, or reshape back)"
    ),
    "sig_overflow": (
        "nan/inf only on the inputs of large magnitude (up to {big}), finite elsewhere:"
        " exp overflows there (or underflows to 0/0); for numerical stability keep exp"
        " away from large arguments (subtract the maximum first, or stay in logs)"
    ),
    "sig_log_zero": (
        "nan/inf only where an input contains 0: log(0) is -inf and 0/0 is nan;"
        " keep the argument of log away from 0 (e.g. add eps)"
    ),
    "sig_sign": (
        "your values are the reference with the opposite sign on every failing case:"
        " a minus sign is missing or extra"
    ),
    "sig_factor": (
        "your values are {factor} × the reference on every failing case: a constant factor"
        " is off (a missing ½, a mean instead of a sum, log2 instead of log, ...)"
    ),
    "sig_factor_log": (
        "your values are {factor} × the reference on every failing case, and {factor} is"
        " 1/ln {base}: use the natural logarithm np.log, not log{base}"
    ),
    "sig_offset": (
        "your values are off by the same constant {offset} on every failing case:"
        " a constant term is missing or extra"
    ),
    "list_cases": "{count} cases",
    "list_hidden": " + {count} hidden",
    "sig_2d_only": (
        "right on 1-D inputs but wrong on 2-D ones: check what your code does along the"
        " second axis (reduce along the given axis only, with keepdims=True; let NumPy"
        " broadcast instead of flattening)"
    ),
}


_language = "en"
_tables: dict[str, dict[str, str]] = {}
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


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (CJK characters take two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def _fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def translations(lang: str) -> dict[str, str]:
    """The usable translations of ``lang`` by key: current, not fuzzy, same placeholders.

    Read from the ``.po`` file once per process. An entry whose English (``msgid``) no longer
    matches `CATALOGUE`, or whose ``{placeholders}`` differ from the English ones, is left
    out, so that the English is shown rather than a stale or broken sentence.
    """
    table = _tables.get(lang)
    if table is not None:
        return table
    with _lock:
        if lang not in _tables:
            _tables[lang] = _load(lang)
        return _tables[lang]


def _load(lang: str) -> dict[str, str]:
    from grader.po import catalogue_path, read_po

    path = catalogue_path(lang)
    if lang == "en" or not path.is_file():
        return {}
    table = {}
    for entry in read_po(path):
        english = CATALOGUE.get(entry.context)
        if (
            english is not None
            and entry.msgstr
            and not entry.fuzzy
            and entry.msgid == english
            and _fields(entry.msgstr) == _fields(english)
        ):
            table[entry.context] = entry.msgstr
    return table


def missing_translations(lang: str) -> list[str]:
    """Keys of `CATALOGUE` that ``lang`` shows in English (untranslated, stale or broken)."""
    table = translations(lang)
    return [key for key in CATALOGUE if key not in table]
