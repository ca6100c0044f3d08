"""``grade --watch [PATH]``: grade, then grade again each time a file under PATH is saved.

One child template serves every run, so a regrade pays neither Python's start nor NumPy's
import: only planning, the children and the report. File events come from watchfiles
(optional: ``uv sync --extra watch``), which groups the writes of one save; saves made while a
run is grading start one more run when it ends, so the last version is always graded. The
screen is cleared before each run on a terminal. Ctrl-C stops watching and exits 0 (that is
how a watch ends); a problem found before the first run (no such PATH, no watchfiles) exits 2.
A run's own errors (a rubric error, a notebook saved half-written) are shown, and watching
goes on.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from grader.errors import GraderError, UsageError
from grader.messages import t

if TYPE_CHECKING:
    from grader.cli import ExitCode
    from grader.sandbox.runner import Template

__all__ = ["WATCHED", "watch"]

#: the files whose saving starts a run (in a folder PATH)
WATCHED = frozenset({".py", ".ipynb"})
#: milliseconds without a new event that end a save (watchfiles' ``step``), and the longest a
#: stream of events is grouped into one run (``debounce``)
_STEP_MS = 30
_DEBOUNCE_MS = 400
_CLEAR = "\x1b[H\x1b[2J\x1b[3J"


class Grade(Protocol):
    """Grades ``args.path`` once, in ``template``'s children (`grader.grade_command`)."""

    def __call__(self, args: argparse.Namespace, template: Template | None = None) -> ExitCode:
        """Grade once and write the reports."""
        ...


def watch(args: argparse.Namespace, grade: Grade) -> int:
    """Run ``grade`` now and after each save under ``args.path``, with one warm template,
    until Ctrl-C; returns the exit code. A problem before the first run raises (a usage
    error); a run's own errors are reported and watching goes on."""
    from grader import messages as msg
    from grader.cli import ExitCode, guarded, print_error

    path = Path(args.path)
    changes = _saves(args)
    template = _template(args)
    msg.set_language(args.lang or msg.language_from_env(os.environ))
    try:
        while True:
            if sys.stdout.isatty():
                sys.stdout.write(_CLEAR)
            try:
                template = _fresh(template, args)
            except GraderError as exc:  # e.g. the rubrics folder was removed: say so, go on
                print_error(str(exc))
                template = None
            guarded(functools.partial(grade, template=template), args, interrupt=False)
            print(msg.t("watch_waiting", path=msg.shown_path(path)), flush=True)
            next(changes)
    except KeyboardInterrupt:
        print("\n" + msg.t("watch_stopped"), flush=True)
        return int(ExitCode.OK)
    finally:
        if template is not None:
            template.close()


def _saves(args: argparse.Namespace) -> Iterator[object]:
    """The saves under ``args.path``: one item per save (or burst of saves)."""
    path = Path(args.path)
    if args.list:
        raise UsageError(t("usage_watch_list"))
    if not path.exists():
        raise UsageError(t("usage_no_path", path=path))
    try:
        import watchfiles
    except ImportError:
        raise UsageError(t("usage_watch_package")) from None
    folder = path if path.is_dir() else path.parent
    only = None if path.is_dir() else path.resolve()
    ignore = (*watchfiles.DefaultFilter.ignore_dirs, ".ipynb_checkpoints")
    default = watchfiles.DefaultFilter(ignore_dirs=ignore)

    def saved(change: watchfiles.Change, name: str) -> bool:
        found = Path(name)
        if not default(change, name):
            return False
        if only is not None:
            return found.resolve() == only
        return found.suffix in WATCHED and not found.name.startswith(".")

    return watchfiles.watch(folder, watch_filter=saved, step=_STEP_MS, debounce=_DEBOUNCE_MS)


def _template(args: argparse.Namespace) -> Template | None:
    """A settled template for ``args.path`` (None for a notebook run in a kernel)."""
    path = Path(args.path)
    if args.kernel and path.suffix == ".ipynb":
        return None
    from grader.cli import rubrics_option
    from grader.grade_command import start_template
    from grader.sandbox import secure

    rubrics_dir = rubrics_option(args.rubrics, path)
    started = start_template(args.sandbox, path, rubrics_dir, args.solutions)
    return secure.settle(started, args.sandbox)


def _fresh(template: Template | None, args: argparse.Namespace) -> Template | None:
    """``template`` ready for the next run: its copy of the submission brought up to date
    (secure mode run as root may show a copy), or a new template if it has died or could
    not start last time."""
    if template is None:
        return _template(args)
    if template.alive():
        template.refresh()
        return template
    template.close()
    return _template(args)
