"""Grade a notebook in a real Jupyter kernel (``grade --kernel``), for IPython-dependent code.

nbclient starts an ``ipykernel`` as a child process of the grader, with resource limits
(address space, file size, CPU time, no core dumps) applied to it, its working directory the
notebook's folder and ``MPLBACKEND=Agg``. The kernel is not in the sandbox (it needs its
sockets), so `grader.cli` runs it only in local mode. Before the first cell it installs a
seccomp filter (no new process, no signal to another; `seccomp.confine_kernel`) and dies
with the grader, so nothing the cells start outlives the grading. Shell escapes (``!cmd``,
``%sx``, ``%pip``, ...) are replaced by no-ops then too; other magics run as in Jupyter. Every code
cell then runs in order with a per-cell timeout and errors allowed, so later definitions
still exist. A cell that times out, kills the kernel or sends one output over the bound of a
message (`grader.kernel_connection`) is named, left out, and the kernel restarts without it.
Each exercise's cases then run in one more cell (`grader.kernel_job.run_job`), which sends
values back through the data-only transport; the comparison happens here, in the grader's
process. Hidden cases run so in a second kernel of their own. Stored outputs are never read.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.errors import UsageError
from grader.execute import ExerciseRun, run_exercise
from grader.model import ExerciseResult
from grader.notebook import CellProblem, Notebook, read_notebook, remap_run, with_message
from grader.plan import ExercisePlan
from grader.sandbox import transport
from grader.sandbox.cases import seconds_of
from grader.sandbox.protocol import Job
from grader.sandbox.runner import Limits, RunResult
from grader.scoring import score_exercise
from grader.untrusted import open_regular

__all__ = ["KernelGrader"]

_ROOT = str(Path(__file__).resolve().parents[1])
#: "(3641.py, line 1)" that IPython adds to a SyntaxError: the cell and line are said anyway
_IPYTHON_FILE = re.compile(r" \(\d+\.py, line \d+\)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_SETUP = """\
def __ml_lectures_setup():
    import sys
    sys.path.insert(0, {root!r})
    from grader.sandbox import seccomp
    seccomp.confine_kernel()  # no new process, and the kernel dies with the grader
    shell = get_ipython()
    shell.system = shell.system_raw = shell.system_piped = lambda *a, **k: None
    shell.getoutput = lambda *a, **k: []
    for name in ("sx", "system", "sc", "pip", "conda", "mamba", "micromamba", "uv"):
        shell.register_magic_function(lambda line: None, "line", name)
    for name in ("bash", "sh", "script", "system", "perl", "ruby", "python2", "python3",
                 "pypy", "writefile"):
        shell.register_magic_function(lambda line, cell: None, "cell", name)
