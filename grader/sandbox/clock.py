"""The deadline of a running child, on the grader's own clock (docs/security.md, layer 3).

`Budget` is what the grader allows a job, from the job alone; `Clock` follows the child's
messages: a phase (a file's import, or one case) has its time limit from its announcement,
no message extends a phase that runs, and the child never lives longer than its job's
phases added up. `grader.sandbox.runner` reads the child and kills it at `Clock.deadline`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.sandbox.protocol import Job
    from grader.sandbox.runner import Limits, RunResult

__all__ = ["Budget", "Clock"]


@dataclass(frozen=True)
class Budget:
    """What the grader allows one job, from the job alone (never from the child)."""

    #: the most messages the job can need; anything beyond is spam
    messages: int
    #: each case's own wall limit, by index (the others have the default)
    own: dict[int, float]
    #: the cases the job has
    cases: frozenset[int]
    #: files the child imports in turn (a shared child), each a phase with a time limit
    imports: int
    #: sections the child answers in turn
    sections: int
    #: every phase's time limit added up: the child's whole life, whatever it sends
    total: float
    #: the uid the template gave the child, if its own
    uid: Any = None

    @classmethod
    def of(cls, job: Job, limits: Limits, uid: Any = None) -> Budget:
        """The budget of ``job`` run with ``limits``."""
        cases = job.cases
        sections = len(job.sections or ())
        imports = job.imports
        own = {c.number: c.time_limit for c in cases if c.time_limit is not None}
        wall = limits.wall_seconds
        total = wall * max(1, imports) + sum(own.get(c.number, wall) for c in cases)
        # confined, import, imported, done, and per case its announcement and answer; per
        # section its announcement, its import and its imported, missing or import error; and
        # per notebook cell its progress note (`grader.notebook_driver`)
        messages = 3 * len(cases) + 3 * sections + job.progress + 9
        return cls(
            messages,
            own,
            frozenset(c.number for c in cases),
            imports,
            sections,
            total,
            uid,
        )


class Clock:
    """The deadline of a running child, on the grader's clock.

    A phase (a file's import, or one case) has its time limit from the moment the child
    announces it, but no message extends a phase that is running: a case is announced once,
    only when no other runs, and a shared child's next file only after its section. And
    whatever the child announces, it never lives longer than the job's phases added up.
    """

    def __init__(self, started: float, budget: Budget, wall: float) -> None:
        self.budget = budget
        self.wall = wall
        self.end = started + budget.total + 1.0
        #: the time limit of the phase running
        self.limit = wall
        self.deadline = min(started + wall, self.end)
        self.announced: set[int] = set()
        self.section = -1
        self.imports = budget.imports
        self.awaiting_import = False
        #: when the phase began that the last message started (0.0: no phase began)
        self.phase_began = 0.0
        self._case_started = started

    def _begin(self, limit: float) -> None:
        now = time.monotonic()
        self.limit = limit
        self.deadline = min(now + limit, self.end)
        self.phase_began = now

    def step(self, msg: dict[str, Any], result: RunResult) -> str:
        """Follow one message from the child; a protocol violation's description, or ""."""
        self.phase_began = 0.0
        event = msg.get("event")
        running = result.running_case
        if event == "case":
            index = msg.get("i")
            if not isinstance(index, int) or index not in self.budget.cases:
                return f"announced an unknown case {str(index)[:20]}"
            if index in self.announced:  # it would buy the child more time
                return f"case {index} announced twice"
            if running is not None:
                return f"case {index} announced while case {running} runs"
            self.announced.add(index)
            result.running_case = index
            self._case_started = time.monotonic()
            self._begin(self.budget.own.get(index, self.wall))
        elif event == "section":
            number = msg.get("s")
            if running is not None or number != self.section + 1 or number >= self.budget.sections:
                return f"section {str(number)[:20]} announced out of turn"
            self.section = number
            self.awaiting_import = self.imports > 0
        elif event == "import":
            if running is not None:
                return f"an import announced while case {running} runs"
            if self.awaiting_import:  # the next file of a shared child: a phase of its own
                self.awaiting_import = False
                self.imports -= 1
                result.running_case = None
                self._begin(self.wall)
        elif event in ("result", "exception") and running is not None and msg.get("i") == running:
            result.case_seconds[running] = time.monotonic() - self._case_started
            result.running_case = None
        return ""
