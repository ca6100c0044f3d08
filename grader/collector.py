"""Collect: read what one child sent for one exercise's cases, as a small state machine.

A `Collector` is fed the child's status messages in order (`Collector.collect`) and moves
between the states of `State`; each event is allowed only where the protocol puts it, and
anything else is a protocol violation that blames the case that was running. It decides
nothing about restarts: `grader.execute` reads the final state and applies its retry policy.

Nothing the child reports is taken as it comes: every answer must be for the case announced
last and not yet answered, values are decoded by `grader.sandbox.transport`'s checks, and
texts and numbers are cut to size here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypedDict

from grader.sandbox import transport
from grader.sandbox.protocol import Event, Reason

if TYPE_CHECKING:
    from grader.sandbox.runner import Limits, RunResult

__all__ = ["CaseRun", "Collector", "ExerciseRun", "State"]


@dataclass
class CaseRun:
    """What one case produced: a value, or why there is none."""

    index: int
    value: Any = None
    #: array inputs as the child saw them after the call, by position ("0") or keyword
    inputs: dict[str, Any] = field(default_factory=dict)
    #: "" when a value came back; else the reason (see `grader.scoring`)
    error: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    #: what the case printed during its own call (the first part), and how many bytes in all
    output: str = ""
    printed: int = 0
    seconds: float = 0.0


@dataclass
class ExerciseRun:
    """Every case's run, plus what went wrong for the exercise as a whole."""

    cases: dict[int, CaseRun]
    line: int | None = None
    #: set when nothing could run: "missing_file", "import_error", "timeout", ...
    error: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    #: the most bytes one child printed (the report keeps only the first part)
    printed: int = 0


class State(StrEnum):
    """Where a child is, as far as its messages tell."""

    WAITING = "waiting"  # importing the file: no case may run yet
    READY = "ready"  # imported, between cases
    RUNNING = "running"  # a case was announced and is not answered yet
    FINISHED = "finished"  # the child said it answered everything ("done")
    FAILED = "failed"  # the exercise failed as a whole (import error, missing name, ...)
    DEAD = "dead"  # the child broke the protocol: nothing after that is believed


