"""A one-line progress bar on stderr: done/total, rate, ETA and running counts of problems.

Dependency-free: one line redrawn with a carriage return at most ten times a second.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]

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
            problems.append(f"{self.counts['grader_error']} grader errors")
        if self.counts.get("refused"):
            problems.append(f"{self.counts['refused']} refused")
        return (
            f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {self.done}/{self.total} "
            f"{rate:.1f}/s ETA {_clock(left)}" + (f" · {', '.join(problems)}" if problems else "")
        )

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"
