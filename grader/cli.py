"""The `grade` command: argument parsing, files and exit codes only; no grading logic here.

Exit codes: 0 every case passed, 1 some case failed, 2 usage or rubric error,
3 internal error.
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from grader import __version__
from grader.errors import GraderError, UsageError

__all__ = ["ExitCode", "main"]


class ExitCode(enum.IntEnum):
    """What `grade` returns."""

    OK = 0
    TESTS_FAILED = 1
    USAGE_ERROR = 2
    INTERNAL_ERROR = 3


#: other commands: ``grade NAME ...`` calls ``module.main(argv) -> int`` (imported on use)
SUBCOMMANDS: dict[str, str] = {}


def _parser() -> argparse.ArgumentParser:
    from grader.reporters import REPORTERS

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
        default="rubrics",
        help="folder of rubric YAML files (default: rubrics/)",
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
        choices=sorted(REPORTERS),
        default="terminal",
        help="report format (default: terminal)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE")
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
    parser.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `grade`; returns the exit code (the console script exits with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        module = importlib.import_module(SUBCOMMANDS[argv[0]])
        code: int = module.main(argv[1:])
        return code
    args = _parser().parse_args(argv)
    try:
        return int(_grade(args))
    except GraderError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return int(ExitCode.INTERNAL_ERROR)
    except Exception as exc:
        if args.traceback:
            raise
        _error(
            f"internal error: {type(exc).__name__}: {exc} (re-run with --traceback and report it)"
        )
        return int(ExitCode.INTERNAL_ERROR)


def _error(text: str) -> None:
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    prefix = "\x1b[31merror:\x1b[0m" if colour else "error:"
    print(f"{prefix} {text}", file=sys.stderr)


def _grade(args: argparse.Namespace) -> ExitCode:
    rubrics_dir = Path(args.rubrics)
    if args.list:
        return _list(rubrics_dir, use_cache=not args.no_cache)
    # Start the child template first: it imports NumPy on the other core while we load.
    from grader.sandbox import secure

    path = Path(args.path)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    hidden = [rubrics_dir] + ([Path(args.solutions)] if args.solutions else [])
    hidden.append(rubrics_dir.resolve().parent / "solutions")
    template = secure.start(args.sandbox, path.resolve(), hidden)
    try:
        from grader.grading import grade_submission, locate_submission
        from grader.rubric import load_rubrics

        rubrics = load_rubrics(rubrics_dir, use_cache=not args.no_cache)
        submission = locate_submission(path, rubrics)
        solutions = _solutions(args.solutions, rubrics_dir)
        template = secure.settle(template, args.sandbox)
        report = grade_submission(
            submission, rubrics, solutions, template, include_hidden=args.include_hidden
        )
    finally:
        template.close()
    from grader.reporters import REPORTERS
    from grader.reporters.terminal import TerminalReporter

    if args.format == "terminal":
        color = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = TerminalReporter(color=color).render(report)
    else:
        text = REPORTERS[args.format].render(report)
    if args.output:
        out = Path(args.output)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{out}: cannot write the report: {exc.strerror}") from None
        if args.format != "terminal":
            color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
            sys.stdout.write(TerminalReporter(color=color).render(report))
    else:
        sys.stdout.write(text)
    return ExitCode.OK if report.passed else ExitCode.TESTS_FAILED


def _solutions(option: str | None, rubrics_dir: Path) -> Path | None:
    if option is not None:
        path = Path(option)
        if not path.is_dir():
            raise UsageError(f"{path}: solutions folder not found")
        return path.resolve()
    default = rubrics_dir.resolve().parent / "solutions"
    return default if default.is_dir() else None


def _list(rubrics_dir: Path, *, use_cache: bool) -> ExitCode:
    from grader.rubric import load_rubrics, text_of

    for rubric in load_rubrics(rubrics_dir, use_cache=use_cache):
        hidden = sum(1 for c in rubric.cases if c.hidden)
        visible = len(rubric.cases) - hidden
        print(
            f"{rubric.id:<20} {rubric.file:<22} {visible} cases"
            f"{f' + {hidden} hidden' if hidden else ''}, {rubric.max_score:g} pts"
            f"  {text_of(rubric.title)}"
        )
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
