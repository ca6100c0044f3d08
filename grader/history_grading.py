"""The grading side of ``%grade``: grade a kernel's history, sent as a notebook on stdin.

``python -I -m grader.history_grading --folder F --name N [--lang L] [--sandbox M] [ID ...]``
is started by `grader.ipython_magic` in the student's kernel. It reads the notebook the
magic made of the cells the kernel ran (never written to disk), finds the rubrics from F (the
notebook's folder) upward, and grades it exactly as ``grade F/N`` would grade that notebook:
its cells run as plain Python in children of a template, in the same sandbox as the command
line, with F as their working folder. It prints the report as a Jupyter display bundle
(`bundle`): ``text/html`` (the HTML report's body, formulas as MathML) and ``text/plain``
(the terminal report). Exit codes as ``grade``'s: 0 every case passed, 1 some failed, 2 a
usage or rubric error (on stderr), 3 an internal error.

``-I`` keeps the student's folder (the working folder) and ``PYTHON*`` variables out of this
process's imports: a ``grader.py`` beside the notebook is never imported here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from grader.model import GradeReport

if TYPE_CHECKING:
    from grader.cli import ExitCode

__all__ = ["bundle", "main"]

#: the most bytes of notebook read from stdin (a history is far smaller)
_MAX_NOTEBOOK = 32 << 20


def _parser() -> argparse.ArgumentParser:
    from grader import cli_text
    from grader.grade_command import add_lang_option, add_sandbox_option

    parser = argparse.ArgumentParser(
        prog="%grade", description="grade the cells this kernel has run, in the sandbox"
    )
    parser.add_argument(
        "exercises", nargs="*", metavar="EXERCISE", help="exercise ids (default: every exercise)"
    )
    parser.add_argument("--folder", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--name", default="kernel.ipynb", help=argparse.SUPPRESS)
    add_lang_option(parser, "the report")
    add_sandbox_option(parser)
    return cli_text.localise(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Grade the notebook on stdin; print its display bundle; return the exit code."""
    from grader import cli_text, messages
    from grader.cli import guarded

    argv = list(sys.argv[1:] if argv is None else argv)
    messages.set_language(cli_text.language_of(argv))
    cli_text.install()  # argparse's usage, headings and errors in that language
    args = _parser().parse_args(argv)
    return guarded(_grade, args)


def _grade(args: argparse.Namespace) -> ExitCode:
    import os

    from grader import messages as msg
    from grader.cli import ExitCode, rubrics_option, solutions_folder
    from grader.errors import UsageError
    from grader.grade_command import start_template

    folder = Path(args.folder).resolve()
    if not folder.is_dir():
        raise UsageError(msg.t("usage_no_notebook_folder", path=folder))
    rubrics_dir = rubrics_option(None, folder)
    path = folder / Path(args.name).name
    template = start_template(args.sandbox, folder, rubrics_dir, None)
    try:
        from grader.grading import Submission, grade_submission
        from grader.rubric import load_rubrics
        from grader.sandbox import secure

        lang = args.lang or msg.language_from_env(os.environ)
        msg.set_language(lang)
        raw = sys.stdin.buffer.read(_MAX_NOTEBOOK + 1)
        if len(raw) > _MAX_NOTEBOOK:
            raise UsageError(msg.t("usage_cells_too_long", name=args.name))
        rubrics = load_rubrics(rubrics_dir)
        known = {r.id for r in rubrics}
        unknown = [e for e in args.exercises if e not in known]
        if unknown:
            names, known_ids = ", ".join(map(repr, unknown)), ", ".join(sorted(known))
            raise UsageError(msg.t("usage_unknown_exercise", names=names, known=known_ids))
        submission = Submission(
            path,
            folder,
            frozenset(args.exercises) if args.exercises else None,
            notebooks=(path,),
            texts={path: raw},
        )
        template = secure.settle(template, args.sandbox)
        solutions = solutions_folder(None, rubrics_dir)
        report = grade_submission(submission, rubrics, solutions, template, lang=lang)
    finally:
        template.close()
    sys.stdout.write(json.dumps(bundle(report)))
    return ExitCode.OK if report.passed else ExitCode.TESTS_FAILED


def bundle(report: GradeReport) -> dict[str, str]:
    """The report as Jupyter shows it: HTML, with the terminal report as the plain text."""
    from grader.reporters.html import HtmlReporter
    from grader.reporters.terminal import TerminalReporter

    return {
        "text/html": HtmlReporter().fragment(report),
        "text/plain": TerminalReporter(color=False).render(report),
    }


if __name__ == "__main__":
    sys.exit(main())
