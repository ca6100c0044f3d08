"""The child side: a warm template process that forks one child per job.

Started by `grader.sandbox.runner` as ``python -I -c ...``. It imports NumPy once, then waits
on a Unix socket for jobs. Each job arrives as three file descriptors (the job file, the status
pipe, the output pipe); the template forks, and the fork runs the student's function on the
job's inputs, sending values back through `transport`. The template itself never reads a job,
a reference solution or a hidden input, so a fork cannot find them in memory.

This module imports only the standard library, NumPy and its sibling modules.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from grader.sandbox import confine, seccomp, transport
from grader.sandbox.case_output import mark
from grader.sandbox.cases import Hooks, cpu_seconds_of, describe, run_cases
from grader.sandbox.isolate import isolate as isolate_child
from grader.sandbox.loader import (
    chdir,
    import_file,
    same_state,
    serve_modules,
    shared_state,
)
from grader.sandbox.protocol import Case, Event, Failure, Frame, Job

CONTROL_SIZE = 65536


def main(*, isolate: bool = False) -> None:
    """Serve jobs on the socket whose descriptor is the first argument; with ``isolate``
    (secure mode), each child shares no writable place with another (`isolate.isolate`),
    if a first child shows that the kernel allows it."""
    sock = socket.socket(fileno=int(sys.argv[1]))
    _die_with_parent()
    _not_dumpable()
    import numpy.linalg  # noqa: F401 - warm what the exercises use, before any fork

    if isolate:
        isolate = _isolation_works()

    sock.send(
        json.dumps(
            {
                "ready": True,
                "python": sys.executable,
                "version": list(sys.version_info[:3]),
                "numpy": np.__version__,
                "pid": os.getpid(),
                "confine": confine.status(),
                "isolated": isolate,
            }
        ).encode()
    )
    # Everything imported so far is shared with every fork: keep the collector from walking
    # (and so copying) those pages in each child.
    import gc

    with contextlib.suppress(ImportError):
        import resource  # noqa: F401 - every child sets its limits with it
    seccomp.prepare()
    gc.collect()
    gc.freeze()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    live: set[int] = set()  # children not yet reaped: the only pids a kill request may name
    while True:
        readable, _, _ = select.select([sock, sys.stdin, wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
            _reap(sock, live)
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            return  # the grader went away
        if sock not in readable:
            continue
        try:
            data, fds, _flags, _addr = socket.recv_fds(sock, CONTROL_SIZE, 4)
        except OSError:
            return
        if not data:
            return
        request = json.loads(data)
        if request.get("op") == "kill" and not fds:
            _kill(live, request.get("pid"))
            continue
        if request.get("op") != "run" or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"error": "bad request"}).encode())
            continue
        uid = confine.next_child_uid()  # None: the child keeps the template's uid
        template = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 70
            try:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(wake_r)
                os.close(wake_w)
                sock.close()
                code = _child(fds[0], fds[1], fds[2], uid, template, isolate)
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        live.add(pid)
        sock.send(json.dumps({"pid": pid, "uid": uid}).encode())
        _reap(sock, live)


def _kill(live: set[int], pid: Any) -> None:
    """SIGKILL a live child's process group (it may not make new processes, but may try)."""
    if not isinstance(pid, int) or pid not in live:
        return
    for target in (-pid, pid):
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)


def _reap(sock: socket.socket, live: set[int]) -> None:
    """Report every child that has ended (the template runs several at once)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        live.discard(pid)
        report: dict[str, Any] = {"exit": pid}
        if os.WIFSIGNALED(status):
            report["signal"] = os.WTERMSIG(status)
        else:
            report["code"] = os.WEXITSTATUS(status)
        sock.send(json.dumps(report).encode())


_LIBC: list[Any] = []  # loaded once in the template, used again in every child


def _die_with_parent() -> None:
    if sys.platform != "linux":
        return
    try:
        if not _LIBC:
            import ctypes

            _LIBC.append(ctypes.CDLL(None, use_errno=True))
        _LIBC[0].prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _not_dumpable() -> None:
    """Children inherit this: no process of the same uid may read or write their memory."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0)  # PR_SET_DUMPABLE
    except (OSError, AttributeError):
        pass


# -- the child ------------------------------------------------------------------------------


