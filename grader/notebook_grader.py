"""Grade the exercises a notebook defines, without a kernel (the default mode).

A notebook is one program, so its cells run once per child, in one namespace. One child runs
the cells and answers the visible cases of every exercise the notebook grades; it also learns
which cells raise, and names a cell that hangs, exits or crashes (that cell is then left out,
and the child runs again), so such a cell costs one timeout for the whole notebook; after
`MAX_LEFT_OUT` such cells, the notebook as a whole takes the verdict (cells that each take a
little, together past the limit, would otherwise cost one run per cell). Another
child answers every hidden case (a child that answers visible cases never holds a hidden
input). Their answers are split by exercise and read by `grader.execute.run_exercise` as if
from the exercise's own child: a case that stops a shared child costs that case only, the
remaining cases running in children of their own. Exercises with other limits (and any left
unanswered) run as before: a survey child, then one child per exercise and per visible or
hidden group. Answers are scored here, in the grader's process. Messages name the cell
(number and first line) and the line in it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from grader import messages as msg
from grader.errors import InternalError, UsageError
from grader.execute import ExerciseRun, Runner, death_reason, run_exercise
from grader.model import ExerciseResult
from grader.notebook import CellProblem, Notebook, read_notebook, remap_run, with_message
from grader.notebook_driver import (
    ERRORS_NAME,
    SURVEY_NAME,
    driver_source,
    last_cell,
    parse_survey,
)
from grader.plan import ExercisePlan, PlannedCase
from grader.rubric import Rubric
from grader.sandbox import transport
from grader.sandbox.protocol import Case, Job, Section, build_job, combine, encode_job
from grader.sandbox.runner import Limits, RunResult, Template
from grader.scoring import score_exercise
from grader.shared import Replay, split_sections

if TYPE_CHECKING:
    from grader.grading import Submission

__all__ = [
    "NotebookGrader",
    "assign_notebooks",
    "expect_exercises",
    "needed_names",
    "notebook_meta",
]

_DEATHS = frozenset(
    {"import_timeout", "timeout", "exited", "crashed", "cpu_limit", "output_limit", "protocol"}
)
#: cells left out at most for stopping the child (a hang, an exit, a crash): each one costs a
#: run of every cell before it, up to a time limit. Past it the notebook as a whole stops the
#: child, and every exercise it grades gets that verdict without running again (cells that
#: each sleep a little, together past the limit, otherwise cost one run per cell: hours)
MAX_LEFT_OUT = 4


class Grader(Protocol):
    """What grading needs from a notebook, with or without a kernel."""

    mode: str
    notebook: Notebook

    def grade(self, plan: ExercisePlan, limits: Limits, *, lang: str = "en") -> ExerciseResult:
        """Grade one exercise from the notebook."""
        ...

    def meta(self) -> dict[str, Any]:
        """What the report says about the notebook."""
        ...

    def close(self) -> None:
        """Release what grading held (a kernel)."""
        ...


def needed_names(plan: ExercisePlan) -> tuple[str, ...]:
    """The names an exercise looks up in the student's namespace."""
    return _names(plan.rubric)


def _names(rubric: Rubric) -> tuple[str, ...]:
    names = [rubric.function] if rubric.function else []
    for case in rubric.cases:
        if case.attribute and case.attribute not in names:
            names.append(case.attribute)
    return tuple(names)


