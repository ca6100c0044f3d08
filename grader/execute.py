"""Run: send an exercise's planned cases to a child and collect what came back, per case.

A child that dies in the middle of a case (timeout, exit, crash, flood) costs that case only:
the remaining cases run again in a fresh child. A file that hangs or fails at import costs
one timeout for the whole exercise, not one per case.
"""

from __future__ import annotations

import functools
import signal as signals
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from grader.plan import ExercisePlan, PlannedCase
from grader.sandbox import transport
from grader.sandbox.protocol import Job, encode_job
from grader.sandbox.runner import Limits, RunResult

__all__ = ["CaseRun", "ExerciseRun", "Runner", "death_reason", "in_threads", "run_exercise"]

T = TypeVar("T")

#: the child's exit code when its own reporting code raised (see `grader.sandbox.worker`)
_REPORTING_FAILED = 70


class Runner(Protocol):
    """What runs a job in a child: a `Template`, or one replaying a shared child's answers."""

    def run(self, job: Job, blobs: list[bytes], limits: Limits) -> RunResult:
        """Run ``job`` in a child and collect what it sends until it ends."""
        ...


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


def run_exercise(
    template: Runner,
    plan: ExercisePlan,
    file: Path,
    limits: Limits,
    *,
    source: str | None = None,
) -> ExerciseRun:
    """Run all planned cases of ``plan`` against the student's ``file``.

    Hidden cases run in children of their own: a child that answers visible cases never
    holds a hidden input in memory, so it cannot print one into visible feedback. The two
    groups run side by side (a function that hangs costs the time limits of one group).
    """
    if source is None and not file.is_file():
        return ExerciseRun({}, error="missing_file")
    visible = [c for c in plan.cases if not c.spec.hidden]
    hidden = [c for c in plan.cases if c.spec.hidden]
    groups = [group for group in (visible, hidden) if group]
    parts = in_threads(
        [functools.partial(_run_cases, template, plan, file, limits, g, source) for g in groups],
        len(groups),
    )
    merged = ExerciseRun({})
    for group, part in zip(groups, parts, strict=True):
        merged.cases.update(part.cases)
        merged.line = merged.line if part.line is None else part.line
        if group is visible:
            merged.output = part.output
        merged.printed = max(merged.printed, part.printed)
        if part.error:  # the file failed at import: once for the exercise, not per group
            merged.error, merged.info = part.error, part.info
            return merged
    return merged


def _run_cases(  # noqa: PLR0917 - private helper of run_exercise
    template: Runner,
    plan: ExercisePlan,
    file: Path,
    limits: Limits,
    cases: list[PlannedCase],
    source: str | None,
) -> ExerciseRun:
    pending = list(cases)
    done: dict[int, CaseRun] = {}
    line: int | None = None
    outputs: list[str] = []
    printed = 0
    while pending:
        job, blobs = encode_job(plan, file, pending, source=source)
        result = template.run(job, blobs, limits)
        printed = max(printed, result.output_seen)
        if result.output:
            outputs.append(result.output)
        imported = False
        finished = False
        current: int | None = None  # the case the child announced; only it may be answered
        try:
            for msg, msg_blobs in result.messages:
                event = msg.get("event")
                if event == "case":
                    found = msg.get("i")
                    current = found if isinstance(found, int) else None
                elif event == "imported":
                    imported = True
                    line = _line(msg.get("line"))
                elif event == "import_error":
                    info: dict[str, Any] = _info(msg)
                    error = "exited" if info.get("exit") else "import_error"
                    return ExerciseRun(done, line, error, info, _join(outputs), printed)
                elif event == "grader_error":
                    info = {"error": str(msg.get("error", ""))[:300]}
                    return ExerciseRun(done, line, "grader_error", info, _join(outputs), printed)
                elif event == "missing":
                    info = {"name": str(msg.get("name", ""))[:200]}
                    return ExerciseRun(
                        done, line, "missing_function", info, _join(outputs), printed
                    )
                elif event == "result":
                    index = _index(msg, pending, current, done)
                    current = None
                    inputs = msg.get("inputs", {})
                    if not isinstance(inputs, dict):
                        raise transport.TransportError("bad inputs")
                    done[index] = CaseRun(
                        index,
                        value=transport.decode_value(msg.get("value"), msg_blobs),
                        inputs={
                            str(k): transport.decode_value(v, msg_blobs) for k, v in inputs.items()
                        },
                        seconds=result.case_seconds.get(index, 0.0),
                        **_printed(result, index),
                    )
                elif event == "exception":
                    index = _index(msg, pending, current, done)
                    current = None
                    info = _info(msg)
                    error = "exception"
                    if info.get("type") == "NotImplementedError":
                        error = "not_implemented"
                    elif info.get("exit"):
                        error = "exited"
                    elif info.get("memory"):
                        error = "memory_limit"
                        info["bytes"] = limits.memory_bytes
                    done[index] = CaseRun(index, error=error, info=info, **_printed(result, index))
                elif event == "done":
                    finished = True
        except transport.TransportError as exc:
            result.protocol_error = str(exc)
            result.killed = result.killed or "protocol"
            finished = False
            bad = current
            if bad is None:  # a second answer for a case: blame that case
                found = msg.get("i")
                bad = found if isinstance(found, int) and found in done else None
            if bad is not None:  # the case that was running wrote the forged frame
                done.pop(bad, None)
                result.running_case = bad
        pending = [c for c in pending if c.spec.index not in done]
        if finished and not pending:
            break
        if finished and pending:  # a forged "done": the child wrote to its status pipe
            result.killed = result.killed or "protocol"
            result.protocol_error = result.protocol_error or "finished without every answer"
        error, info = death_reason(result, limits)
        if not imported:
            if error == "timeout":
                error = "import_timeout"
            return ExerciseRun(done, line, error, info, _join(outputs), printed)
        culprit = result.running_case
        if culprit is None or culprit in done:
            culprit = pending[0].spec.index if pending else None
        if culprit is None:
            break
        done[culprit] = CaseRun(culprit, error=error, info=info, **_printed(result, culprit))
        pending = [c for c in pending if c.spec.index not in done]
        if pending and error in ("timeout", "cpu_limit"):
            # Code that hung once may hang again: give each remaining case a child of its own,
            # side by side, so a function that loops on every input costs two time limits,
            # not one per case. The verdicts are those of running them one after another.
            for case, part in zip(
                pending, _each_alone(template, plan, file, limits, pending, source), strict=True
            ):
                if part.output:
                    outputs.append(part.output)
                printed = max(printed, part.printed)
                if part.error:
                    kind = "timeout" if part.error == "import_timeout" else part.error
                    done[case.spec.index] = CaseRun(case.spec.index, error=kind, info=part.info)
                else:
                    done.update(part.cases)
            break
    return ExerciseRun(done, line, output=_join(outputs), printed=printed)


