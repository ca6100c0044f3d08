"""Grade the exercises a notebook defines, without a kernel (the default mode).

One survey run executes the cells once in a child: it learns which cells raise, and names a
cell that hangs, exits or crashes (that cell is then left out, and the survey runs again), so
such a cell costs one timeout for the whole notebook. Each exercise then runs in its own child
like a ``.py`` file, the cells standing in for the import, and its answers are scored here,
in the grader's process. Messages name the cell (number and first line) and the line in it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from grader import messages as msg
from grader.errors import InternalError
from grader.execute import ExerciseRun, _death, run_exercise
from grader.model import ExerciseResult
from grader.notebook import CellProblem, Notebook, read_notebook, remap_info
from grader.notebook_driver import (
    SURVEY_NAME,
    driver_source,
    last_cell,
    parse_survey,
    progress_file,
)
from grader.plan import ExercisePlan
from grader.rubric import Rubric
from grader.sandbox import transport
from grader.sandbox.runner import Limits, Template
from grader.scoring import score_exercise

if TYPE_CHECKING:
    from grader.grading import Submission

__all__ = ["NotebookGrader", "assign_notebooks", "needed_names", "notebook_meta"]

_DEATHS = frozenset(
    {"import_timeout", "timeout", "exited", "crashed", "cpu_limit", "output_limit", "protocol"}
)


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
) -> dict[str, Grader]:
    """Which notebook grades which exercise (by rubric id).

    A notebook given as the submission grades every exercise. In a folder, an exercise's
    ``.py`` file wins; otherwise the last notebook (by name) with a cell defining one of the
    exercise's names grades it.
    """
    single = submission.path.suffix == ".ipynb"
    wanted = [r for r in rubrics if single or not (submission.folder / r.file).is_file()]
    if not wanted or not submission.notebooks:
        return {}
    graders: list[Grader] = []
    for path in submission.notebooks:
        if kernel:
            from grader.kernel import KernelGrader

            graders.append(KernelGrader(path))
        else:
            if template is None:
                raise InternalError("no child template for a notebook")
            graders.append(NotebookGrader(path, template))
    assigned: dict[str, Grader] = {}
    for rubric in wanted:
        names = _names(rubric)
        defining = [g for g in graders if any(g.notebook.defining(n) for n in names)]
        if defining:
            assigned[rubric.id] = defining[-1]
        elif single:
            assigned[rubric.id] = graders[0]
    return assigned


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

    def __init__(self, path: Path, template: Template) -> None:
        self.notebook: Notebook = read_notebook(path)
        self.template = template
        #: cells that raised in the survey
        self.problems: list[CellProblem] = []
        #: cells left out because they stopped the child, by number
        self.dead: dict[int, CellProblem] = {}
        self._driver = str(path.resolve().with_name(path.name + ".grader"))
        self._surveyed = False
        self._lock = threading.Lock()

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
            progress = progress_file()
            source = driver_source(
                self.notebook, progress=progress, skip=frozenset(self.dead), survey=True
            )
            job: dict[str, Any] = {
                "file": self._driver,
                "module": "notebook",
                "function": "",
                "names": [SURVEY_NAME],
                "cases": [{"i": 0, "attribute": SURVEY_NAME}],
                "source": source,
            }
            try:
                result = self.template.run(job, [], limits)
            finally:
                last, _completed = last_cell(self.template.outside(progress))
                _remove(progress)
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
            kind, info = _death(result, limits)
            self.dead[cell.number] = CellProblem(cell, kind, info=info)

    def grade(self, plan: ExercisePlan, limits: Limits, *, lang: str = "en") -> ExerciseResult:
        """Run one exercise's cases against the notebook's definitions, and score them."""
        self.survey(limits)
        needed = needed_names(plan)
        progress = progress_file()
        source = driver_source(
            self.notebook, progress=progress, needed=needed, skip=frozenset(self.dead)
        )
        try:
            run = run_exercise(self.template, plan, Path(self._driver), limits, source=source)
        finally:
            last, _completed = last_cell(self.template.outside(progress))
            _remove(progress)
        return self._score(plan, run, needed, last, lang)

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
        run.info = remap_info(notebook, run.info)
        for case in run.cases.values():
            case.info = remap_info(notebook, case.info)
        if run.line is not None:
            found = notebook.at(run.line)
            run.line = found[1] if found is not None else None
        result = score_exercise(plan, run, notebook.path, lang=lang)
        message = self._exercise_message(run, needed, last)
        if not message:
            return result
        cases = tuple(
            replace(c, message=message) if c.reason == run.error and not c.hidden else c
            for c in result.cases
        )
        return replace(result, message=message, cases=cases)

    def _exercise_message(self, run: ExerciseRun, needed: tuple[str, ...], last: int | None) -> str:
        notebook = self.notebook
        if run.error == "missing_function":
            name = str(run.info.get("name", ""))
            cell = notebook.defining(name)
            if cell is None:
                return msg.t("nb_no_cell_defines", file=_shown(notebook.path), name=name)
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


def _number(notebook: Notebook, name: str) -> int | None:
    cell = notebook.defining(name)
    return cell.number if cell is not None else None


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _shown(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("../../..") else str(path)
