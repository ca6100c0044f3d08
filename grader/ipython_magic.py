"""``%grade`` in Jupyter: grade what the kernel has run, outside the kernel, and show it.

``%load_ext grader`` registers the line magic; ``%grade softmax`` grades one exercise,
``%grade`` all of them (``--lang ja|en`` chooses the language, else the locale does). The
magic takes the cells the kernel has executed, in the order they ran (IPython's input
history, ``In``), writes them as a notebook and hands it to a separate process,
``python -I -m grader.history_grading``, which grades it exactly as ``grade notebook.ipynb``
would: in the same sandbox, from the rubrics found from the notebook's folder upward. That
process sends back the report, already rendered (HTML with formulas as MathML, and plain
text); the magic only shows it.

So nothing the student's code does in the kernel reaches a verdict: a cell that patches NumPy
or the grader's modules patches them in the kernel, where no grading happens (the cell itself
runs again, as part of the notebook, in a sandboxed child whose values the grader checks).
The interpreter and the process functions the magic uses are taken when the extension loads,
so later patches of ``sys`` or ``subprocess`` do not reach it either. (A cell can still
register a magic of its own under the same name, or change what the kernel displays: that
changes what its author sees, never a grade.)

This module runs in the student's kernel: it imports only the standard library and IPython.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["history_notebook", "load", "notebook_location"]

#: lines of the history that are the extension's own (not run again when grading)
_OWN_LINE = re.compile(r"\s*%(?:grade\b|(?:re)?load_ext\s+grader\b)")
_GRADE_LINE = re.compile(r"\s*%grade\b")
#: seconds the grading process may take before the magic gives up on it
_TIMEOUT = 600.0


def load(ipython: Any) -> None:
    """Register ``%grade`` in ``ipython`` (what ``%load_ext grader`` calls)."""
    from IPython.display import display

    folder, name = notebook_location(ipython)
    # everything the magic calls is bound now: a cell that later patches this module, sys,
    # subprocess, json or IPython's display function does not reach the magic
    run = _runner(sys.executable, subprocess.Popen, json.loads)
    notebook_of, history = history_notebook, ipython.history_manager
    show: Callable[..., object] = display

    def grade(line: str) -> None:
        """Grade the cells run so far: ``%grade [EXERCISE ...] [--lang en|ja]``."""
        bundle, error = run(folder, name, line.split(), notebook_of(list(history.input_hist_raw)))
        if error:
            show({"text/plain": error}, raw=True)
        if bundle:
            show(bundle, raw=True)

    grade.__name__ = "grade"
    ipython.register_magic_function(grade, "line", "grade")


def notebook_location(ipython: Any) -> tuple[Path, str]:
    """The notebook's folder and file name, as far as the kernel knows them.

    Jupyter Server names the notebook of a kernel in ``JPY_SESSION_NAME`` (a full path, or
    one relative to the server's folder, depending on its version); VS Code sets
    ``__vsc_ipynb_file__``. The folder is the one a full path names, else the kernel's working
    folder (where Jupyter starts a notebook's kernel); without a name, one that says where
    the cells came from.
    """
    here = Path.cwd().resolve()
    for found in (os.environ.get("JPY_SESSION_NAME"), ipython.user_ns.get("__vsc_ipynb_file__")):
        if isinstance(found, str) and found.endswith(".ipynb"):
            path = Path(found)
            if path.is_absolute() and path.parent.is_dir():
                return path.parent.resolve(), path.name
            return here, path.name
    return here, "kernel.ipynb"


def history_notebook(history: list[str]) -> bytes:
    """The cells of IPython's input history as a notebook (cell N is ``In[N]``).

    The last cell is the one running ``%grade``: only its lines before the magic have run.
    The extension's own lines (``%load_ext grader``, ``%grade``) are left blank, so that line
    numbers still match the cells the student sees.
    """
    cells = [str(c) for c in history[1:]]  # In[0] is always empty
    if cells:
        lines = cells[-1].splitlines()
        at = next((i for i, line in enumerate(lines) if _GRADE_LINE.match(line)), None)
        if at is not None:
            cells[-1] = "\n".join(lines[:at])
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "cells": [
            {
                "cell_type": "code",
                "id": f"in-{number}",
                "metadata": {},
                "execution_count": number,
                "outputs": [],
                "source": "\n".join(
                    "" if _OWN_LINE.match(line) else line for line in source.splitlines()
                ),
            }
            for number, source in enumerate(cells, start=1)
        ],
    }
    return json.dumps(notebook).encode("utf-8")


def _runner(
    python: str, popen: Callable[..., subprocess.Popen[bytes]], loads: Callable[[bytes], Any]
) -> Callable[[Path, str, list[str], bytes], tuple[dict[str, str] | None, str]]:
    """The function that runs the grading process, bound to what exists when the extension
    loads (a later ``sys.executable = ...`` in a cell changes nothing here)."""

    def run(
        folder: Path, name: str, args: list[str], notebook: bytes
    ) -> tuple[dict[str, str] | None, str]:
        argv = [python, "-I", "-m", "grader.history_grading", "--folder", str(folder)]
        argv += ["--name", name, *args]
        process = popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=folder,
        )
        try:
            out, err = process.communicate(notebook, timeout=_TIMEOUT)
        except BaseException:  # Ctrl-C (interrupting the kernel), or the timeout
            process.kill()
            process.communicate()
            raise
        text = err.decode("utf-8", errors="replace").strip()
        if process.returncode not in (0, 1):
            return None, text or _t("magic_failed", code=process.returncode)
        try:
            bundle = loads(out)
        except ValueError:
            return None, text or _t("magic_failed", code=process.returncode)
        shown = {k: str(v) for k, v in bundle.items() if k in ("text/plain", "text/html")}
        return shown, ""

    return run


def _t(key: str, **values: Any) -> str:
    from grader import messages

    messages.set_language(messages.language_from_env(os.environ))
    return messages.t(key, **values)
