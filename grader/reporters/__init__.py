"""Reporters: pure functions from a `GradeReport` to text, one module per format.

`REPORTERS` maps a format name to its reporter; the CLI's ``--format`` choices are its keys,
so a new format is one new module plus one line here. Reporters do no I/O.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the registry is read while the arguments are parsed, before the child
    # template starts: it imports nothing it does not need then
    from grader.model import GradeReport

__all__ = ["FORMATS", "REPORTERS", "Reporter", "reporter"]


class Reporter(Protocol):
    """Renders a report; ``default_filename`` names the file when one is written."""

    name: str
    default_filename: str

    def render(self, report: GradeReport) -> str:
        """The whole report as text."""
        ...


#: format name -> (module, class); a module is imported when its format is first asked for
#: (a plain `grade` run renders only the terminal report: importing every format cost
#: about 4 ms of each run's start-up, measured with ``python -X importtime``)
FORMATS: dict[str, tuple[str, str]] = {
    "terminal": ("grader.reporters.terminal", "TerminalReporter"),
    "json": ("grader.reporters.json_report", "JsonReporter"),
    "github": ("grader.reporters.github", "GithubReporter"),
    "gradescope": ("grader.reporters.gradescope", "GradescopeReporter"),
    "html": ("grader.reporters.html", "HtmlReporter"),
    "junit": ("grader.reporters.junit", "JunitReporter"),
    "markdown": ("grader.reporters.markdown", "MarkdownReporter"),
}

if TYPE_CHECKING:
    REPORTERS: dict[str, Reporter]  # built by __getattr__


def reporter(name: str) -> Reporter:
    """A new reporter of the format ``name`` (a key of `FORMATS`), importing only its module."""
    module, cls = FORMATS[name]
    made: Reporter = getattr(importlib.import_module(module), cls)()
    return made


def __getattr__(name: str) -> Any:
    """``REPORTERS``, every format's reporter by name, built on first use."""
    if name != "REPORTERS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    built = {key: reporter(key) for key in FORMATS}
    globals()["REPORTERS"] = built
    return built
