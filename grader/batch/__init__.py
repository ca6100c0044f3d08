"""Batch grading for instructors: many submissions into one SQLite gradebook.

The data flow, one module each:

    discover   SUBMISSIONS/ -> entries (folder, .zip, .ipynb) -> checked file bundles
    work       one bundle -> a temporary folder -> `grade_submission` -> plain-data result
    run        `grade batch`: schedule, run in parallel (threads here, or `dask`), progress
    gradebook  results -> SQLite (one transaction per submission), resume decisions
    export     `grade export`: gradebook -> reports, grades.csv, LMS CSVs, summary, plots

Results travel as plain dicts (`GradeReport.to_dict()`), so a cluster never pickles a
student's object and the gradebook can re-render every report later.
"""

from __future__ import annotations

__all__: list[str] = []