__ml_lectures_setup()
del __ml_lectures_setup
"""


class _Lane:
    """One kernel and the one thread that drives it: nbclient's event loop belongs to the
    thread that first used it, and its client runs one cell at a time."""

    def __init__(self, name: str) -> None:
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"kernel-{name}")
        self.client: Any = None
        self.drops: Any = None  # `grader.kernel_connection.Drops` of the running kernel
        #: cell number -> the error it raised when this lane's kernel last ran the notebook
        self.problems: dict[int, CellProblem] = {}


class KernelGrader:
    """One notebook run in a kernel; each exercise's visible cases run in that kernel.

    Hidden cases run in a second kernel of their own (started only when there are some), as
    the worker gives them a child of their own: the kernel whose output reaches the visible
    feedback never holds a hidden input, and the two groups run side by side.
    """

    mode = "kernel"

    def __init__(self, path: Path) -> None:
        self.notebook: Notebook = read_notebook(path)
        #: cells left out of every kernel (they hung, killed the kernel, or flooded it)
        self.dead: dict[int, CellProblem] = {}
        self._lanes = (_Lane("visible"), _Lane("hidden"))
        self._driver = str(path.resolve().with_name(path.name + ".grader"))

    # -- the grading API (as `grader.notebook_grader.NotebookGrader`) -------------------------

    def grade(self, plan: ExercisePlan, limits: Limits, *, lang: str = "en") -> ExerciseResult:
        """Run one exercise's cases in the kernel and score them here."""
        visible, hidden = (_Runner(self, lane) for lane in self._lanes)
        run = run_exercise(visible, plan, Path(self._driver), limits, source="", hidden=hidden)
        return self._score(plan, run, limits, lang)

    def meta(self) -> dict[str, Any]:
        """What the report says about this notebook."""
        found = {**self._problems(), **self.dead}
        return {
            "path": str(self.notebook.path),
            "code_cells": len(self.notebook.cells),
            "notes": [],
            "cell_problems": [found[n].describe() for n in sorted(found)],
            "cells": [found[n].to_dict() for n in sorted(found)],
        }

    def close(self) -> None:
        """Shut the kernels down and close the event loops nbclient used."""
        for lane in self._lanes:
            with contextlib.suppress(RuntimeError):  # already shut down
                lane.worker.submit(self._close, lane).result()
            lane.worker.shutdown()

    @staticmethod
    def _close(lane: _Lane) -> None:
        _stop_kernel(lane)
        import asyncio

        from jupyter_core.utils import ensure_event_loop

        loop = ensure_event_loop()
        loop.close()
        asyncio.set_event_loop(None)

    def _problems(self) -> dict[int, CellProblem]:
        """The errors the notebook's cells raised (in either kernel; the same notebook)."""
        return {**self._lanes[1].problems, **self._lanes[0].problems}

    # -- the kernel ----------------------------------------------------------------------------

    def _ensure_kernel(self, lane: _Lane, limits: Limits) -> None:
        """Start the lane's kernel and run the notebook's cells in it, leaving out dead cells."""
        while lane.client is None:
            self._start(lane, limits)

    def _start(self, lane: _Lane, limits: Limits) -> None:
        import nbformat
        from nbclient import NotebookClient

        from grader.kernel_connection import BoundedKernelManager, Drops

        cells = [c for c in self.notebook.cells if c.number not in self.dead]
        new_cell = nbformat.v4.new_code_cell
        node = nbformat.v4.new_notebook(  # type: ignore[no-untyped-call]
            cells=[new_cell(_SETUP.format(root=_ROOT))]  # type: ignore[no-untyped-call]
            + [new_cell(c.source) for c in cells]  # type: ignore[no-untyped-call]
        )
        client = NotebookClient(
            node,
            timeout=max(1, int(limits.wall_seconds)),
            startup_timeout=60,
            allow_errors=True,
            interrupt_on_timeout=False,
            kernel_name="python3",
            resources={"metadata": {"path": str(self.notebook.path.parent)}},
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "JPY_"))}
        env["MPLBACKEND"] = "Agg"
        try:
            client.km = BoundedKernelManager(kernel_name="python3", max_message=limits.output_bytes)
            client.start_new_kernel(env=env, stderr=subprocess.DEVNULL)
            drops = Drops(client.start_new_kernel_client())
        except Exception as exc:  # noqa: BLE001 - any start failure is reported the same way
            _shutdown(client)
            raise UsageError(
                msg.t("nb_kernel_failed", error=f"{type(exc).__name__}: {exc}")
            ) from None
        _limit(client, limits)
        _cpu_budget(client, limits.wall_seconds * (len(cells) + 1))
        _cap_output(client, limits.output_kept)
        client.execute_cell(node.cells[0], 0, store_history=False)
        lane.problems = {}
        for index, cell in enumerate(cells, start=1):
            code_cell = node.cells[index]
            kind = _run_cell(client, code_cell, index, drops)
            if kind is not None:
                info: dict[str, Any] = {"seconds": limits.wall_seconds}
                if kind == "output_limit":
                    info = {"bytes": limits.output_bytes, "one_output": True}
                self.dead[cell.number] = CellProblem(cell, kind, info=info)
                _shutdown(client)
                return  # start again without that cell
            problem = _cell_error(cell, code_cell)
            if problem is not None:
                lane.problems[cell.number] = problem
        lane.client, lane.drops = client, drops

    def run_job(self, lane: _Lane, job: Job, blobs: list[bytes], limits: Limits) -> RunResult:
        """Run one job in the lane's kernel, on the lane's thread (the `Template.run` contract,
        for `run_exercise`)."""
        return lane.worker.submit(self._run_job, lane, job, blobs, limits).result()

    def _run_job(self, lane: _Lane, job: Job, blobs: list[bytes], limits: Limits) -> RunResult:
        import nbformat
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        self._ensure_kernel(lane, limits)
        client = lane.client
        result = RunResult()
        handle, job_path = tempfile.mkstemp(prefix="ml-lectures-job-")
        os.write(handle, transport.message(job.to_wire(), blobs))
        os.close(handle)
        handle, out_path = tempfile.mkstemp(prefix="ml-lectures-out-")
        os.close(handle)
        cells = [(c.number, c.offset, c.source) for c in self.notebook.cells]
        code = (
            f"__import__('sys').path.insert(0, {_ROOT!r})\n"
            "from grader.kernel_job import run_job as __ml_lectures_job\n"
            f"__ml_lectures_job({job_path!r}, {out_path!r}, {cells!r}, "
            f"{str(self.notebook.path)!r}, {float(limits.wall_seconds)!r})\n"
            "del __ml_lectures_job\n"
        )
        cell = nbformat.v4.new_code_cell(code)  # type: ignore[no-untyped-call]
        # the import's wall, and each case's own (its time limit, else the wall)
        seconds = limits.wall_seconds + sum(seconds_of(c, limits.wall_seconds) for c in job.cases)
        client.timeout = int(seconds) + 5
        _cpu_budget(client, seconds)
        client.nb.cells.append(cell)
        try:
            client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
        except CellTimeoutError:
            result.killed = "timeout"
        except DeadKernelError:
            result.signal = 9
        finally:
            if client.nb.cells and client.nb.cells[-1] is cell:
                client.nb.cells.pop()
            with contextlib.suppress(OSError):
                os.unlink(job_path)
        if result.killed or result.signal is not None or lane.drops.dropped():
            _stop_kernel(lane)  # the next job starts a fresh kernel (and connection)
        try:
            # the kernel could have replaced its output file (a FIFO, a link to a host file)
            with open_regular(out_path) as fh:
                data = fh.read(transport.MAX_FRAME * 8)
        except OSError:
            data = b""
        finally:
            with contextlib.suppress(OSError):
                os.unlink(out_path)
        try:
            result.messages = transport.FrameReader().feed(data)
        except transport.TransportError as exc:
            result.protocol_error = str(exc)
            result.killed = result.killed or "protocol"
        finished = any(m.get("event") == "done" for m, _ in result.messages)
        if not finished and not result.killed and result.signal is None:
            result.killed = "timeout"  # run_job stopped at a case's alarm
        answered = {m.get("i") for m, _ in result.messages if m.get("event") != "case"}
        for message, _ in result.messages:
            if message.get("event") == "case" and message.get("i") not in answered:
                index = message.get("i")
                result.running_case = index if isinstance(index, int) else None
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if error is not None and not result.messages:
            result.protocol_error = str(error.get("evalue", ""))[:200]
            result.killed = "protocol"
        return result

    # -- scoring -------------------------------------------------------------------------------

    def _score(
        self, plan: ExercisePlan, run: ExerciseRun, limits: Limits, lang: str
    ) -> ExerciseResult:

        notebook = self.notebook
        remap_run(notebook, run)
        result = score_exercise(plan, run, notebook.path, lang=lang)
        message = ""
        if run.error == "missing_function":
            name = str(run.info.get("name", ""))
            cell = notebook.defining(name)
            if cell is None:
                message = msg.t("nb_no_cell_defines", file=msg.shown_path(notebook.path), name=name)
            elif cell.number in self.dead:
                message = msg.t("nb_left_out", problem=self.dead[cell.number].describe(), name=name)
            elif cell.number in self._problems():
                message = msg.t(
                    "nb_not_defined_because",
                    problem=self._problems()[cell.number].describe(),
                    name=name,
                )
        del limits
        return with_message(result, run, message)


