"""The child's one case loop: call the student's function per case, send each answer as data.

Both children use it: a fork of the warm template (`grader.sandbox.worker`) and a cell in the
student's Jupyter kernel (`grader.kernel_job`). They differ only in what `Hooks` gives: how a
case's phase begins (a CPU allowance, output marks), how the function is called (under an
alarm in a kernel) and how an exception's frames are named; what a case answers, and how an
exception is described (an exit, running out of memory), is decided here once.

Imports only the standard library, NumPy and sibling modules (the child imports it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from grader.sandbox import transport
from grader.sandbox.callables import CALLABLES
from grader.sandbox.protocol import Arg, Case, Event, Failure, Frame

__all__ = ["Hooks", "StopJob", "decode_arg", "describe", "run_cases", "seconds_of"]

#: sends one status message (and the blobs it refers to)
Send = Callable[[dict[str, Any], list[bytes]], None]


class StopJob(BaseException):
    """Raised through a case's call to stop the whole job without an answer for the case
    (a kernel's alarm: the grader then counts the running case as timed out)."""


class Hooks(NamedTuple):
    """What differs between the children that run cases."""

    send: Send
    #: calls the function for a case: ``call(case, target, args, kwargs)``
    call: Callable[[Case, Any, list[Any], dict[str, Any]], Any]
    #: the frames of an exception as the student should read them
    frames: Callable[[BaseException], list[Frame]]
    #: a module attribute's value (a case that reads a constant), None if absent
    attribute: Callable[[str], Any]
    #: called as each case begins, before its inputs are decoded
    begin: Callable[[Case], None] = lambda _case: None
    #: a SyntaxError raised by the function names its own place as a frame (the fork's
    #: files are files; a kernel's cells are not)
    syntax: bool = True


def seconds_of(case: Case, default: float) -> float:
    """The wall seconds ``case`` may run: its own time limit, else ``default``."""
    return case.time_limit if case.time_limit is not None else default


def cpu_seconds_of(case: Case, default: int) -> int:
    """The CPU seconds ``case`` may use: its own time limit rounded up, else ``default``."""
    return max(1, math.ceil(case.time_limit)) if case.time_limit is not None else default


def decode_arg(tagged: Arg, blobs: Sequence[bytes]) -> Any:
    """An argument as the student's function receives it, from its tagged transport form."""
    kind = tagged.get("t")
    if kind in ("py", "str"):
        return tagged["v"]
    if kind == "callable":
        return CALLABLES[tagged["name"]]
    if kind == "array":
        array = transport.decode_npy(blobs[tagged["npy"]])
        origin = tagged.get("origin", "ndarray")
        if origin == "float":
            return float(array)
        if origin == "list":
            return array.tolist()
        return array
    if kind == "none":
        return None
    raise ValueError(f"unknown argument tag {kind!r}")


def run_cases(target: Any, cases: Sequence[Case], blobs: Sequence[bytes], hooks: Hooks) -> None:
    """Answer every case in turn: a value (and the array inputs after the call), or what the
    function raised. `StopJob` from a call ends the loop with the case unanswered."""
    for case in cases:
        _run_case(target, case, blobs, hooks)


def _run_case(target: Any, case: Case, blobs: Sequence[bytes], hooks: Hooks) -> None:
    index = case.number
    hooks.send({"event": Event.CASE, "i": index}, [])
    hooks.begin(case)
    out: list[bytes] = []
    if case.attribute:
        value = hooks.attribute(case.attribute)
        hooks.send(
            {"event": Event.RESULT, "i": index, "value": transport.encode_value(value, out)}, out
        )
        return
    args = [decode_arg(a, blobs) for a in case.args]
    kwargs = {k: decode_arg(v, blobs) for k, v in case.kwargs.items()}
    try:
        if target is None:
            raise TypeError("the rubric names no function for this case")
        value = hooks.call(case, target, args, kwargs)
    except StopJob:
        raise
    except BaseException as exc:  # noqa: BLE001 - report everything the student raised
        hooks.send(
            {
                "event": Event.EXCEPTION,
                "i": index,
                **describe(exc, hooks.frames, syntax=hooks.syntax),
            },
            [],
        )
        return
    tagged = transport.encode_value(value, out)
    inputs = {
        str(key): transport.encode_value(arg, out)
        for key, arg in [*enumerate(args), *kwargs.items()]
        if isinstance(arg, np.ndarray)
    }
    hooks.send({"event": Event.RESULT, "i": index, "value": tagged, "inputs": inputs}, out)


def describe(
    exc: BaseException,
    frames: Callable[[BaseException], list[Frame]],
    *,
    syntax: bool = True,
) -> Failure:
    """An exception as the grader reads it: type, text, the student's last frames, and
    whether it was an exit or running out of memory."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__
        text = "<unprintable>"
    kind = type(exc)
    found: list[Frame] = []
    info: Failure = {
        "type": getattr(kind, "__qualname__", "Exception"),
        "text": text[:2000],
        "frames": found,
    }
    if isinstance(exc, SystemExit):
        info["exit"] = True
    if isinstance(exc, MemoryError):  # NumPy raises a subclass
        info["memory"] = True
    if syntax and isinstance(exc, SyntaxError):
        found.append(
            {
                "file": exc.filename or "",
                "line": exc.lineno or 0,
                "function": "",
                "code": (exc.text or "").rstrip("\n")[:300],
            }
        )
        info["text"] = exc.msg
    found.extend(frames(exc))
    info["frames"] = found[-5:]
    return info
