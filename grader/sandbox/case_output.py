"""What each case printed: the child marks where a case's output begins and ends.

A child's stdout and stderr share one pipe, and its messages travel on another, so the order
of the two is lost on the grader's side. The child therefore writes a mark into the output
pipe itself, after flushing Python's buffers, just before calling the student's function for
a case and again just after (`mark`); the grader's collector splits the stream at the marks
(`CaseOutput`) and keeps the first part of each case's output.

A mark is no secret: student code can write one too. It then only moves its own output
between its own cases (a child answers either visible or hidden cases, never both, and hidden
cases show no output), so marks are read as what they are, a hint for the display.

This module is imported by the child (standard library only).
"""

from __future__ import annotations

__all__ = ["PREFIX", "CaseOutput", "mark"]

#: the start of every mark; a mark is ``PREFIX + b"<case index>" + b"\0"``, or ``b"-"`` for
#: "no case runs now"
PREFIX = b"\x00ml-lectures:case:"
_TOKEN_MAX = 12  # digits of a case index, and the closing NUL


def mark(index: int | None) -> bytes:
    """The mark for "the output of case ``index`` begins here" (None: "a case ended")."""
    return PREFIX + (b"-" if index is None else str(index).encode()) + b"\x00"


class CaseOutput:
    """Splits a child's output stream into the plain output and each case's part.

    `feed` takes the bytes as read from the pipe and returns them without the marks; the
    first ``kept`` bytes each case printed are kept (`texts`), and how many it printed in all
    (`printed`). Only the job's own ``cases`` are kept: a mark naming another index ends the
    case that ran, so forged marks cannot make the grader keep more than the job's cases.
    """

    def __init__(self, kept: int, cases: frozenset[int]) -> None:
        self.kept = kept
        self.cases = cases
        self.current: int | None = None
        self.parts: dict[int, bytearray] = {}
        self.printed: dict[int, int] = {}
        self._carry = b""

    def feed(self, chunk: bytes) -> bytes:
        """``chunk`` without marks (a mark cut in two by the pipe waits for its end)."""
        data = self._carry + chunk
        self._carry = b""
        plain = bytearray()
        position = 0
        while True:
            found = data.find(PREFIX, position)
            if found < 0:
                cut = len(data) - _partial_prefix(data, position)
                self._take(data[position:cut], plain)
                self._carry = data[cut:]
                return bytes(plain)
            self._take(data[position:found], plain)
            start = found + len(PREFIX)
            end = data.find(b"\x00", start, start + _TOKEN_MAX)
            if end < 0 and len(data) - start < _TOKEN_MAX:  # the rest of the mark is to come
                self._carry = data[found:]
                return bytes(plain)
            token = data[start:end] if end >= 0 else b""
            if end < 0 or not (token == b"-" or token.isdigit()):
                self._take(PREFIX, plain)  # not a mark after all: plain output
                position = start
                continue
            index = None if token == b"-" else int(token)
            self.current = index if index in self.cases else None
            position = end + 1

    def finish(self) -> bytes:
        """What is left over when the pipe closed (a mark's beginning is plain output)."""
        rest, self._carry = self._carry, b""
        plain = bytearray()
        self._take(rest, plain)
        return bytes(plain)

    def texts(self) -> dict[int, str]:
        """Each case's kept output as text (invalid UTF-8 replaced)."""
        return {i: bytes(b).decode("utf-8", errors="replace") for i, b in self.parts.items()}

    def _take(self, data: bytes, plain: bytearray) -> None:
        if not data:
            return
        plain.extend(data)
        if self.current is None:
            return
        index = self.current
        part = self.parts.setdefault(index, bytearray())
        room = self.kept - len(part)
        if room > 0:
            part.extend(data[:room])
        self.printed[index] = self.printed.get(index, 0) + len(data)


def _partial_prefix(data: bytes, position: int) -> int:
    """How many bytes at the end of ``data[position:]`` could begin a mark."""
    longest = min(len(PREFIX) - 1, len(data) - position)
    for size in range(longest, 0, -1):
        if data.endswith(PREFIX[:size]):
            return size
    return 0