def assign_notebooks(
    submission: Submission, rubrics: list[Rubric], template: Template | None, *, kernel: bool
) -> tuple[dict[str, Grader], list[str]]:
    """Which notebook grades which exercise (by rubric id), and notes on the choices made.

    A notebook given as the submission grades every exercise. In a folder, the grader grades
    what the student worked on (`grader.stubs`): the exercise's ``.py`` file when it is worked
    on, else the last notebook (by name) whose definition is; a notebook also grades an
    exercise whose ``.py`` file is missing. When both are worked on, the ``.py`` file wins;
    the notes say so, and say when a notebook was graded because the ``.py`` file is a stub.
    """
    from grader.stubs import untouched, untouched_file

    single = submission.path.suffix == ".ipynb"
    if not rubrics or not submission.notebooks:
        return {}, []
    # a notebook that cannot be read is an error only where no worked .py file stands in
    needed = single or any(
        not (submission.folder / r.file).is_file()
        or untouched_file(submission.folder / r.file, _names(r))
        for r in rubrics
    )
    graders: list[Grader] = []
    notes: list[str] = []
    for path in submission.notebooks:
        try:
            graders.append(_grader(path, template, kernel=kernel, raw=submission.texts.get(path)))
        except UsageError as exc:
            if needed:
                raise
            notes.append(msg.t("nb_not_read", error=str(exc)))

    def worked(grader: Grader, names: tuple[str, ...]) -> bool:
        cells = [(n, grader.notebook.defining(n)) for n in names]
        return any(c is not None and not untouched(c.code, [n]) for n, c in cells)

    assigned: dict[str, Grader] = {}
    both: dict[str, list[str]] = {}
    for rubric in rubrics:
        names = _names(rubric)
        if single:
            defining = [g for g in graders if any(g.notebook.defining(n) for n in names)]
            assigned[rubric.id] = defining[-1] if defining else graders[0]
            continue
        py = submission.folder / rubric.file
        in_notebooks = [g for g in graders if worked(g, names)]
        if py.is_file() and not untouched_file(py, names):
            if in_notebooks:
                both.setdefault(in_notebooks[-1].notebook.path.name, []).append(rubric.file)
            continue
        if in_notebooks:
            assigned[rubric.id] = in_notebooks[-1]
            if py.is_file():
                notes.append(
                    msg.t(
                        "nb_graded_stub",
                        notebook=in_notebooks[-1].notebook.path.name,
                        file=rubric.file,
                    )
                )
        elif not py.is_file():
            defining = [g for g in graders if any(g.notebook.defining(n) for n in names)]
            if defining:
                assigned[rubric.id] = defining[-1]
    for notebook, files in both.items():
        notes.append(msg.t("nb_py_wins", notebook=notebook, files=", ".join(files)))
    return assigned, notes


def _grader(
    path: Path, template: Template | None, *, kernel: bool, raw: bytes | None = None
) -> Grader:
    if kernel:
        from grader.kernel import KernelGrader

        if raw is not None:
            raise InternalError("a notebook held in memory cannot run in a kernel")
        return KernelGrader(path)
    if template is None:
        raise InternalError("no child template for a notebook")
    return NotebookGrader(path, template, raw)


def expect_exercises(graders: dict[str, Grader], plans: list[tuple[ExercisePlan, Limits]]) -> None:
    """Tell each notebook (run without a kernel) which exercises it will grade."""
    for grader in {id(g): g for g in graders.values()}.values():
        if isinstance(grader, NotebookGrader):
            grader.expect([(p, lim) for p, lim in plans if graders.get(p.rubric.id) is grader])


def notebook_meta(graders: dict[str, Grader], *, close: bool = False) -> dict[str, Any]:
    """The report's ``meta`` for notebook submissions: which mode ran, and what was noticed."""
    unique = list({id(g): g for g in graders.values()}.values())
    if close:
        for grader in unique:
            grader.close()
    modes = sorted({g.mode for g in unique})
    described = [g.meta() for g in unique]
    notes = [msg.t("nb_mode_kernel" if m == "kernel" else "nb_mode_python") for m in modes]
    for item in described:
        notes.extend(item["notes"])
        notes.extend(item["cell_problems"])
    return {
        "notebook_mode": modes[0] if len(modes) == 1 else ",".join(modes),
        "notebooks": described,
        "notes": notes,
    }


