"""Runs inside the student's Jupyter kernel (``--kernel`` mode): one job's cases, data out.

`grader.kernel` executes a cell that calls `run_job` after the notebook's own cells. It reads
the job (inputs only; never a reference or an expected value) from a file, calls the student's
function per case under an alarm, and appends framed messages (`grader.sandbox.transport`:
JSON plus ``.npy``, no pickle) to an output file that the grader reads and judges in its own
process. The messages are those of the fork sandbox (`grader.sandbox.worker`), so the same
`grader.execute.run_exercise` collects them. Tracebacks are mapped from IPython's cell files
to the notebook's virtual line numbering (see `grader.notebook`).

Imports only the standard library, NumPy and the sandbox's own modules.
"""

from __future__ import annotations

import os
import signal
import traceback
from typing import Any

from grader.sandbox import transport
from grader.sandbox.cases import Hooks, StopJob, run_cases, seconds_of
from grader.sandbox.protocol import Case, Event, Frame, Job

__all__ = ["run_job"]


class _CaseTimeout(StopJob):
    """Raised by the alarm when a case runs past its time limit."""


def run_job(
    job_path: str, out_path: str, cells: list[tuple[int, int, str]], notebook: str, wall: float
) -> None:
    """Run the job in ``job_path`` against the kernel's namespace, writing to ``out_path``."""
    from IPython import get_ipython

    shell = get_ipython()
    namespace = shell.user_ns
    files: dict[str, int] = {}
    for _number, offset, source in cells:
        try:
            files[shell.compile.get_code_name(source, source, 0)] = offset
        except Exception:  # noqa: BLE001, S112 - another IPython: tracebacks lose their cell
            continue
    with open(job_path, "rb") as fh:
        wire, blobs = transport.FrameReader().feed(fh.read())[0]
    job = Job.from_wire(wire)
    fd = os.open(out_path, os.O_WRONLY | os.O_APPEND)

    def send(obj: dict[str, Any], out: list[bytes] | None = None) -> None:
        data = memoryview(transport.message(obj, out or []))
        while data:
            data = data[os.write(fd, data) :]

    def call(case: Case, target: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return _call(target, args, kwargs, seconds_of(case, wall))

    try:
        send({"event": Event.IMPORT})
        names = job.names
        for name in names:
            if name not in namespace:
                send({"event": Event.MISSING, "name": name})
                return
        line = None
        if names:
            code = getattr(namespace[names[0]], "__code__", None)
            if code is not None and code.co_filename in files:
                line = files[code.co_filename] + code.co_firstlineno
        send({"event": Event.IMPORTED, "line": line})
        target = namespace[names[0]] if names else None
        hooks = Hooks(
            send=send,
            call=call,
            frames=lambda exc: _frames(exc, files, notebook),
            attribute=namespace.get,
            syntax=False,
        )
        try:
            run_cases(target, job.cases, blobs, hooks)
        except _CaseTimeout:
            return  # no answer: the grader counts the running case as timed out
        send({"event": Event.DONE})
    finally:
        os.close(fd)


def _call(target: Any, args: list[Any], kwargs: dict[str, Any], wall: float) -> Any:
    def alarm(_signum: int, _frame: object) -> None:
        raise _CaseTimeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, wall)
    try:
        return target(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _frames(exc: BaseException, files: dict[str, int], notebook: str) -> list[Frame]:
    try:
        frames = list(traceback.extract_tb(exc.__traceback__))
    except Exception:  # noqa: BLE001 - a hostile traceback must not break the report
        frames = []
    return [
        {
            "file": notebook,
            "line": files[frame.filename] + (frame.lineno or 0),
            "function": frame.name,
            "code": "",
        }
        for frame in frames
        if frame.filename in files
    ]
