"""Text that students wrote, made harmless where the grader shows or stores it.

Anything a submission controls (exception text, printed output, file and entry names, a
notebook's cells) can hold control sequences (clear the screen, print a fake "total 63/63",
write the clipboard with OSC 52), bidirectional overrides, invisible characters (a zero-width
space inside "total", tags), lone surrogates (which no UTF-8 file or database can hold) and,
in a spreadsheet, formulas. One rule each:

- `printable`: every character that controls, hides or spoofs text rather than shows it is
  shown as an escape (``\\x1b``, ``\\u202e``, ``\\u200b``, ``\\udcff``, ``\\U000e0041``):
  Unicode's control (Cc), format (Cf: bidirectional controls, zero-width and invisible
  characters, tags), surrogate (Cs), line separator (Zl) and paragraph separator (Zp)
  characters; newlines and tabs stay in multi-line text. Everything else, ideographic spaces,
  kana, kanji and emoji included, is shown as it is. `shown_report` applies it to every
  string of a report (the text reporters do); `grader.debugging.neutral` to printed output.
- `csv_cell`: a cell that a spreadsheet would read as a formula (OWASP's CSV-injection rule:
  it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading
  ``'``, and its text is `printable` on one line.
- `storable`: lone surrogates as escapes, so that the text encodes as UTF-8 (the gradebook).

And one rule for files a student could have replaced: `open_regular` opens a path only as
a regular file, never through a link and never blocking on a FIFO or a device.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from grader.model import CaseResult, ExerciseResult, GradeReport

__all__ = [
    "csv_cell",
    "csv_text",
    "open_regular",
    "printable",
    "shown_report",
    "storable",
    "storable_data",
]

#: the characters of Unicode's categories Cc, Cf, Cs, Zl and Zp but tab and newline, as of
#: Unicode 15.1 (Python 3.11 to 3.13; tests/test_untrusted.py checks it against the running
#: Python's `unicodedata`): those of the Basic Multilingual Plane, then those beyond it (in a
#: class of their own, which only text with such characters pays for: a class reaching
#: beyond the plane makes `re` test every character against each range, four times slower)
_HIDDEN = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff"
    "\ufff9-\ufffb"
)
_HIDDEN_BEYOND = (
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_SHOWN_MULTILINE = re.compile(f"[{_HIDDEN}]")
_SHOWN_ONE_LINE = re.compile(f"[\t\n{_HIDDEN}]")
_SHOWN_BEYOND = re.compile(f"[{_HIDDEN_BEYOND}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _escape(found: re.Match[str]) -> str:
    code = ord(found[0])
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, *, lines: bool = True) -> str:
    """``text`` with every control, format, surrogate and line or paragraph separator
    character shown as an escape (newlines and tabs kept if ``lines``)."""
    if text.isascii() and text.isprintable():
        return text
    shown = (_SHOWN_MULTILINE if lines else _SHOWN_ONE_LINE).sub(_escape, text)
    if not text.isascii() and len(shown.encode("utf-16-le", "surrogatepass")) > 2 * len(shown):
        shown = _SHOWN_BEYOND.sub(_escape, shown)  # characters beyond the BMP take two units
    return shown


def storable(text: str) -> str:
    """``text`` with lone surrogates as escapes: it then encodes as UTF-8."""
    return text if text.isascii() else _SURROGATE.sub(_escape, text)


def storable_data(value: Any) -> Any:
    """JSON-like data with `storable` applied to every string, keys included."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [storable_data(item) for item in value]
    if isinstance(value, dict):
        return {storable_data(k): storable_data(v) for k, v in value.items()}
    return value


def csv_cell(value: object) -> str:
    """One CSV cell: one printable line, and never read as a formula by a spreadsheet (a
    plain signed number such as ``-2`` or ``+2``, which runs nothing, stays as it is)."""
    text = str(value)
    if text.startswith(_FORMULA) and not _NUMBER.fullmatch(text):
        text = "'" + text
    return printable(text, lines=False)


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """CSV (``\\n`` line ends) whose every cell went through `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def _shown(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list | tuple):
        return [_shown(item) for item in value]
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    return value


def shown_report(report: GradeReport) -> GradeReport:
    """``report`` with every string `printable` (for reporters that print text)."""

    def case(item: CaseResult) -> CaseResult:
        return replace(
            item,
            name=printable(item.name),
            message=printable(item.message),
            hint=printable(item.hint),
            title=printable(item.title),
            details=_shown(item.details),
        )

    def exercise(item: ExerciseResult) -> ExerciseResult:
        return replace(
            item,
            title=printable(item.title),
            file=printable(item.file),
            message=printable(item.message),
            cases=tuple(case(c) for c in item.cases),
        )

    return replace(
        report,
        submission=printable(report.submission),
        exercises=tuple(exercise(e) for e in report.exercises),
        meta=_shown(report.meta),
    )


def open_regular(path: str | os.PathLike[str]) -> io.BufferedReader:
    """``path`` opened for reading if it is a regular file (else `OSError`, ``EINVAL`` or
    ``ELOOP``): never through a link, never blocking on a FIFO or a device."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