class NotebookGrader:
    """One notebook: read it, survey its cells once, then grade exercises from it."""

    mode = "python"

    def __init__(self, path: Path, template: Template, raw: bytes | None = None) -> None:
        self.notebook: Notebook = read_notebook(path, raw)
        self.template = template
        #: cells that raised in the survey
        self.problems: list[CellProblem] = []
        #: cells left out because they stopped the child, by number
        self.dead: dict[int, CellProblem] = {}
        #: how the child last ended once `MAX_LEFT_OUT` cells were left out: (reason, info,
        #: the cell it was in); every exercise then takes that verdict without running
        self._gave_up: tuple[str, dict[str, Any], int] | None = None
        self._driver = str(path.resolve().with_name(path.name + ".grader"))
        self._surveyed = False
        self._lock = threading.Lock()
        #: exercises to answer in shared children, and the limits they share
        self._expected: list[ExercisePlan] = []
        self._limits: Limits | None = None
        self._shared_done = False
        #: per exercise (rubric id), the shared children's answers, replayed by run_exercise
        self._replays: dict[str, Replay] = {}

    @property
    def path(self) -> Path:
        """The notebook file."""
        return self.notebook.path

    def survey(self, limits: Limits) -> None:
        """Run every cell once: find the cells that raise, hang, exit or crash."""
        with self._lock:
            if not self._surveyed:
                self._survey(limits)
                self._surveyed = True

    def _survey(self, limits: Limits) -> None:
        for _ in range(len(self.notebook.cells) + 1):
            source = driver_source(self.notebook, skip=frozenset(self.dead), survey=True)
            job = build_job(
                file=self._driver,
                module="notebook",
                names=[SURVEY_NAME],
                cases=[Case(0, attribute=SURVEY_NAME)],
                source=source,
            )
            runner = _Progress(self.template, len(self.notebook.cells))
            result = runner.run(job, [], limits)
            last = runner.last
            answer: object = None
            try:
                for message, blobs in result.messages:
                    if message.get("event") == "result":
                        answer = transport.decode_value(message.get("value"), blobs)
            except transport.TransportError:
                answer = None
            if answer is not None:
                self.problems = parse_survey(self.notebook, answer)
                return
            cell = self.notebook.cell(last) if last is not None else None
            if cell is None or cell.number in self.dead:
                return
            kind, info = death_reason(result, limits)
            if len(self.dead) >= MAX_LEFT_OUT:
                self._gave_up = (kind, info, cell.number)
                return
            self.dead[cell.number] = CellProblem(cell, kind, info=info)

    def expect(self, plans: list[tuple[ExercisePlan, Limits]]) -> None:
        """The exercises this notebook will grade: those with the same limits share children.

        Notebook semantics are one program: the cells run once, in one namespace, and one
        child answers the visible cases of every exercise, another the hidden ones (a child
        that answers visible cases never holds a hidden input). Called before `grade`.
        """
        if not plans:
            return
        limits = plans[0][1]
        self._limits = limits
        self._expected = [plan for plan, lim in plans if lim == limits]

    def grade(self, plan: ExercisePlan, limits: Limits, *, lang: str = "en") -> ExerciseResult:
        """Run one exercise's cases against the notebook's definitions, and score them."""
        with self._lock:
            if not self._shared_done and any(p is plan for p in self._expected):
                self._shared_done = True
                self._run_shared()
            replay = self._replays.pop(plan.rubric.id, None)
        if replay is None:
            self.survey(limits)
        needed = needed_names(plan)
        if self._gave_up is not None:
            kind, info, last = self._gave_up
            kind = "import_timeout" if kind == "timeout" else kind
            return self._score(plan, ExerciseRun({}, error=kind, info=info), needed, last, lang)
        source = driver_source(self.notebook, needed=needed, skip=frozenset(self.dead))
        runner = _Progress(replay or self.template, len(self.notebook.cells))
        run = run_exercise(runner, plan, Path(self._driver), limits, source=source)
        return self._score(plan, run, needed, runner.last, lang)

    # -- shared children -----------------------------------------------------------------------

    def _run_shared(self) -> None:
        """Run the cells once for the visible cases of every expected exercise (finding the
        cells that raise, hang, exit or crash, like `survey`), then once for the hidden ones.

        What each child answered is split by exercise and kept for `run_exercise` to read as
        if it came from the exercise's own child; a case that stopped a shared child costs
        that case only (the exercise's remaining cases, and the exercises after it, run in
        children of their own, as without sharing).
        """
        limits = self._limits
        if limits is None or self._surveyed:
            return
        plans = self._expected
        visible = [(p, [c for c in p.cases if not c.spec.hidden]) for p in plans]
        hidden = [(p, [c for c in p.cases if c.spec.hidden]) for p in plans]
        parts: dict[str, dict[frozenset[int], RunResult]] = {p.rubric.id: {} for p in plans}
        for _ in range(len(self.notebook.cells) + 1):
            result, split = self._shared_run(visible, limits, survey=True)
            last, _completed = last_cell(result.messages)
            if split is not None:
                survey, found = split
                if survey is None:  # the survey's own answer is missing: grade as without sharing
                    return
                self.problems = parse_survey(self.notebook, survey)
                _keep(parts, found)
                # an exercise that stopped the child (a hang) runs its hidden cases in a
                # child of its own, beside its other visible cases, not in the shared one
                stopped = {rid for rid, (_key, res) in found.items() if res.killed or res.signal}
                hidden = [(p, cases) for p, cases in hidden if p.rubric.id not in stopped]
                break
            cell = self.notebook.cell(last) if last is not None else None
            if cell is None or cell.number in self.dead:
                return
            kind, info = death_reason(result, limits)
            if len(self.dead) >= MAX_LEFT_OUT:
                self._gave_up = (kind, info, cell.number)
                self._surveyed = True
                return
            self.dead[cell.number] = CellProblem(cell, kind, info=info)
        else:
            return
        self._surveyed = True
        if any(cases for _plan, cases in hidden):
            _result, split = self._shared_run(hidden, limits, survey=False)
            if split is not None:
                _keep(parts, split[1])
        self._replays = {
            rid: Replay(self.template, stored) for rid, stored in parts.items() if stored
        }

    def _shared_run(
        self,
        groups: list[tuple[ExercisePlan, list[PlannedCase]]],
        limits: Limits,
        *,
        survey: bool,
    ) -> tuple[RunResult, tuple[object, dict[str, tuple[frozenset[int], RunResult]]] | None]:
        """One child for ``groups``; its answers by exercise, or None if the cells did not end."""
        groups = [(plan, cases) for plan, cases in groups if cases]
        source = driver_source(
            self.notebook,
            skip=frozenset(self.dead),
            survey=survey,
            keep_errors=True,
        )
        parts: list[tuple[Section, tuple[Case, ...], list[bytes]]] = []
        if survey:  # its answer is no exercise's: case -1 of section 0
            parts.append((Section(names=(SURVEY_NAME,)), (Case(-1, attribute=SURVEY_NAME),), []))
        for plan, planned in groups:
            job, job_blobs = encode_job(plan, Path(self._driver), planned)
            needed = tuple(
                (name, cell.number if (cell := self.notebook.defining(name)) is not None else 0)
                for name in needed_names(plan)
            )
            parts.append((Section(names=job.names, needed=needed), job.cases, job_blobs))
        #: global case index -> (section, the exercise's own case index)
        sections, cases, blobs, where = combine(parts)
        job = build_job(
            file=self._driver,
            module="notebook",
            cases=cases,
            sections=sections,
            errors_name=ERRORS_NAME,
            source=source,
        )
        result = _Progress(self.template, len(self.notebook.cells)).run(job, blobs, limits)
        split = split_sections(result, where)
        if split is None:
            return result, None
        found: dict[str, tuple[frozenset[int], RunResult]] = {}
        offset = 1 if survey else 0
        for number, (plan, planned) in enumerate(groups, start=offset):
            if number in split:
                key = frozenset(c.spec.index for c in planned)
                found[plan.rubric.id] = (key, split[number])
        answer: object = None
        if survey and 0 in split:
            answer = _survey_answer(split[0])
        return result, (answer, found)

    def close(self) -> None:
        """Nothing to release: each run's child has ended."""

    def meta(self) -> dict[str, Any]:
        """What the report says about this notebook."""
        return {
            "path": str(self.path),
            "code_cells": len(self.notebook.cells),
            "notes": list(self.notebook.notes),
            "cell_problems": [p.describe() for p in self.all_problems()],
            "cells": [p.to_dict() for p in self.all_problems()],
        }

    def all_problems(self) -> list[CellProblem]:
        """Cells that raised or stopped the child, in notebook order."""
        found = {p.cell.number: p for p in self.problems}
        found.update(self.dead)
        return [found[n] for n in sorted(found)]

    # -- scoring -------------------------------------------------------------------------------

    def _score(
        self,
        plan: ExercisePlan,
        run: ExerciseRun,
        needed: tuple[str, ...],
        last: int | None,
        lang: str,
    ) -> ExerciseResult:
        notebook = self.notebook
        remap_run(notebook, run)
        result = score_exercise(plan, run, notebook.path, lang=lang)
        return with_message(result, run, self._exercise_message(run, needed, last))

    def _exercise_message(self, run: ExerciseRun, needed: tuple[str, ...], last: int | None) -> str:
        notebook = self.notebook
        if run.error == "missing_function":
            name = str(run.info.get("name", ""))
            cell = notebook.defining(name)
            if cell is None:
                return msg.t("nb_no_cell_defines", file=msg.shown_path(notebook.path), name=name)
            if cell.number in self.dead:
                return msg.t("nb_left_out", problem=self.dead[cell.number].describe(), name=name)
            return ""
        if run.error == "import_error":
            frames = run.info.get("frames") or []
            cell_number = frames[-1].get("cell") if frames else None
            cell = notebook.cell(cell_number) if isinstance(cell_number, int) else None
            if cell is None:
                return ""
            problem = CellProblem(
                cell,
                "exception",
                str(run.info.get("type", "")),
                str(run.info.get("text", "")),
                frames[-1].get("line"),
            )
            name = next((n for n in needed if cell.number == _number(notebook, n)), "")
            if not name:
                return problem.describe()
            return msg.t("nb_not_defined_because", problem=problem.describe(), name=name)
        if run.error in _DEATHS and last is not None:
            cell = notebook.cell(last)
            if cell is not None:
                kind = "timeout" if run.error == "import_timeout" else run.error
                return CellProblem(cell, kind, info=run.info).describe()
        return ""


