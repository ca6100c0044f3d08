"""The JSON report: the contract other tools read (`schema/report.schema.json`)."""

from __future__ import annotations

import json

from grader.model import GradeReport

__all__ = ["JsonReporter"]


class JsonReporter:
    """`GradeReport.to_dict()` as indented JSON."""

    name = "json"
    default_filename = "report.json"

    def render(self, report: GradeReport) -> str:
        """The report as JSON text with a trailing newline."""
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
