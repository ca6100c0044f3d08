"""ml-lectures grader: run students' exercise code in a child process and score it by rubric.

Imports are lazy (not even `typing` is imported here) so that `grade` starts fast and the
child process can load `grader.sandbox` without the rest of the package. In Jupyter,
``%load_ext grader`` adds the ``%grade`` magic (`grader.ipython_magic`).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "CaseResult",
    "ExerciseResult",
    "Failure",
    "GradeReport",
    "Mismatch",
    "Outcome",
    "__version__",
    "check",
    "load_ipython_extension",
]

_LAZY = {
    "Failure": "grader.checks",
    "Mismatch": "grader.checks",
    "check": "grader.checks",
    "CaseResult": "grader.model",
    "ExerciseResult": "grader.model",
    "GradeReport": "grader.model",
    "Outcome": "grader.model",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'grader' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext grader``: add the ``%grade`` magic (`grader.ipython_magic`)."""
    from grader.ipython_magic import load

    load(ipython)
