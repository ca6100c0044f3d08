"""The `grade` command: argument parsing, files and exit codes only; no grading logic here.

Exit codes: 0 every case passed, 1 some case failed, 2 usage or rubric error,
3 internal error. With ``--fail-under PERCENT`` the score decides instead of the cases: 0 when
the points earned are at least PERCENT of the points available (a percentage, not points, so
one threshold survives rubric changes and hidden cases), else 1.
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from grader import __version__
from grader.errors import GraderError, UsageError

if TYPE_CHECKING:
    from grader.model import GradeReport
    from grader.reporters import Reporter

__all__ = ["ExitCode", "main", "print_error", "rubrics_option", "solutions_folder"]


class ExitCode(enum.IntEnum):
    """What `grade` returns."""

    OK = 0
    TESTS_FAILED = 1
    USAGE_ERROR = 2
    INTERNAL_ERROR = 3


#: other commands: ``grade NAME ...`` calls ``module.main(argv) -> int`` (imported on use)
SUBCOMMANDS: dict[str, str] = {
    "gradescope-bundle": "grader.bundle",
}
SUBCOMMANDS["batch"] = "grader.batch.run"  # grade many submissions into a gradebook
SUBCOMMANDS["export"] = "grader.batch.export"  # gradebook -> reports, CSVs, summary, plots
SUBCOMMANDS["release"] = "grader.release"  # the student repository of the course
SUBCOMMANDS["check-rubrics"] = "grader.audit"  # every rubric problem, with file and line


def _parser(*, for_help: bool = False) -> argparse.ArgumentParser:
    # The reporter registry is imported only to print help (or to check a --format value):
    # every student run pays for what is imported before the child template starts.
    formats = "terminal, json, ..."
    if for_help:
        from grader.reporters import REPORTERS

        formats = ", ".join(sorted(REPORTERS))
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade lecture exercises against reference solutions, per YAML rubric.",
    )
    parser.add_argument(
        "path",
        nargs="?",
        default="exercises",
        help="a folder of exercise files, or one exercise file (default: exercises/)",
    )
    parser.add_argument(
        "--rubrics",
        metavar="DIR",
        default=None,
        help="folder of rubric YAML files (default: the rubrics/ folder found from the "
        "current folder upward, else from PATH upward)",
    )
    parser.add_argument(
        "--solutions",
        metavar="DIR",
        default=None,
        help="reference solutions (default: solutions/ beside the rubrics)",
    )
    parser.add_argument("--list", action="store_true", help="list the exercises and exit")
    parser.add_argument(
        "--format",
        type=_format_option,
        default=None,
        metavar="FORMAT",
        help=f"report format: {formats} (default: terminal; github when GITHUB_ACTIONS=true)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE")
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
    parser.add_argument(
        "--lang",
        choices=("en", "ja"),
        default=None,
        help="language of the report (default: ja when LC_ALL/LC_MESSAGES/LANG start with ja)",
    )
    parser.add_argument(
        "--include-hidden", action="store_true", help="also run hidden cases (instructors)"
    )
    parser.add_argument(
        "--sandbox",
        choices=("auto", "local", "secure"),
        default="auto",
        help="where student code runs: secure (Linux namespaces + seccomp), local (a child "
        "process with limits; not a security boundary) or auto (secure where it works; "
        "default); see docs/security.md",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="re-validate rubrics instead of using the cache"
    )
    parser.add_argument(
        "--kernel",
        action="store_true",
        help="run notebooks in a Jupyter kernel (ipykernel) instead of as plain Python",
    )
    parser.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _format_option(text: str) -> str:
    from grader.reporters import REPORTERS

    if text not in REPORTERS:
        known = ", ".join(sorted(REPORTERS))
        raise argparse.ArgumentTypeError(f"unknown format {text!r} (choose from {known})")
    return text


def _report_option(text: str) -> tuple[str, Path]:
    from grader.reporters import REPORTERS

    name, sep, path = text.partition("=")
    if not sep or not path:
        raise argparse.ArgumentTypeError(f"expected FORMAT=PATH, got {text!r}")
    if name not in REPORTERS:
        known = ", ".join(sorted(REPORTERS))
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run `grade`; returns the exit code (the console script exits with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        module = importlib.import_module(SUBCOMMANDS[argv[0]])
        code: int = module.main(argv[1:])
        return code
    args = _parser(for_help=any(a in ("-h", "--help") for a in argv)).parse_args(argv)
    try:
        return int(_grade(args))
    except GraderError as exc:
        print_error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print_error("interrupted")
        return int(ExitCode.INTERNAL_ERROR)
    except Exception as exc:
        if args.traceback:
            raise
        print_error(
            f"internal error: {type(exc).__name__}: {exc} (re-run with --traceback and report it)"
        )
        return int(ExitCode.INTERNAL_ERROR)


def print_error(text: str) -> None:
    """Print ``error: TEXT`` on stderr (in red on a terminal, unless NO_COLOR is set)."""
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    prefix = "\x1b[31merror:\x1b[0m" if colour else "error:"
    print(f"{prefix} {text}", file=sys.stderr)


def _grade(args: argparse.Namespace) -> ExitCode:
    path = Path(args.path)
    if not args.list and not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    rubrics_dir = rubrics_option(args.rubrics, path)
    template = None
    if not args.list:
        # Start the child template first: it imports NumPy on the other core while we load.
        from grader.sandbox import secure

        hidden = [rubrics_dir] + ([Path(args.solutions)] if args.solutions else [])
        hidden.append(rubrics_dir.resolve().parent / "solutions")
        # A notebook run in a kernel needs no template.
        if not (args.kernel and path.suffix == ".ipynb"):
            template = secure.start(args.sandbox, path.resolve(), hidden)
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
        if template is not None:
            from grader.sandbox import secure

            template = secure.settle(template, args.sandbox)
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
        if template is not None:
            template.close()
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "terminal")
    text = _reporter(fmt, color=args.output is None).render(report)
    if args.output:
        _write(Path(args.output), text)
        if fmt != "terminal":
            sys.stdout.write(_reporter("terminal", color=True).render(report))
    else:
        sys.stdout.write(text)
    for name, path in args.report:
        _write(path, _reporter(name, color=False).render(report))
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        summary = Path(os.environ["GITHUB_STEP_SUMMARY"])
        _write(summary, _reporter("markdown", color=False).render(report), append=True)
    return _exit_code(report, args.fail_under)


def _exit_code(report: GradeReport, fail_under: float | None) -> ExitCode:
    """Default: any failed case fails the run; with --fail-under, the score percentage decides."""
    if fail_under is None:
        return ExitCode.OK if report.passed else ExitCode.TESTS_FAILED
    share = 100.0 if report.max_score <= 0 else 100.0 * report.score / report.max_score
    return ExitCode.OK if share >= fail_under - 1e-9 else ExitCode.TESTS_FAILED


def _reporter(name: str, *, color: bool) -> Reporter:
    from grader.reporters import REPORTERS
    from grader.reporters.github import GithubReporter
    from grader.reporters.terminal import TerminalReporter

    if name == "terminal":
        on = color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        return TerminalReporter(color=on)
    if name == "github":
        # a fresh token now, after grading: no child that ran student code ever saw it
        return GithubReporter(token=os.urandom(16).hex())
    return REPORTERS[name]


def _write(path: Path, text: str, *, append: bool = False) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the report: {exc.strerror}") from None


def rubrics_option(option: str | None, path: Path | None = None) -> Path:
    """``--rubrics``, else the ``rubrics/`` folder found from the current folder upward, else
    from ``path`` (what is graded) upward."""
    if option is not None:
        return Path(option)
    from grader.rubric import find_rubrics

    return find_rubrics(Path.cwd(), *([path] if path is not None else []))


def solutions_folder(option: str | None, rubrics_dir: Path) -> Path | None:
    """The reference solutions: ``--solutions``, else ``solutions/`` beside the rubrics."""
    if option is not None:
        path = Path(option)
        if not path.is_dir():
            raise UsageError(f"{path}: solutions folder not found")
        return path.resolve()
    default = rubrics_dir.resolve().parent / "solutions"
    return default if default.is_dir() else None


def _list(rubrics_dir: Path, *, use_cache: bool, lang: str = "en") -> ExitCode:
    from grader import messages as msg
    from grader.rubric import load_rubrics, text_of

    for rubric in load_rubrics(rubrics_dir, use_cache=use_cache):
        hidden = sum(1 for c in rubric.cases if c.hidden) + rubric.withheld[0]
        visible = sum(1 for c in rubric.cases if not c.hidden)
        cases = msg.t("list_cases", count=visible)
        if hidden:
            cases += msg.t("list_hidden", count=hidden)
        print(
            f"{rubric.id:<20} {rubric.file:<22} {cases}, {rubric.max_score:g} {msg.t('pts')}"
            f"  {text_of(rubric.title, lang)}"
        )
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
