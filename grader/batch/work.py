"""Work: grade one submission's bundle with the core, and return the result as plain data.

`Course` is what every submission of a batch is graded against — the rubrics, their plans
(inputs and expected values, made once per batch, hidden cases included) and a hash of it all.
`Grader` writes a bundle to a temporary folder, grades it with `grade_submission` in a warm
`Template`, and returns a dict: the outcome (``graded``, ``refused`` — the student's archive was
unsafe — or ``grader_error``, re-runnable and never a zero) and the report's `to_dict()`.
"""

from __future__ import annotations

import hashlib
import queue
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import __version__
from grader import messages as msg
from grader.batch.discover import ArchiveLimits, Bundle, Entry, Refused, fingerprint, load_bundle
from grader.errors import GraderError, UsageError
from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.plan import ExercisePlan, plan_exercise
from grader.rubric import Rubric, load_rubrics, text_of
from grader.sandbox.runner import Template

__all__ = [
    "GRADED",
    "GRADER_ERROR",
    "REFUSED",
    "Course",
    "Grader",
    "grader_error_result",
    "load_course",
    "prepare",
    "refused_result",
]

GRADED = "graded"
REFUSED = "refused"
GRADER_ERROR = "grader_error"


@dataclass(frozen=True)
class Course:
    """The rubrics a batch grades against, with their plans made once."""

    rubrics: list[Rubric]
    plans: list[ExercisePlan]
    solutions: Path | None
    #: changes whenever a rubric, a reference solution or the grader's version changes
    rubric_hash: str

    @property
    def files(self) -> set[str]:
        """The exercise file names students submit."""
        return {r.file for r in self.rubrics}


def load_course(rubrics_dir: Path, solutions: Path | None, *, use_cache: bool = True) -> Course:
    """Load and plan every rubric (hidden cases included: batch grading is the instructor's)."""
    rubrics = load_rubrics(rubrics_dir, use_cache=use_cache)
    plans = [plan_exercise(r, solutions, include_hidden=True) for r in rubrics]
    digest = hashlib.sha256(__version__.encode())
    for rubric in rubrics:
        digest.update(rubric.id.encode() + b"\0" + rubric.digest.encode())
    if solutions is not None:  # references and anything else rubrics read from there
        for path in sorted(solutions.rglob("*")):
            rel = path.relative_to(solutions)
            if path.is_file() and "__pycache__" not in rel.parts:
                digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes())
    return Course(rubrics, plans, solutions, digest.hexdigest())


def prepare(entry: Entry, course: Course, limits: ArchiveLimits | None = None) -> Bundle | str:
    """The entry's checked bundle, or the refusal message for the student."""
    try:
        return load_bundle(entry, course.files, limits)
    except Refused as exc:
        return msg.t("batch_refused", reason=exc.message)


def _base(entry: Entry, course: Course, content_hash: str) -> dict[str, Any]:
    return {
        "student": entry.student,
        "entry": entry.name,
        "kind": entry.kind,
        "content_hash": content_hash,
        "rubric_hash": course.rubric_hash,
        "grader_version": __version__,
        "started": time.time(),
        "finished": None,
        "outcome": GRADER_ERROR,
        "score": None,
        "max_score": sum(r.max_score for r in course.rubrics),
        "message": "",
        "report": None,
    }


def refused_result(entry: Entry, course: Course, content_hash: str, message: str) -> dict[str, Any]:
    """A refused submission scores 0 with the reason on every case, so the student sees it."""
    result = _base(entry, course, content_hash)
    exercises = []
    for plan in course.plans:
        rubric = plan.rubric
        cases = tuple(
            CaseResult(
                name=case.spec.name,
                outcome=Outcome.ERRORED,
                score=0.0,
                max_score=case.spec.points,
                message=message,
                category=case.spec.category,
                hidden=case.spec.hidden,
                reason=REFUSED,
            )
            for case in plan.cases
        )
        exercises.append(
            ExerciseResult(
                rubric.id, text_of(rubric.title) or rubric.id, rubric.file, cases, message
            )
        )
    report = GradeReport(
        submission=entry.name,
        exercises=tuple(exercises),
        include_hidden=True,
        grader_version=__version__,
        meta={"student": entry.student, "refused": message},
    )
    result.update(
        outcome=REFUSED,
        score=0.0,
        message=message,
        report=report.to_dict(),
        finished=time.time(),
    )
    return result


