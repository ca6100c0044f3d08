"""Reporters: pure functions from a `GradeReport` to text, one module per format.

`REPORTERS` maps a format name to its reporter; the CLI's ``--format`` choices are its keys,
so a new format is one new module plus one line here. Reporters do no I/O.
"""

from __future__ import annotations

from typing import Protocol

from grader.model import GradeReport
from grader.reporters.github import GithubReporter
from grader.reporters.gradescope import GradescopeReporter
from grader.reporters.html import HtmlReporter
from grader.reporters.json_report import JsonReporter
from grader.reporters.junit import JunitReporter
from grader.reporters.markdown import MarkdownReporter
from grader.reporters.terminal import TerminalReporter

__all__ = ["REPORTERS", "Reporter"]


class Reporter(Protocol):
    """Renders a report; ``default_filename`` names the file when one is written."""

    name: str
    default_filename: str

    def render(self, report: GradeReport) -> str:
        """The whole report as text."""
        ...


REPORTERS: dict[str, Reporter] = {
    "terminal": TerminalReporter(),
    "json": JsonReporter(),
    "github": GithubReporter(),
    "gradescope": GradescopeReporter(),
    "html": HtmlReporter(),
    "junit": JunitReporter(),
    "markdown": MarkdownReporter(),
}