class _Progress:
    """Runs jobs like ``runner``, each child telling which cell it starts (on its status
    pipe, never in a file); remembers the last cell the latest child announced."""

    def __init__(self, runner: Runner, cells: int) -> None:
        self.runner = runner
        self.cells = cells
        #: the last cell a child started and did not finish every cell after (None: none)
        self.last: int | None = None

    def run(self, job: Job, blobs: list[bytes], limits: Limits) -> RunResult:
        """Run ``job`` with one progress note per cell allowed, and note how far it got."""
        result = self.runner.run(job._replace(progress=self.cells + 1), blobs, limits)
        last, completed = last_cell(result.messages)
        if last is not None or completed:
            self.last = last
        return result


def _keep(
    parts: dict[str, dict[frozenset[int], RunResult]],
    found: dict[str, tuple[frozenset[int], RunResult]],
) -> None:
    for rid, (key, result) in found.items():
        parts[rid][key] = result


def _survey_answer(result: RunResult) -> object:
    try:
        for message, blobs in result.messages:
            if message.get("event") == "result":
                return transport.decode_value(message.get("value"), blobs)
    except transport.TransportError:
        return None
    return None


def _number(notebook: Notebook, name: str) -> int | None:
    cell = notebook.defining(name)
    return cell.number if cell is not None else None