class _Status:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, obj: dict[str, Any], blobs: list[bytes] | None = None) -> None:
        data = transport.message(obj, blobs or [])
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _isolation_works() -> bool:
    """Whether a child can make a namespace of its own (`isolate.isolate`): one fork finds out."""
    uid = confine.next_child_uid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if uid is not None:
                confine.become(uid)
            found = isolate_child()
            code = 0 if all(found.values()) else 1
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _child(  # noqa: PLR0917 - private, one call site
    job_fd: int,
    status_fd: int,
    out_fd: int,
    uid: int | None,
    template: int,
    isolate: bool,
) -> int:
    status = _Status(status_fd)
    try:
        if uid is not None:  # first of all: a uid of its own, no capability (confine.become)
            confine.become(uid)
        found = isolate_child() if isolate else {}
        if not all(found.values()):  # the template's first child could: this one must too
            raise OSError(f"could not isolate the child: {found}")
        status.send({"event": "confined", **confine.status(), **found})  # the grader checks it
    except OSError as exc:
        status.send({"event": "grader_error", "error": f"confine: {exc}"})
        return 0
    # Die with the template (which dies with the grader): set after the uid change, which
    # clears it; a template already gone by then shows as another parent.
    _die_with_parent()
    if os.getppid() != template:
        return 0
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    os.close(devnull)
    sys.dont_write_bytecode = True
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    raw = _read_all(job_fd)
    os.close(job_fd)
    reader = transport.FrameReader()
    messages = reader.feed(raw)
    wire, blobs = messages[0]
    job = Job.from_wire(wire)
    _apply_limits(job.limits or {})
    if job.seccomp in ("require", "try") and (job.seccomp == "require" or seccomp.available()):
        try:
            seccomp.install_filter()
        except OSError as exc:
            status.send({"event": Event.GRADER_ERROR, "error": f"seccomp: {exc}"})
            return 0
    try:
        _run_job(job, blobs, status)
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001, S110 - student code may have broken the streams
            pass
    return 0


def _apply_limits(limits: Mapping[str, int]) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: the parent's deadline still holds
        return

    def cap(which: int, value: int) -> None:
        try:
            _soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    cap(resource.RLIMIT_CORE, 0)
    if "cpu_total" in limits:
        cap(resource.RLIMIT_CPU, int(limits["cpu_total"]))
        _cpu_phase(int(limits.get("cpu_seconds", 1)))
    if "file_bytes" in limits:
        cap(resource.RLIMIT_FSIZE, int(limits["file_bytes"]))
    if "open_files" in limits:
        cap(resource.RLIMIT_NOFILE, int(limits["open_files"]))
    if "memory_bytes" in limits and sys.platform == "linux":
        try:
            baseline = confine.memory_pages() * os.sysconf("SC_PAGE_SIZE")
            cap(resource.RLIMIT_AS, baseline + int(limits["memory_bytes"]))
        except (OSError, ValueError, IndexError):
            pass
    confine.release()


def _cpu_phase(seconds: int) -> None:
    """Let the next phase (import, or one case) use ``seconds`` more CPU before SIGXCPU."""
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime)
        _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = used + seconds + 1
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):
        pass


def _run_job(job: Job, blobs: list[bytes], status: _Status) -> None:
    if job.modules:
        serve_modules(os.path.dirname(job.file), dict(job.modules))
    if job.files and job.sections is not None:
        _run_files(job, blobs, status)
        status.send({"event": Event.DONE})
        return
    directory = _enter(job.file, again=True)
    status.send({"event": Event.IMPORT})
    given = {PROGRESS_NAME: _progress(status)} if job.progress else {}
    try:
        module = import_file(job.module, job.file, job.source, given)
    except BaseException as exc:  # noqa: BLE001 - any failure at import is the student's
        status.send({"event": Event.IMPORT_ERROR, **_describe(exc, directory)})
        return
    if job.sections is not None:
        _run_sections(module, job, blobs, status, directory)
    elif not _answer(module, job.names, job.cases, blobs, status, directory, job):
        return  # a missing name ends a job of one exercise
    status.send({"event": Event.DONE})


def _enter(path: str, *, again: bool = False) -> str:
    """Import from, and run in, the folder of ``path`` (its name, "" for none); a shared
    child's next file in the same folder as the last changes nothing (unless ``again``)."""
    directory = os.path.dirname(path)
    if directory and (again or not sys.path or sys.path[0] != directory):
        sys.path.insert(0, directory)
        chdir(directory)
    return directory


#: the name under which a notebook's driver finds `_progress` (`grader.notebook_driver`)
PROGRESS_NAME = "__ml_lectures_progress__"


def _progress(status: _Status) -> Any:
    """What a notebook's driver calls before each cell, and with None after the last: the
    grader learns on the status pipe which cell a child that hangs or dies was running."""

    def note(number: int | None) -> None:
        try:
            if number is None:
                status.send({"event": Event.CELLS_DONE})
            else:
                status.send({"event": Event.CELL, "n": number})
        except (OSError, ValueError, TypeError):
            pass

    return note