class Collector:
    """Reads one child's messages for the ``pending`` cases of an exercise.

    Answers go into ``done`` (shared with the runs before, so a case is answered once);
    ``failure`` is the exercise's reason and info when the state is `State.FAILED`.
    """

    def __init__(
        self,
        result: RunResult,
        limits: Limits,
        pending: frozenset[int],
        done: dict[int, CaseRun],
        line: int | None = None,
    ) -> None:
        self.result = result
        self.limits = limits
        self.pending = pending
        self.done = done
        self.line = line
        self.state = State.WAITING
        #: the case announced last and not answered: only it may be answered
        self.current: int | None = None
        self.imported = False
        self.failure: tuple[str, dict[str, Any]] = ("", {})

    def collect(self) -> State:
        """Feed every message the child sent; the state it ends in."""
        msg: dict[str, Any] = {}
        try:
            for msg, blobs in self.result.messages:
                self._feed(msg, blobs)
                if self.state is State.FAILED:
                    break
        except transport.TransportError as exc:
            self._violation(str(exc), msg)
        return self.state

    def _feed(self, msg: dict[str, Any], blobs: list[bytes]) -> None:
        event = msg.get("event")
        handler = _HANDLERS.get(event) if isinstance(event, str) else None
        if handler is not None:
            handler(self, msg, blobs)

    # -- transitions ---------------------------------------------------------------------------

    def _case(self, msg: dict[str, Any], _blobs: list[bytes]) -> None:
        found = msg.get("i")
        self.current = found if isinstance(found, int) else None
        if self.current is not None:
            self._move(State.RUNNING)

    def _imported(self, msg: dict[str, Any], _blobs: list[bytes]) -> None:
        self.imported = True
        self.line = _line(msg.get("line"))
        self._move(State.READY)

    def _import_error(self, msg: dict[str, Any], _blobs: list[bytes]) -> None:
        info = _info(msg)
        self._fail(Reason.EXITED if info.get("exit") else Reason.IMPORT_ERROR, info)

    def _grader_error(self, msg: dict[str, Any], _blobs: list[bytes]) -> None:
        self._fail(Reason.GRADER_ERROR, {"error": str(msg.get("error", ""))[:300]})

    def _missing(self, msg: dict[str, Any], _blobs: list[bytes]) -> None:
        self._fail(Reason.MISSING_FUNCTION, {"name": str(msg.get("name", ""))[:200]})

    def _result(self, msg: dict[str, Any], blobs: list[bytes]) -> None:
        index = self._answered(msg)
        inputs = msg.get("inputs", {})
        if not isinstance(inputs, dict):
            raise transport.TransportError("bad inputs")
        self.done[index] = CaseRun(
            index,
            value=transport.decode_value(msg.get("value"), blobs),
            inputs={str(k): transport.decode_value(v, blobs) for k, v in inputs.items()},
            seconds=self.result.case_seconds.get(index, 0.0),
            **printed(self.result, index),
        )

    def _exception(self, msg: dict[str, Any], _blobs: list[bytes]) -> None:
        index = self._answered(msg)
        info = _info(msg)
        error = Reason.EXCEPTION
        if info.get("type") == "NotImplementedError":
            error = Reason.NOT_IMPLEMENTED
        elif info.get("exit"):
            error = Reason.EXITED
        elif info.get("memory"):
            error = Reason.MEMORY_LIMIT
            info["bytes"] = self.limits.memory_bytes
        self.done[index] = CaseRun(
            index, error=error.value, info=info, **printed(self.result, index)
        )

    def _finished(self, _msg: dict[str, Any], _blobs: list[bytes]) -> None:
        self.state = State.FINISHED

    # -- helpers -------------------------------------------------------------------------------

    def _move(self, state: State) -> None:
        """Go to ``state``; a child that said "done" stays finished whatever it sends after
        (its answers still count once; a missing one is charged by the retry policy)."""
        if self.state is not State.FINISHED:
            self.state = state

    def _fail(self, reason: Reason, info: dict[str, Any]) -> None:
        self.failure = (reason.value, info)
        self.state = State.FAILED

    def _answered(self, msg: dict[str, Any]) -> int:
        """The case an answer is for: the one announced last, answered once (else forged)."""
        index = msg.get("i")
        if not isinstance(index, int) or index not in self.pending:
            raise transport.TransportError(f"answer for an unknown case {index!r}")
        if index != self.current or index in self.done:
            raise transport.TransportError(f"unexpected answer for case {index}")
        self.current = None
        self._move(State.READY)
        return index

    def _violation(self, problem: str, msg: dict[str, Any]) -> None:
        """A forged or broken message: the case that was running wrote it (or the case a
        second answer names); its answer, if any, is not kept."""
        result = self.result
        result.protocol_error = problem
        result.killed = result.killed or "protocol"
        self.state = State.DEAD
        bad = self.current
        if bad is None:  # a second answer for a case: blame that case
            found = msg.get("i")
            bad = found if isinstance(found, int) and found in self.done else None
        if bad is not None:
            self.done.pop(bad, None)
            result.running_case = bad


_Handler = Callable[[Collector, dict[str, Any], list[bytes]], None]
_HANDLERS: dict[str, _Handler] = {
    Event.CASE: Collector._case,
    Event.IMPORTED: Collector._imported,
    Event.IMPORT_ERROR: Collector._import_error,
    Event.GRADER_ERROR: Collector._grader_error,
    Event.MISSING: Collector._missing,
    Event.RESULT: Collector._result,
    Event.EXCEPTION: Collector._exception,
    Event.DONE: Collector._finished,
}


def printed(result: RunResult, index: int) -> Printed:
    """What case ``index`` printed during its call, for its `CaseRun`."""
    return {
        "output": result.case_output.get(index, ""),
        "printed": result.case_printed.get(index, 0),
    }


class Printed(TypedDict):
    """A case's own output (the first part) and how many bytes it printed in all."""

    output: str
    printed: int


def _line(value: Any) -> int | None:
    """A line number from the child, or None: an int of any size is valid JSON."""
    return value if type(value) is int and 0 < value < 1 << 31 else None


def _info(msg: dict[str, Any]) -> dict[str, Any]:
    frames = msg.get("frames", [])
    clean = []
    if isinstance(frames, list):
        for frame in frames[-5:]:
            if isinstance(frame, dict):
                clean.append(
                    {
                        "file": str(frame.get("file", ""))[:500],
                        "line": _line(frame.get("line")) or 0,
                        "function": str(frame.get("function", ""))[:200],
                        "code": str(frame.get("code", ""))[:300],
                    }
                )
    return {
        "type": str(msg.get("type", "Exception"))[:200],
        "text": str(msg.get("text", ""))[:2000],
        "frames": clean,
        "exit": bool(msg.get("exit", False)),
        "memory": bool(msg.get("memory", False)),
    }