def grader_error_result(
    entry: Entry, course: Course, content_hash: str, error: str
) -> dict[str, Any]:
    """A failure on the grader's side: recorded, re-run next time, never a zero."""
    result = _base(entry, course, content_hash)
    result.update(message=error[:2000], finished=time.time())
    return result


class Grader:
    """Grades bundles against one course with one warm template (thread-safe)."""

    def __init__(
        self,
        course: Course,
        workdir: Path | None = None,
        exercise_jobs: int = 1,
        *,
        sandbox: str = "auto",
    ) -> None:
        self.course = course
        #: ``auto``, ``secure`` or ``local`` (see `grader.sandbox.secure`); secure mode shows
        #: the children no submission at all: each job carries its own files' text
        self.sandbox = sandbox
        #: why ``auto`` grades in local mode ("" when it does not)
        self.fallback = ""
        self.workdir = workdir
        self.exercise_jobs = exercise_jobs
        self._template: Template | None = None
        self._lock = threading.Lock()
        self._closed = False

    def template(self) -> Template:
        """The warm template, started on first use (again after it died)."""
        with self._lock:
            if self._closed:
                raise GraderError("grading was stopped")
            if self._template is None:
                self._template = _start_template(self.sandbox)
                self.fallback = self._template.fallback
                _Demoter(self._template).start()
            return self._template

    def _restart(self, dead: Template) -> None:
        with self._lock:
            if self._template is dead:
                self._template = None
                dead.close()

    def close(self) -> None:
        """Stop the template (children in flight are killed)."""
        with self._lock:
            self._closed = True
            template, self._template = self._template, None
        if template is not None:
            template.close()

    def grade_entry(
        self, entry: Entry, content_hash: str | None = None, limits: ArchiveLimits | None = None
    ) -> dict[str, Any]:
        """Read and grade one entry of SUBMISSIONS (hashing it unless the hash is given)."""
        if content_hash is None:
            content_hash = fingerprint(entry, limits)
        bundle = prepare(entry, self.course, limits)
        if isinstance(bundle, str):
            return refused_result(entry, self.course, content_hash, bundle)
        return self.grade(entry, bundle, content_hash)

    def grade(self, entry: Entry, bundle: Bundle, content_hash: str) -> dict[str, Any]:
        """Grade a checked bundle; every failure of the grader becomes a re-runnable result."""
        from grader.grading import grade_submission, locate_submission

        result = _base(entry, self.course, content_hash)
        folder = Path(tempfile.mkdtemp(prefix="grade-batch-", dir=self.workdir))
        try:
            target = _write(bundle, folder)
            template = self.template()
            try:
                submission = locate_submission(target, self.course.rubrics)
                report = grade_submission(
                    submission,
                    self.course.rubrics,
                    self.course.solutions,
                    template,
                    include_hidden=True,
                    lang=msg.get_language(),
                    jobs=self.exercise_jobs,
                    plans=self.course.plans,
                )
            except UsageError as exc:  # the submission itself is malformed (e.g. a notebook)
                message = msg.t("batch_refused", reason=str(exc)[:500])
                return dict(
                    _scrub(
                        refused_result(entry, self.course, content_hash, message),
                        folder,
                        entry.name,
                    )
                )
            except GraderError as exc:
                if _dead(template):
                    # Every submission in flight failed with the template; which one killed
                    # it is unknown, so each is graded again alone (`run_local`).
                    self._restart(template)
                    result["retry_alone"] = True
                result.update(message=str(exc)[:2000], finished=time.time())
                return dict(_scrub(result, folder, entry.name))
            data = report.to_dict()
            data["submission"] = entry.name
            data["meta"] = {**data.get("meta", {}), "student": entry.student}
            failed = [
                case["message"]
                for exercise in data["exercises"]
                for case in exercise["cases"]
                if case.get("reason") == "grader_error"
            ]
            result.update(
                outcome=GRADER_ERROR if failed else GRADED,
                score=None if failed else report.score,
                max_score=report.max_score,
                message=failed[0] if failed else "",
                report=data,
                finished=time.time(),
            )
            return dict(_scrub(result, folder, entry.name))
        except Exception as exc:  # noqa: BLE001 - one submission's grader bug costs it only
            result.update(message=f"{type(exc).__name__}: {exc}"[:2000], finished=time.time())
            return result
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _write(bundle: Bundle, folder: Path) -> Path:
    for rel, data in bundle.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if bundle.kind == "ipynb":
        return folder / next(iter(bundle.files))
    return folder


