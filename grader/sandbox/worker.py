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
import math
import os
import select
import signal
import socket
import sys
import traceback
from typing import Any

import numpy as np

from grader.sandbox import confine, seccomp, transport
from grader.sandbox.callables import CALLABLES
from grader.sandbox.case_output import mark
from grader.sandbox.isolate import isolate as isolate_child
from grader.sandbox.loader import (
    chdir,
    import_file,
    same_state,
    serve_modules,
    shared_state,
)

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
    job, blobs = messages[0]
    _apply_limits(job.get("limits", {}))
    if job.get("seccomp") in ("require", "try") and (
        job["seccomp"] == "require" or seccomp.available()
    ):
        try:
            seccomp.install_filter()
        except OSError as exc:
            status.send({"event": "grader_error", "error": f"seccomp: {exc}"})
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


def _apply_limits(limits: dict[str, Any]) -> None:
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


def decode_arg(tagged: dict[str, Any], blobs: list[bytes]) -> Any:
    """An argument as the student's function receives it, from its tagged transport form."""
    kind = tagged.get("t")
    if kind == "py":
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
    if kind == "str":
        return tagged["v"]
    raise ValueError(f"unknown argument tag {kind!r}")


def _run_job(job: dict[str, Any], blobs: list[bytes], status: _Status) -> None:
    modules = job.get("modules")
    if isinstance(modules, dict) and modules:
        serve_modules(os.path.dirname(str(job.get("file", ""))), modules)
    if job.get("files") and isinstance(job.get("sections"), list):
        _run_files(job, blobs, status)
        status.send({"event": "done"})
        return
    path = job["file"]
    directory = os.path.dirname(path)
    if directory:
        sys.path.insert(0, directory)
        chdir(directory)
    status.send({"event": "import"})
    given = {PROGRESS_NAME: _progress(status)} if job.get("progress") else {}
    try:
        module = import_file(job["module"], path, job.get("source"), given)
    except BaseException as exc:  # noqa: BLE001 - any failure at import is the student's
        status.send({"event": "import_error", **_describe(exc, directory)})
        return
    cpu_seconds = int(job.get("limits", {}).get("cpu_seconds", 1))
    sections = job.get("sections")
    if isinstance(sections, list):
        _run_sections(module, job, blobs, status, directory, sections)
        status.send({"event": "done"})
        return
    names = job.get("names") or []
    for name in names:
        if not hasattr(module, name):
            status.send({"event": "missing", "name": name})
            return
    status.send({"event": "imported", "line": _line_of(module, names[0]) if names else None})
    target = getattr(module, names[0]) if names else None
    _run_cases(target, module, job["cases"], blobs, status, directory, cpu_seconds)
    status.send({"event": "done"})


#: the name under which a notebook's driver finds `_progress` (`grader.notebook_driver`)
PROGRESS_NAME = "__ml_lectures_progress__"


def _progress(status: _Status) -> Any:
    """What a notebook's driver calls before each cell, and with None after the last: the
    grader learns on the status pipe which cell a child that hangs or dies was running."""

    def note(number: int | None) -> None:
        try:
            if number is None:
                status.send({"event": "cells_done"})
            else:
                status.send({"event": "cell", "n": number})
        except (OSError, ValueError, TypeError):
            pass

    return note


def _run_files(job: dict[str, Any], blobs: list[bytes], status: _Status) -> None:
    """Answer several exercises, each from a file of its own, imported in turn.

    Each section is announced, then reported like a job of its own (import, imported or an
    import error or a missing name, then its cases). After each file, the modules every file
    relies on must be as they were: a file that patched them would change how the files
    after it behave, so those are left unanswered (the grader runs them in children of
    their own).
    """
    cpu_seconds = int(job.get("limits", {}).get("cpu_seconds", 1))
    before = shared_state()
    for number, section in enumerate(job["sections"]):
        status.send({"event": "section", "s": number})
        path = str(section["file"])
        directory = os.path.dirname(path)
        if directory and (not sys.path or sys.path[0] != directory):
            sys.path.insert(0, directory)
            chdir(directory)
        status.send({"event": "import"})
        _cpu_phase(cpu_seconds)
        try:
            module = import_file(str(section["module"]), path, section.get("source"))
        except BaseException as exc:  # noqa: BLE001 - any failure at import is the student's
            status.send({"event": "import_error", **_describe(exc, directory)})
            module = None
        if module is not None:
            names = section.get("names") or []
            missing = next((name for name in names if not hasattr(module, name)), None)
            if missing is not None:
                status.send({"event": "missing", "name": missing})
            else:
                line = _line_of(module, names[0]) if names else None
                status.send({"event": "imported", "line": line})
                target = getattr(module, names[0]) if names else None
                cases = [c for c in job["cases"] if c.get("s") == number]
                _run_cases(target, module, cases, blobs, status, directory, cpu_seconds)
        if not same_state(before):
            return


