"""The Python a sandbox child runs for a notebook, and what the grader reads back from it.

The driver executes the notebook's code cells one by one in the module namespace, each
compiled on its own under the notebook's path with the cell's virtual line offset (see
`grader.notebook`), catching what each cell raises. Before each cell it announces the cell's
number on the status pipe (through a hook the worker defines,
`grader.sandbox.worker.PROGRESS_NAME`), so that a cell that hangs, exits or crashes can be
named from the grader's side; the grader never opens a file the child could have written.
After the cells it either re-raises the error of the cell that should have defined a graded
name (so the worker reports it with the student's frames), or, for the survey, leaves a JSON
description of every cell error under `SURVEY_NAME` for the grader to read through the
data-only transport. Everything read back is untrusted and validated.
"""

from __future__ import annotations

import json
from typing import Any

from grader.notebook import CellProblem, Notebook
from grader.sandbox.worker import PROGRESS_NAME

__all__ = [
    "ERRORS_NAME",
    "SURVEY_NAME",
    "driver_source",
    "last_cell",
    "parse_survey",
]

#: name of the survey's answer in the child's namespace
SURVEY_NAME = "__ml_lectures_survey__"
#: name under which a shared run leaves each cell's exception for the worker (which removes
#: it before any student function is called; see `grader.sandbox.worker`)
ERRORS_NAME = "__ml_lectures_cell_errors__"

_DRIVER = '''\
def __ml_lectures_run():
    import json, os, traceback
    os.environ.setdefault("MPLBACKEND", "Agg")
    ns = globals()

    class Shell:
        """get_ipython() while grading: magics and shell commands do nothing."""

        def __getattr__(self, name):
            return lambda *args, **kwargs: [] if name == "getoutput" else None

    shell = Shell()
    ns.setdefault("get_ipython", lambda: shell)
    ns.setdefault("display", lambda *args, **kwargs: None)
    progress = ns.pop({progress_name!r}, None) or (lambda number: None)
    errors = {{}}
    run, build = exec, compile  # a cell may rebind the names exec and compile
    for number, offset, code in {cells!r}:
        progress(number)
        try:
            run(build("\\n" * offset + code, {filename!r}, "exec"), ns)
        except BaseException as exc:
            errors[number] = exc
    progress(None)
    for name, number in {needed!r}:
        if name not in ns and number in errors:
            raise errors[number]
    if {keep!r}:
        ns[{errors_name!r}] = errors
    if {survey!r}:
        found = []
        for number, exc in errors.items():
            frames = [
                [f.lineno or 0, f.name]
                for f in traceback.extract_tb(exc.__traceback__)
                if f.filename == {filename!r}
            ]
            try:
                text = str(exc)[:500]
            except BaseException:
                text = "<unprintable>"
            if isinstance(exc, SyntaxError) and exc.filename == {filename!r}:
                frames.append([exc.lineno or 0, ""])
                text = str(exc.msg)[:500]
            found.append([number, type(exc).__qualname__, text, frames[-3:],
                          isinstance(exc, SystemExit)])
        ns[{survey_name!r}] = json.dumps(found)


__ml_lectures_run()
del __ml_lectures_run
'''


def driver_source(
    notebook: Notebook,
    *,
    needed: tuple[str, ...] = (),
    skip: frozenset[int] = frozenset(),
    survey: bool = False,
    keep_errors: bool = False,
) -> str:
    """The Python source a child execs: the cells one by one, then what grading needs.

    With ``keep_errors`` the cells' exceptions are left under `ERRORS_NAME` instead of being
    raised, for a child that answers several exercises' sections (each raises its own).
    """
    cells = [(c.number, c.offset, c.code) for c in notebook.cells if c.number not in skip]
    pairs = []
    for name in needed:
        defining = notebook.defining(name)
        pairs.append((name, defining.number if defining is not None else 0))
    return _DRIVER.format(
        progress_name=PROGRESS_NAME,
        cells=cells,
        filename=str(notebook.path),
        needed=pairs,
        survey=survey,
        survey_name=SURVEY_NAME,
        keep=keep_errors,
        errors_name=ERRORS_NAME,
    )


def parse_survey(notebook: Notebook, value: object) -> list[CellProblem]:
    """Read the survey's answer (untrusted data from the child) into cell problems."""
    if not isinstance(value, str):
        return []
    try:
        items = json.loads(value)
    except ValueError:
        return []
    problems = []
    for item in items if isinstance(items, list) else []:
        if not (isinstance(item, list) and len(item) == 5 and isinstance(item[0], int)):
            continue
        cell = notebook.cell(item[0])
        if cell is None:
            continue
        frames = item[3] if isinstance(item[3], list) else []
        line = None
        for frame in frames:
            if isinstance(frame, list) and frame and isinstance(frame[0], int):
                found = notebook.at(frame[0])
                if found is not None and found[0].number == cell.number:
                    line = found[1]
        kind_name = str(item[1])[:100]
        problems.append(CellProblem(cell, "exception", kind_name, str(item[2])[:500], line))
    return problems


def last_cell(messages: list[tuple[dict[str, Any], list[bytes]]]) -> tuple[int | None, bool]:
    """The last cell a child announced starting, and whether it finished every cell (the
    numbers are the child's word: a caller looks them up among the notebook's cells)."""
    last: int | None = None
    for message, _blobs in messages:
        event = message.get("event")
        if event == "cells_done":
            return None, True
        found = message.get("n")
        if event == "cell" and type(found) is int:
            last = found
    return last, False