def _dead(template: Template) -> bool:
    return bool(getattr(template, "_dead", "")) or template._proc.poll() is not None


def _start_template(mode: str) -> Template:
    """Start a template (detached in secure mode) from a thread that lives as long as the
    process, and wait until it is ready.

    The template dies with the thread that started it (Linux's parent-death signal is
    per thread), and pool threads come and go.
    """
    from grader.sandbox import secure

    box: queue.Queue[Template | BaseException] = queue.Queue()

    def hold() -> None:
        try:
            box.put(secure.settle(secure.start(mode, None), mode))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box.put(exc)
            return
        threading.Event().wait()

    threading.Thread(target=hold, name="grade-template", daemon=True).start()
    got = box.get()
    if isinstance(got, BaseException):
        raise got
    return got


def _scrub(value: Any, folder: Path, name: str) -> Any:
    """Show paths inside the temporary folder as paths inside the submission."""
    import os

    real = str(folder.resolve())
    pairs = [(real + os.sep, "")]
    try:
        rel = os.path.relpath(real)
        pairs.append((rel + os.sep, ""))
    except ValueError:
        rel = ""
    pairs += [(real, name)] + ([(rel, name)] if rel else [])
    pairs.sort(key=lambda pair: -len(pair[0]))  # "../../tmp/x/" before "/tmp/x/"

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            for old, new in pairs:
                if old in item:
                    item = item.replace(old, new)
            return item
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(value)


class _Demoter(threading.Thread):
    """Moves children that have used more CPU than any correct answer needs to SCHED_IDLE.

    A submission stuck in a loop still gets its full wall-clock time limit (the verdict is
    the same), but it only runs when a core would otherwise be idle, so it no longer slows
    the other students' grading down. A shared child answering several exercises may use
    the allowance once per file it imports, unless its current case (or import) has been
    running for `PHASE_SECONDS`: so six correct files never add up to a demotion, and a
    loop in one is still caught within about a second. Linux only; elsewhere this does
    nothing.
    """

    CPU_SECONDS = 0.5
    PHASE_SECONDS = 1.0
    POLL_SECONDS = 0.1

    def __init__(self, template: Template) -> None:
        super().__init__(name="grade-demoter", daemon=True)
        self.template = template
        self.demoted: set[int] = set()
        #: children demoted so far
        self.count = 0

    def run(self) -> None:
        import os
        import sys

        if sys.platform != "linux" or not hasattr(os, "SCHED_IDLE"):
            return
        ticks = os.sysconf("SC_CLK_TCK")
        root = self.template.host_pid()
        while self.template._proc.poll() is None:
            time.sleep(self.POLL_SECONDS)
            if root is None:  # the template itself must never be demoted: its forks inherit it
                root = self.template.host_pid()
                continue
            alive = set()
            for pid in _descendants(root):
                alive.add(pid)
                if pid in self.demoted:
                    continue
                try:
                    with open(f"/proc/{pid}/stat", "rb") as fh:
                        fields = fh.read().rsplit(b")", 1)[1].split()
                    used = (int(fields[11]) + int(fields[12])) / ticks
                    if used < self.CPU_SECONDS:
                        continue
                    files, started = self._phase(pid)
                    phase = time.monotonic() - started
                    if used < self.CPU_SECONDS * files and phase < self.PHASE_SECONDS:
                        continue
                    for tid in os.listdir(f"/proc/{pid}/task"):
                        os.sched_setscheduler(int(tid), os.SCHED_IDLE, os.sched_param(0))
                except (OSError, ValueError, IndexError):
                    continue
                self.demoted.add(pid)
                self.count += 1
            self.demoted &= alive

    def _phase(self, pid: int) -> tuple[int, float]:
        """How many files the child ``pid`` (a host pid) imports, and when its current phase
        began, as its template counts (one file, and long ago, if unknown)."""
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("NSpid:"):  # the last pid is the template's view
                        inner = int(line.split()[-1])
                        files = self.template.files_per_child.get(inner, 1)
                        return files, self.template.phase_started.get(inner, 0.0)
        except (OSError, ValueError, IndexError):
            pass
        return 1, 0.0


def _descendants(root: int) -> list[int]:
    """Every process below ``root`` (via /proc/PID/task/TID/children)."""
    import os

    found: list[int] = []
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except (OSError, ValueError):
                continue
            found.extend(kids)
            stack.extend(kids)
    return found
