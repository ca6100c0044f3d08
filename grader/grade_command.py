"""``grade [PATH]``: grade one submission and write its reports (the default command).

Exit codes: `grader.cli.ExitCode` (README: the exit-code table). With ``--fail-under
PERCENT`` the score decides instead of the cases: 0 when the points earned are at least
PERCENT of the points available (a percentage, not points, so one threshold survives rubric
changes and hidden cases), else 1. ``--watch`` (`grader.watch`) grades again on every save
until Ctrl-C, then exits 0: that is how a watch ends.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from grader.cli import (
    ExitCode,
    add_course_options,
    add_output_option,
    rubrics_option,
    solutions_folder,
)
from grader.errors import UsageError

if TYPE_CHECKING:
    from grader.model import GradeReport
    from grader.reporters import Reporter
    from grader.rubric import Rubric
    from grader.sandbox.runner import Template

__all__ = [
    "add_arguments",
    "add_lang_option",
    "add_sandbox_option",
    "grade_once",
    "run",
    "start_template",
]


def add_lang_option(
    parser: argparse.ArgumentParser,
    what: str,
    default: str = "ja when LC_ALL/LC_MESSAGES/LANG start with ja",
) -> None:
    """``--lang en|ja``, for every command that writes reports."""
    parser.add_argument(
        "--lang",
        choices=("en", "ja"),
        default=None,
        help=f"language of {what} (default: {default})",
    )


def add_sandbox_option(parser: argparse.ArgumentParser) -> None:
    """``--sandbox auto|local|secure``, where one submission's code runs."""
    parser.add_argument(
        "--sandbox",
        choices=("auto", "local", "secure"),
        default="auto",
        help="where student code runs: secure (Linux namespaces + seccomp), local (a child "
        "process with limits; not a security boundary) or auto (secure where it works; "
        "default); see docs/security.md",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``grade [PATH]``."""
    from grader.reporters import FORMATS

    formats = ", ".join(sorted(FORMATS))
    parser.add_argument(
        "path",
        nargs="?",
        default="exercises",
        help="a folder of exercise files, or one exercise file (default: exercises/)",
    )
    add_course_options(
        parser,
        rubrics_help="folder of rubric YAML files (default: the rubrics/ folder found from the "
        "current folder upward, else from PATH upward)",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list the exercises, their cases and points (visible and hidden), and exit",
    )
    parser.add_argument(
        "--format",
        type=_format_option,
        default=None,
        metavar="FORMAT",
        help=f"report format: {formats} (default: terminal; github when GITHUB_ACTIONS=true)",
    )
    add_output_option(parser, metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--report",
        metavar="FORMAT=PATH",
        action="append",
        default=[],
        type=_report_option,
        help="also write the report in FORMAT to PATH (repeatable; e.g. junit=out/junit.xml)",
    )
    parser.add_argument(
        "--fail-under",
        metavar="PERCENT",
        type=_percent_option,
        default=None,
        help="exit 0 when the score is at least PERCENT of the points, whatever failed "
        "(default: exit 1 when any case fails)",
    )
    add_lang_option(parser, "the report")
    parser.add_argument(
        "--include-hidden", action="store_true", help="also run hidden cases (instructors)"
    )
    add_sandbox_option(parser)
    parser.add_argument(
        "--no-cache", action="store_true", help="re-validate rubrics instead of using the cache"
    )
    parser.add_argument(
        "--kernel",
        action="store_true",
        help="run notebooks (.ipynb) in a Jupyter kernel (ipykernel) instead of as plain Python",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="grade again whenever a file under PATH is saved, until Ctrl-C (then exit 0); "
        "needs watchfiles: uv sync --extra watch",
    )
    parser.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)


def _format_option(text: str) -> str:
    from grader.reporters import FORMATS

    if text not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise argparse.ArgumentTypeError(f"unknown format {text!r} (choose from {known})")
    return text


def _report_option(text: str) -> tuple[str, Path]:
    from grader.reporters import FORMATS

    name, sep, path = text.partition("=")
    if not sep or not path:
        raise argparse.ArgumentTypeError(f"expected FORMAT=PATH, got {text!r}")
    if name not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise argparse.ArgumentTypeError(f"unknown format {name!r} (choose from {known})")
    return name, Path(path)


def _percent_option(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage, got {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100 (got {text})")
    return value


def _check_options(args: argparse.Namespace, path: Path) -> None:
    """Options that cannot apply to this run are a usage error, never silently ignored."""
    if args.list:
        return
    if args.kernel and path.is_file() and path.suffix.lower() != ".ipynb":
        from grader.messages import t

        raise UsageError(t("usage_kernel_not_notebook", path=path))
    if args.kernel:
        from grader.sandbox import secure

        if args.sandbox == "secure" or (args.sandbox == "auto" and not secure.unavailable()):
            # a Jupyter kernel needs its sockets: it cannot run in the sandbox
            from grader import messages

            messages.set_language(args.lang or messages.language_from_env(os.environ))
            raise UsageError(messages.t("kernel_unconfined"))


def run(args: argparse.Namespace) -> int:
    """Grade ``args.path`` and write its reports (with ``--watch``, again on every save);
    returns the exit code."""
    if args.watch:
        from grader.watch import watch

        return watch(args, grade_once)
    return int(grade_once(args))


def grade_once(args: argparse.Namespace, template: Template | None = None) -> ExitCode:
    """Grade ``args.path`` once and write its reports; with ``template`` (a warm one, which
    ``grade --watch`` keeps between runs), in its children, else in a template of its own."""
    path = Path(args.path)
    if not args.list and not path.exists():
        from grader.messages import t

        raise UsageError(t("usage_no_path", path=path))
    rubrics_dir = rubrics_option(args.rubrics, path)
    owned = None
    if not args.list:
        _check_options(args, path)
        # Start the child template first: it imports NumPy on the other core while we load.
        # A notebook run in a kernel needs no template.
        if template is None and not (args.kernel and path.suffix == ".ipynb"):
            owned = template = start_template(args.sandbox, path, rubrics_dir, args.solutions)
    try:
        from grader import messages

        lang = args.lang or messages.language_from_env(os.environ)
        messages.set_language(lang)
        if args.list:
            return _list(rubrics_dir, use_cache=not args.no_cache, lang=lang)
        from grader.grading import grade_submission, locate_submission
        from grader.rubric import load_rubrics

        rubrics = load_rubrics(rubrics_dir, use_cache=not args.no_cache)
        if args.include_hidden and any(r.withheld[0] for r in rubrics):
            raise UsageError(messages.t("release_no_hidden"))
        submission = locate_submission(path, rubrics)
        solutions = solutions_folder(args.solutions, rubrics_dir)
        if owned is not None:
            from grader.sandbox import secure

            owned = template = secure.settle(owned, args.sandbox)
        report = grade_submission(
            submission,
            rubrics,
            solutions,
            template,
            include_hidden=args.include_hidden,
            lang=lang,
            kernel=args.kernel,
        )
    finally:
        if owned is not None:
            owned.close()
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "terminal")
    text = _reporter(fmt, color=args.output is None).render(report)
    if args.output:
        _write(Path(args.output), text)
        if fmt != "terminal":
            sys.stdout.write(_reporter("terminal", color=True).render(report))
    else:
        sys.stdout.write(text)
    for name, report_path in args.report:
        _write(report_path, _reporter(name, color=False).render(report))
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        summary = Path(os.environ["GITHUB_STEP_SUMMARY"])
        _write(summary, _reporter("markdown", color=False).render(report), append=True)
    return _exit_code(report, args.fail_under)


def start_template(mode: str, path: Path, rubrics_dir: Path, solutions: str | None) -> Template:
    """Start the child template that grades ``path`` (`grader.sandbox.secure.start`), with
    the rubrics and reference solutions kept out of its view; `secure.settle` must follow."""
    from grader.sandbox import secure

    hidden = [rubrics_dir] + ([Path(solutions)] if solutions else [])
    hidden.append(rubrics_dir.resolve().parent / "solutions")
    return secure.start(mode, path.resolve(), hidden)


def _exit_code(report: GradeReport, fail_under: float | None) -> ExitCode:
    """Default: any failed case fails the run; with --fail-under, the score percentage decides."""
    if fail_under is None:
        return ExitCode.OK if report.passed else ExitCode.TESTS_FAILED
    share = 100.0 if report.max_score <= 0 else 100.0 * report.score / report.max_score
    return ExitCode.OK if share >= fail_under - 1e-9 else ExitCode.TESTS_FAILED


def _reporter(name: str, *, color: bool) -> Reporter:
    # the terminal reporter alone for a plain run: the registry imports every format
    if name == "terminal":
        from grader.reporters.terminal import TerminalReporter

        on = color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        return TerminalReporter(color=on)
    if name == "github":
        from grader.reporters.github import GithubReporter

        # a fresh token now, after grading: no child that ran student code ever saw it
        return GithubReporter(token=os.urandom(16).hex())
    from grader.reporters import reporter

    return reporter(name)


def _write(path: Path, text: str, *, append: bool = False) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        from grader.messages import t

        raise UsageError(t("usage_cannot_write", path=path, error=exc.strerror)) from None


def list_rows(rubrics: list[Rubric], lang: str) -> list[list[str]]:
    """One row per exercise: id, file, cases (visible + hidden), points (visible + hidden)."""
    from grader import messages as msg
    from grader.rubric import text_of

    rows = []
    for rubric in rubrics:
        # a student release withholds its hidden cases: only their count and points remain
        withheld_count, withheld_points = rubric.withheld
        hidden_cases = [c for c in rubric.cases if c.hidden]
        hidden_count = len(hidden_cases) + withheld_count
        hidden_points = sum(c.points for c in hidden_cases) + withheld_points
        cases = msg.tn("list_cases", len(rubric.cases) - len(hidden_cases))
        points = msg.t("list_points", points=f"{rubric.max_score - hidden_points:g}")
        if hidden_count:
            cases += " + " + msg.tn("list_hidden", hidden_count)
            points += " + " + msg.t("list_hidden_points", points=f"{hidden_points:g}")
        rows.append([rubric.id, rubric.file, cases, points, text_of(rubric.title, lang)])
    return rows


def _list(rubrics_dir: Path, *, use_cache: bool, lang: str = "en") -> ExitCode:
    from grader import messages as msg
    from grader.rubric import load_rubrics

    rubrics = load_rubrics(rubrics_dir, use_cache=use_cache)
    rows = list_rows(rubrics, lang)
    # columns as wide as their longest cell, so long ids and files never push others out
    widths = [max((msg.columns(r[i]) for r in rows), default=0) for i in range(4)]
    for row in rows:
        cells = [msg.pad(cell, width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[4]]).rstrip())
    if any(c.hidden for r in rubrics for c in r.cases) or any(r.withheld[0] for r in rubrics):
        print(msg.t("list_footer"))
    return ExitCode.OK
