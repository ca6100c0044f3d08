"""Errors the grader itself raises (never the student's code).

    GraderError                 base; carries an exit code
    ├── UsageError              bad command line or paths             -> exit 2
    │   └── RubricError         a rubric file is malformed            -> exit 2
    └── InternalError           a bug or an environment problem       -> exit 3

Student mistakes are never exceptions of this tree: they become case outcomes.
"""

from __future__ import annotations

__all__ = ["GraderError", "InternalError", "RubricError", "UsageError"]


class GraderError(Exception):
    """Base of every error the grader reports as one `error:` line."""

    exit_code = 3


class UsageError(GraderError):
    """The command line, a path or an option is wrong."""

    exit_code = 2


class RubricError(UsageError):
    """A rubric is malformed; the message names file, line, field and problem."""

    def __init__(self, file: str, field: str, problem: str, line: int | None = None) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        self.line = line
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {field}: {problem}" if field else f"{where}: {problem}")


class InternalError(GraderError):
    """Something went wrong inside the grader; grading can be re-run."""

    exit_code = 3
