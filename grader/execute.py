"""Run: send an exercise's planned cases to a child and collect what came back, per case.

A child that dies in the middle of a case (timeout, exit, crash, flood) costs that case only:
the remaining cases run again in a fresh child. A file that hangs or fails at import costs
one timeout for the whole exercise, not one per case.
"""

from __future__ import annotations

import functools
import signal as signals
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from grader.collector import CaseRun, Collector, ExerciseRun, State, printed
from grader.plan import ExercisePlan, PlannedCase
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


def run_exercise(
    template: Runner,
    plan: ExercisePlan,
    file: Path,
    limits: Limits,
    *,
    source: str | None = None,
    hidden: Runner | None = None,
) -> ExerciseRun:
    """Run all planned cases of ``plan`` against the student's ``file``.

    Hidden cases run in children of their own (made by ``hidden``, else by ``template``): a
    child that answers visible cases never holds a hidden input in memory, so it cannot print
    one into visible feedback. The two groups run side by side (a function that hangs costs
    the time limits of one group).
    """
    if source is None and not file.is_file():
        return ExerciseRun({}, error="missing_file")
    visible = [c for c in plan.cases if not c.spec.hidden]
    secret = [c for c in plan.cases if c.spec.hidden]
    groups = [(g, r) for g, r in ((visible, template), (secret, hidden or template)) if g]
    parts = in_threads(
        [functools.partial(_run_cases, r, plan, file, limits, g, source) for g, r in groups],
        len(groups),
    )
    merged = ExerciseRun({})
    for (group, _runner), part in zip(groups, parts, strict=True):
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
    """Run ``cases`` in children until each has an answer or a reason, by `restart_policy`."""
    pending = list(cases)
    run = ExerciseRun({})
    outputs: list[str] = []
    while pending:
        job, blobs = encode_job(plan, file, pending, source=source)
        result = template.run(job, blobs, limits)
        _take_output(run, outputs, result.output, result.output_seen)
        indices = frozenset(c.spec.index for c in pending)
        child = Collector(result, limits, indices, run.cases, run.line)
        state = child.collect()
        run.line = child.line
        if state is State.FAILED:
            run.error, run.info = child.failure
            break
        pending = _unanswered(pending, run)
        step = restart_policy(child, [c.spec.index for c in pending])
        if step is None:
            break
        if step.culprit is None:  # the file never imported: once for the exercise
            run.error, run.info = step.reason, step.info
            break
        run.cases[step.culprit] = CaseRun(
            step.culprit, error=step.reason, info=step.info, **printed(result, step.culprit)
        )
        pending = _unanswered(pending, run)
        if pending and step.alone:
            _run_alone(template, plan, file, limits, pending, source, (run, outputs))
            break
    run.output = "".join(outputs)[: 16 << 10]
    return run


class Restart(NamedTuple):
    """The retry policy's decision after a child ended without answering every case."""

    #: the case the child's death is charged to; None: the exercise as a whole (no import)
    culprit: int | None
    reason: str
    info: dict[str, Any]
    #: give each remaining case a child of its own (code that hung once may hang again)
    alone: bool = False


def restart_policy(child: Collector, pending: list[int]) -> Restart | None:
    """What to do after ``child`` ended with ``pending`` cases unanswered (None: stop).

    A child that finished with every answer needs nothing. One that died before its import
    ended fails the exercise once, not per case; otherwise the case it died in (or the
    first unanswered) gets the reason, and the rest run again in a fresh child, or each in
    one of its own after a time or CPU limit.
    """
    if child.state is State.FINISHED and not pending:
        return None
    if child.state is State.FINISHED:  # a forged "done": the child wrote to its status pipe
        _forged_done(child.result)
    error, info = death_reason(child.result, child.limits)
    if not child.imported:
        return Restart(None, "import_timeout" if error == "timeout" else error, info)
    culprit = _culprit(child, pending)
    if culprit is None:
        return None
    return Restart(culprit, error, info, alone=error in ("timeout", "cpu_limit"))


def _forged_done(result: RunResult) -> None:
    result.killed = result.killed or "protocol"
    result.protocol_error = result.protocol_error or "finished without every answer"


def _culprit(child: Collector, pending: list[int]) -> int | None:
    """The case a child's death is charged to: the one it ran, else the first unanswered."""
    running = child.result.running_case
    if running is not None and running not in child.done:
        return running
    return pending[0] if pending else None


def _unanswered(cases: list[PlannedCase], run: ExerciseRun) -> list[PlannedCase]:
    return [c for c in cases if c.spec.index not in run.cases]


def _take_output(run: ExerciseRun, outputs: list[str], output: str, printed: int) -> None:
    if output:
        outputs.append(output)
    run.printed = max(run.printed, printed)


def _run_alone(  # noqa: PLR0917 - private helper of _run_cases
    template: Runner,
    plan: ExercisePlan,
    file: Path,
    limits: Limits,
    pending: list[PlannedCase],
    source: str | None,
    into: tuple[ExerciseRun, list[str]],
) -> None:
    """Run each of ``pending`` in a child of its own, side by side, so a function that loops
    on every input costs two time limits, not one per case; the verdicts are those of
    running them one after another."""
    run, outputs = into
    for case, part in zip(
        pending, _each_alone(template, plan, file, limits, pending, source), strict=True
    ):
        _take_output(run, outputs, part.output, part.printed)
        if part.error:
            kind = "timeout" if part.error == "import_timeout" else part.error
            run.cases[case.spec.index] = CaseRun(case.spec.index, error=kind, info=part.info)
        else:
            run.cases.update(part.cases)


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