class _Runner:
    """Looks like a `Template` to `run_exercise`: each job runs in the notebook's kernel."""

    def __init__(self, grader: KernelGrader, lane: _Lane) -> None:
        self._grader = grader
        self._lane = lane

    def run(self, job: Job, blobs: list[bytes], limits: Limits) -> RunResult:
        return self._grader.run_job(self._lane, job, blobs, limits)


def _stop_kernel(lane: _Lane) -> None:
    client, lane.client = lane.client, None
    if client is not None:
        _shutdown(client)


def _run_cell(client: Any, cell: Any, index: int, drops: Any) -> str | None:
    """Run one notebook cell; what stopped it, if anything: "timeout", "kernel_died", or
    "output_limit" (the connection refused a message over its bound, `Drops`)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    kind = None
    try:
        client.execute_cell(cell, index)
    except DeadKernelError:
        return "kernel_died"
    except CellTimeoutError:
        kind = "timeout"
    if drops.dropped():  # the kernel ending closes its connection too
        return "output_limit" if _alive(client) else "kernel_died"
    return kind


def _alive(client: Any) -> bool:
    """Whether the kernel process is still running (a moment after its connection closed)."""
    try:
        client.km.provisioner.process.wait(timeout=0.5)
    except (subprocess.TimeoutExpired, AttributeError):  # running, or not a local process
        return True
    return False


def _cell_error(cell: Any, executed: Any) -> CellProblem | None:
    for output in executed.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        line = None
        count = executed.get("execution_count")
        for text in output.get("traceback", []):
            plain = _ANSI.sub("", str(text))
            for match in re.finditer(r"Cell In\[(\d+)\], line (\d+)", plain):
                if count is None or int(match.group(1)) == count:
                    line = int(match.group(2))
        return CellProblem(
            cell,
            "exception",
            str(output.get("ename", ""))[:200],
            _IPYTHON_FILE.sub("", str(output.get("evalue", "")))[:500],
            line,
        )
    return None


def _cap_output(client: Any, budget: int) -> None:
    """Keep at most ``budget`` bytes of a kernel's outputs in the grader's memory.

    Outputs are never graded; they are only kept so that nbclient can track errors. A cell
    that floods its output must not fill the grader's memory before its timeout.
    """
    original = client.output
    seen = [0]

    def output(outs: Any, msg: dict[str, Any], display_id: Any, cell_index: int) -> Any:
        content = msg.get("content", {})
        if msg.get("msg_type") != "error":
            seen[0] += len(str(content.get("text", ""))) + len(str(content.get("data", "")))
            if seen[0] > budget:
                return None
        return original(outs, msg, display_id, cell_index)

    client.output = output


def _limit(client: Any, limits: Limits) -> None:
    """Apply the sandbox's resource limits to the kernel process."""
    if sys.platform != "linux":
        return
    import resource

    try:
        pid = client.km.provisioner.process.pid
        with open(f"/proc/{pid}/statm") as fh:
            baseline = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return
    for which, value in (
        (resource.RLIMIT_AS, baseline + limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_CORE, 0),
    ):
        with contextlib.suppress(OSError, ValueError):
            resource.prlimit(pid, which, (value, value))


def _cpu_budget(client: Any, seconds: float) -> None:
    """Let the kernel use ``seconds`` more CPU time before SIGXCPU stops it (``RLIMIT_CPU``):
    threads can burn CPU faster than the cells' wall-clock time limits run out."""
    if sys.platform != "linux":
        return
    import math
    import resource

    try:
        pid = client.km.provisioner.process.pid
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        _soft, hard = resource.prlimit(pid, resource.RLIMIT_CPU)
        soft = math.ceil(used + seconds) + 1
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.prlimit(pid, resource.RLIMIT_CPU, (soft, hard))
    except (AttributeError, OSError, ValueError, IndexError):
        return


def _shutdown(client: Any) -> None:
    client.shutdown_kernel = "immediate"
    with contextlib.suppress(Exception):
        if client.km is not None:
            client._cleanup_kernel()  # nbclient's own synchronous shutdown