def in_threads(calls: Sequence[Callable[[], T]], at_most: int) -> list[T]:
    """``[call() for call in calls]``, at most ``at_most`` at a time on plain threads (the
    calls mostly wait on children); re-raises the first error. Plain threads, not
    concurrent.futures: its import (with logging) costs more than a pool saves."""
    import threading

    if len(calls) < 2 or at_most < 2:
        return [call() for call in calls]
    results: list[T | None] = [None] * len(calls)
    errors: list[BaseException] = []
    lock = threading.Lock()
    position = iter(range(len(calls)))

    def work() -> None:
        while True:
            with lock:
                index = next(position, None)
            if index is None or errors:
                return
            try:
                results[index] = calls[index]()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(min(at_most, len(calls)) - 1)]
    for thread in threads:
        thread.start()
    work()  # this thread takes its share too
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return cast("list[T]", results)


def _each_alone(  # noqa: PLR0917 - private helper of _run_cases
    template: Runner,
    plan: ExercisePlan,
    file: Path,
    limits: Limits,
    cases: list[PlannedCase],
    source: str | None,
) -> list[ExerciseRun]:
    """Run every case in a child of its own, at most four at a time."""
    calls = [
        functools.partial(_run_cases, template, plan, file, limits, [case], source)
        for case in cases
    ]
    return in_threads(calls, 4)


def death_reason(result: RunResult, limits: Limits) -> tuple[str, dict[str, Any]]:
    """Why a child ended before answering everything."""
    if result.killed == "timeout":
        return "timeout", {"seconds": result.limit_seconds or limits.wall_seconds}
    if result.killed == "output_limit":  # a print loop (stopped by the clock or the cap)
        return "output_limit", {"bytes": limits.output_kept}
    if result.killed == "protocol":
        return "protocol", {"error": result.protocol_error}
    if result.exit_code == _REPORTING_FAILED:
        return "protocol", {"error": "the answer could not be sent (was Python or NumPy patched?)"}
    if result.signal is not None:
        if result.signal == signals.SIGXCPU:
            return "cpu_limit", {"signal": result.signal}
        if result.signal == getattr(signals, "SIGXFSZ", -1):
            return "output_limit", {"bytes": limits.file_bytes, "signal": result.signal}
        try:
            name = signals.Signals(result.signal).name
        except ValueError:
            name = str(result.signal)
        return "crashed", {"signal": name}
    return "exited", {"code": result.exit_code}


def _index(
    msg: dict[str, Any], pending: list[Any], current: int | None, done: dict[int, CaseRun]
) -> int:
    """The case an answer is for: the one announced last, answered once (else forged)."""
    index = msg.get("i")
    if not isinstance(index, int) or index not in {c.spec.index for c in pending}:
        raise transport.TransportError(f"answer for an unknown case {index!r}")
    if index != current or index in done:
        raise transport.TransportError(f"unexpected answer for case {index}")
    return index


def _printed(result: RunResult, index: int) -> dict[str, Any]:
    """What case ``index`` printed during its call, for its `CaseRun`."""
    return {
        "output": result.case_output.get(index, ""),
        "printed": result.case_printed.get(index, 0),
    }


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


def _join(outputs: list[str]) -> str:
    return "".join(outputs)[: 16 << 10]