def _run_sections(  # noqa: PLR0917 - private helper of _run_job
    module: Any,
    job: dict[str, Any],
    blobs: list[bytes],
    status: _Status,
    directory: str,
    sections: list[Any],
) -> None:
    """Answer several exercises' cases after one run of a notebook's cells.

    Each section (one exercise) is announced, then reported like a job of its own: the
    error of the cell that should have defined one of its names, a missing name, or its
    cases. The cells' exceptions are taken out of the namespace before any case runs.
    """
    errors = vars(module).pop(str(job.get("errors_name", "")), None)
    if not isinstance(errors, dict):
        errors = {}
    cpu_seconds = int(job.get("limits", {}).get("cpu_seconds", 1))
    for number, section in enumerate(sections):
        status.send({"event": "section", "s": number})
        failed = None
        for name, cell in section.get("needed", []):
            if not hasattr(module, name) and cell in errors:
                failed = errors[cell]
                break
        if failed is not None:
            status.send({"event": "import_error", **_describe(failed, directory)})
            continue
        names = section.get("names") or []
        missing = next((name for name in names if not hasattr(module, name)), None)
        if missing is not None:
            status.send({"event": "missing", "name": missing})
            continue
        status.send({"event": "imported", "line": _line_of(module, names[0]) if names else None})
        target = getattr(module, names[0]) if names else None
        cases = [c for c in job["cases"] if c.get("s") == number]
        _run_cases(target, module, cases, blobs, status, directory, cpu_seconds)


def _run_cases(  # noqa: PLR0917 - private helper of _run_job
    target: Any,
    module: Any,
    cases: list[dict[str, Any]],
    blobs: list[bytes],
    status: _Status,
    directory: str,
    cpu_seconds: int,
) -> None:
    for case in cases:
        index = case["i"]
        status.send({"event": "case", "i": index})
        own = case.get("time_limit")
        _cpu_phase(max(1, math.ceil(own)) if isinstance(own, int | float) else cpu_seconds)
        if case.get("attribute"):
            out_blobs: list[bytes] = []
            value = getattr(module, case["attribute"], None)
            status.send(
                {"event": "result", "i": index, "value": transport.encode_value(value, out_blobs)},
                out_blobs,
            )
            continue
        args = [decode_arg(a, blobs) for a in case.get("args", [])]
        kwargs = {k: decode_arg(v, blobs) for k, v in case.get("kwargs", {}).items()}
        _mark_output(index)
        try:
            if target is None:
                raise TypeError("the rubric names no function for this case")
            value = target(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - report everything the student raised
            _mark_output(None)
            status.send({"event": "exception", "i": index, **_describe(exc, directory)})
            continue
        _mark_output(None)
        out_blobs = []
        tagged = transport.encode_value(value, out_blobs)
        inputs = {}
        for position, arg in enumerate(args):
            if isinstance(arg, np.ndarray):
                inputs[str(position)] = transport.encode_value(arg, out_blobs)
        for key, arg in kwargs.items():
            if isinstance(arg, np.ndarray):
                inputs[key] = transport.encode_value(arg, out_blobs)
        status.send(
            {"event": "result", "i": index, "value": tagged, "inputs": inputs},
            out_blobs,
        )


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


def _describe(exc: BaseException, directory: str) -> dict[str, Any]:
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__
        text = "<unprintable>"
    kind = type(exc)
    info: dict[str, Any] = {
        "type": getattr(kind, "__qualname__", "Exception"),
        "text": text[:2000],
        "frames": [],
    }
    if isinstance(exc, SystemExit):
        info["exit"] = True
    if isinstance(exc, MemoryError):  # NumPy raises a subclass
        info["memory"] = True
    if isinstance(exc, SyntaxError):
        info["frames"].append(
            {
                "file": exc.filename or "",
                "line": exc.lineno or 0,
                "function": "",
                "code": (exc.text or "").rstrip("\n")[:300],
            }
        )
        info["text"] = exc.msg
    try:
        frames = list(traceback.extract_tb(exc.__traceback__))
    except Exception:  # noqa: BLE001 - a hostile traceback must not break the report
        frames = []
    prefix = os.path.join(directory, "") if directory else ""
    for frame in frames:
        if prefix and not frame.filename.startswith(prefix):
            continue
        info["frames"].append(
            {
                "file": frame.filename,
                "line": frame.lineno or 0,
                "function": frame.name,
                "code": (frame.line or "")[:300],
            }
        )
    info["frames"] = info["frames"][-5:]
    return info


if __name__ == "__main__":
    main()