def _run_files(job: Job, blobs: list[bytes], status: _Status) -> None:
    """Answer several exercises, each from a file of its own, imported in turn.

    Each section is announced, then reported like a job of its own (import, imported or an
    import error or a missing name, then its cases). After each file, the modules every file
    relies on must be as they were: a file that patched them would change how the files
    after it behave, so those are left unanswered (the grader runs them in children of
    their own).
    """
    before = shared_state()
    for number, section in enumerate(job.sections or ()):
        status.send({"event": Event.SECTION, "s": number})
        directory = _enter(section.file)
        status.send({"event": Event.IMPORT})
        _cpu_phase(_cpu_seconds(job))
        try:
            module = import_file(section.module, section.file, section.source)
        except BaseException as exc:  # noqa: BLE001 - any failure at import is the student's
            status.send({"event": Event.IMPORT_ERROR, **_describe(exc, directory)})
        else:
            cases = [c for c in job.cases if c.section == number]
            _answer(module, section.names, cases, blobs, status, directory, job)
        if not same_state(before):
            return


def _run_sections(
    module: Any, job: Job, blobs: list[bytes], status: _Status, directory: str
) -> None:
    """Answer several exercises' cases after one run of a notebook's cells.

    Each section (one exercise) is announced, then reported like a job of its own: the
    error of the cell that should have defined one of its names, a missing name, or its
    cases. The cells' exceptions are taken out of the namespace before any case runs.
    """
    errors = vars(module).pop(job.errors_name, None)
    if not isinstance(errors, dict):
        errors = {}
    for number, section in enumerate(job.sections or ()):
        status.send({"event": Event.SECTION, "s": number})
        failed = next(
            (
                errors[cell]
                for name, cell in section.needed
                if not hasattr(module, name) and cell in errors
            ),
            None,
        )
        if failed is not None:
            status.send({"event": Event.IMPORT_ERROR, **_describe(failed, directory)})
            continue
        cases = [c for c in job.cases if c.section == number]
        _answer(module, section.names, cases, blobs, status, directory, job)


def _answer(  # noqa: PLR0917 - private helper of the three ways a job runs
    module: Any,
    names: Sequence[str],
    cases: Sequence[Case],
    blobs: list[bytes],
    status: _Status,
    directory: str,
    job: Job,
) -> bool:
    """An imported module's answers: a missing name (False), or where the function is and
    its cases (True)."""
    missing = next((name for name in names if not hasattr(module, name)), None)
    if missing is not None:
        status.send({"event": Event.MISSING, "name": missing})
        return False
    status.send({"event": Event.IMPORTED, "line": _line_of(module, names[0]) if names else None})
    target = getattr(module, names[0]) if names else None
    cpu_seconds = _cpu_seconds(job)

    def call(_case: Case, function: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        _mark_output(_case.number)
        try:
            return function(*args, **kwargs)
        finally:
            _mark_output(None)

    hooks = Hooks(
        send=status.send,
        call=call,
        frames=lambda exc: _frames(exc, directory),
        attribute=lambda name: getattr(module, name, None),
        begin=lambda case: _cpu_phase(cpu_seconds_of(case, cpu_seconds)),
    )
    run_cases(target, cases, blobs, hooks)
    return True


def _cpu_seconds(job: Job) -> int:
    return int((job.limits or {}).get("cpu_seconds", 1))


def _mark_output(index: int | None) -> None:
    """Mark in the output pipe where a case's output begins, or ends (`case_output`)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S112 - student code may have replaced the streams
            continue
    with contextlib.suppress(OSError):  # descriptor 1 closed or replaced: no marks, no split
        os.write(1, mark(index))


def _line_of(module: Any, name: str) -> int | None:
    try:
        code = getattr(getattr(module, name), "__code__", None)
        return int(code.co_firstlineno) if code is not None else None
    except Exception:  # noqa: BLE001 - student objects may raise on attribute access
        return None


def _describe(exc: BaseException, directory: str) -> Failure:
    return describe(exc, lambda e: _frames(e, directory))


def _frames(exc: BaseException, directory: str) -> list[Frame]:
    """The frames of ``exc`` in the student's folder (all of them if there is none)."""
    try:
        frames = list(traceback.extract_tb(exc.__traceback__))
    except Exception:  # noqa: BLE001 - a hostile traceback must not break the report
        frames = []
    prefix = os.path.join(directory, "") if directory else ""
    return [
        {
            "file": frame.filename,
            "line": frame.lineno or 0,
            "function": frame.name,
            "code": (frame.line or "")[:300],
        }
        for frame in frames
        if not prefix or frame.filename.startswith(prefix)
    ]


if __name__ == "__main__":
    main()
