"""What an instructor sees while a batch runs: a one-line progress bar on stderr (done/total,
rate, ETA and running counts of problems), a Ctrl-C that stops between results, and at the
end whose score changed and by how much.

Dependency-free: one line redrawn with a carriage return at most ten times a second.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import Any, TextIO

from grader.messages import t

__all__ = ["Progress", "StopOnInterrupt", "changes_text"]

_WIDTH = 24


class Progress:
    """Counts results and draws the bar when enabled."""

    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.counts: dict[str, int] = {}
        self._started = time.monotonic()
        self._drawn = 0.0

    def update(self, outcome: str) -> None:
        """Count one finished submission and redraw."""
        self.done += 1
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        now = time.monotonic()
        if self.enabled and (now - self._drawn >= 0.1 or self.done == self.total):
            self._drawn = now
            self.stream.write("\r" + self.line() + "\x1b[K")
            self.stream.flush()

    def line(self) -> str:
        """The bar as text."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        fraction = self.done / self.total if self.total else 1.0
        filled = int(fraction * _WIDTH)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        problems = []
        if self.counts.get("grader_error"):
            problems.append(t("batch_progress_errors", count=self.counts["grader_error"]))
        if self.counts.get("refused"):
            problems.append(t("batch_progress_refused", count=self.counts["refused"]))
        shown = f" · {t('batch_list_separator').join(problems)}" if problems else ""
        return (
            f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {self.done}/{self.total} "
            f"{rate:.1f}/s ETA {_clock(left)}{shown}"
        )

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def changes_text(changes: list[tuple[str, float | None, float | None]], *, regrade: bool) -> str:
    """Who changed and by how much (the largest changes first); one line per student."""
    if not changes:
        return t("batch_no_change") + "\n" if regrade else ""

    def size(item: tuple[str, float | None, float | None]) -> float:
        _, before, after = item
        return -abs((after or 0.0) - (before or 0.0))

    lines = [t("batch_changes", count=len(changes))]
    for student, before, after in sorted(changes, key=lambda c: (size(c), c[0])):
        delta = ""
        if before is not None and after is not None:
            delta = f" ({after - before:+g})"
        lines.append(f"  {student}: {_points(before)} -> {_points(after)}{delta}")
    return "\n".join(lines) + "\n"


class StopOnInterrupt:
    """While active, Ctrl-C sets an event instead of raising at an arbitrary point.

    The grading loop checks the event between results, so an interrupt never lands inside a
    gradebook transaction or half-way through stopping the children; a second Ctrl-C raises.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self._previous: Any = None

    def __enter__(self) -> threading.Event:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._handle)
        return self.event

    def _handle(self, signum: int, frame: object) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
