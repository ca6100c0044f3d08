"""The `grade` command line: one argparse parser per command, errors -> `ExitCode`; no grading.

``grade [PATH] [options]`` grades one submission (`grader.grade_command`); ``grade COMMAND ...``
runs another command (`COMMANDS`), and ``grade help [COMMAND]`` prints a command's help.

Exit codes are `ExitCode`, the same for every command; the README's exit-code table is the
one place that says what each means for each command (a test keeps the two in step).

Adding a command: one entry in `COMMANDS`. Its module provides ``add_arguments(parser)`` and
``run(args) -> int`` (this module parses, prints errors and maps exceptions to exit codes), or
only ``main(argv) -> int``, which then receives the arguments after the command's name.
"""

from __future__ import annotations

import argparse
import enum
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from grader import __version__, cli_text, messages
from grader.errors import GraderError, UsageError

__all__ = [
    "COMMANDS",
    "Command",
    "ExitCode",
    "add_course_options",
    "add_output_option",
    "guarded",
    "main",
    "print_error",
    "rubrics_option",
    "solutions_folder",
]


class ExitCode(enum.IntEnum):
    """What every `grade` command returns (README: the exit-code table)."""

    OK = 0
    #: grade: some case failed (or under --fail-under); check-rubrics / release --check: problems
    TESTS_FAILED = 1
    USAGE_ERROR = 2
    INTERNAL_ERROR = 3
    #: batch: the grader failed on some submissions (re-runnable, never a student's zero)
    INCOMPLETE = 4
    #: Ctrl-C (128 + SIGINT, as shells report it)
    INTERRUPTED = 130


class Command:
    """A subcommand: the module that implements it and one line for `grade --help`.

    A plain class: importing `dataclasses` costs about 10 ms, before the child template
    starts, on every `grade` run (`python -X importtime -m grader`)."""

    __slots__ = ("module", "summary")

    def __init__(self, module: str, summary: str) -> None:
        self.module = module
        self.summary = summary


#: ``grade NAME ...``; each module is imported only when its command runs or help is printed
COMMANDS: dict[str, Command] = {
    "batch": Command(
        "grader.batch.run", "grade a folder of submissions into a gradebook (resumable)"
    ),
    "export": Command(
        "grader.batch.export", "write reports, grades.csv, LMS files and the summary again"
    ),
    "gradescope-bundle": Command("grader.bundle", "build the Gradescope autograder zip"),
    "release": Command("grader.release", "write the student repository of the course"),
    "check-rubrics": Command(
        "grader.audit", "report every problem of the course's rubrics with file and line"
    ),
}

_USAGE = "grade [PATH] [options]\n       grade COMMAND [options]  (grade help COMMAND)"
_HELP_EPILOG = (
    "exit codes (every command): 0 done, 1 some case failed (grade) or problems found, "
    "2 usage or rubric error, "
    "3 internal error, 4 some submissions not graded (batch: run again), 130 interrupted"
)


def add_output_option(
    parser: argparse.ArgumentParser, *, metavar: str, help: str, default: str | None = None
) -> None:
    """``--output`` (every command spells it so), with ``--out`` kept as a hidden alias."""
    parser.add_argument("--output", metavar=metavar, default=default, help=help)
    parser.add_argument("--out", dest="output", help=argparse.SUPPRESS)


def add_course_options(
    parser: argparse.ArgumentParser,
    *,
    rubrics_help: str = "folder of rubric YAML files (default: the rubrics/ folder found from the"
    " current folder upward)",
) -> None:
    """``--rubrics`` and ``--solutions``, as every command that reads the course spells them;
    `rubrics_option` and `solutions_folder` resolve them."""
    parser.add_argument("--rubrics", metavar="DIR", default=None, help=rubrics_help)
    parser.add_argument(
        "--solutions",
        metavar="DIR",
        default=None,
        help="reference solutions (default: solutions/ beside the rubrics)",
    )


def _grade_parser() -> argparse.ArgumentParser:
    from grader import grade_command

    parser = argparse.ArgumentParser(
        prog="grade",
        usage=_USAGE,
        description="Grade lecture exercises against reference solutions, per YAML rubric.",
        epilog=_HELP_EPILOG,
    )
    grade_command.add_arguments(parser)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return cli_text.localise(parser)


def _full_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser `grade --help` prints, with one subparser per command."""
    parser = _grade_parser()
    commands = parser.add_subparsers(
        title="commands",
        metavar="COMMAND",
        dest="command",
        help="instead of grading PATH (grade help COMMAND shows its options)",
    )
    parsers: dict[str, argparse.ArgumentParser] = {}
    for name, command in COMMANDS.items():
        module = importlib.import_module(command.module)
        if hasattr(module, "add_arguments"):
            sub = commands.add_parser(
                name,
                help=command.summary,
                description=f"grade {name}: {command.summary}",
                epilog=_HELP_EPILOG,
            )
            module.add_arguments(sub)
            sub.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
        else:  # a module with only main(argv) parses its own arguments
            sub = commands.add_parser(name, help=command.summary, add_help=False)
        parsers[name] = sub
    parsers["help"] = commands.add_parser("help", help="show the help of grade or of COMMAND")
    parsers["help"].add_argument("topic", nargs="?", metavar="COMMAND", help="a command's name")
    return cli_text.localise(parser), parsers


def main(argv: Sequence[str] | None = None) -> int:
    """Run `grade`; returns the exit code (the console script exits with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _one_blas_thread()
    lang = cli_text.language_of(argv)
    messages.set_language(lang)
    if lang != "en":
        cli_text.install()  # argparse's usage, headings and errors in that language
    name = argv[0] if argv else ""
    if name in COMMANDS or name == "help":
        return _subcommand(name, argv[1:])
    if any(a in ("-h", "--help") for a in argv):
        _full_parser()[0].parse_args(["--help"])  # prints the help and exits 0
    from grader import grade_command

    args = _grade_parser().parse_args(argv)
    return guarded(grade_command.run, args)


def _one_blas_thread() -> None:
    """One BLAS thread in the grader too, unless the user chose otherwise: the grader compares
    small arrays, and OpenBLAS's default pool spins up a thread per core at `import numpy`,
    taking the core the child template needs at the same moment (`grade solutions/` in a
    release, 2 cores: 320 ms with the pool, 280 ms without; median of 15)."""
    from grader.sandbox.secure import CHILD_THREADS

    for key, value in CHILD_THREADS.items():
        os.environ.setdefault(key, value)


def _subcommand(name: str, rest: list[str]) -> int:
    parser, parsers = _full_parser()
    if name == "help":
        topic = rest[0] if rest else None
        if topic is None:
            parser.print_help()
            return int(ExitCode.OK)
        if topic not in COMMANDS:
            known = ", ".join(COMMANDS)
            print_error(messages.t("usage_no_command", name=repr(topic), commands=known))
            return int(ExitCode.USAGE_ERROR)
        name, rest = topic, ["--help"]
    module: ModuleType = importlib.import_module(COMMANDS[name].module)
    if not hasattr(module, "add_arguments"):
        code: int = module.main(rest)
        return code
    sub = parsers[name]
    sub.prog = f"grade {name}"
    args = sub.parse_args(rest)
    args.command_line = ["grade", name, *rest]  # recorded with a batch run
    return guarded(module.run, args)


def guarded(
    run: Callable[[argparse.Namespace], int], args: argparse.Namespace, *, interrupt: bool = True
) -> int:
    """Run a command: its errors are one `error:` line and an exit code, never a traceback.
    Ctrl-C is `ExitCode.INTERRUPTED`, or reaches the caller without ``interrupt`` (a run of
    ``grade --watch``, which Ctrl-C ends)."""
    try:
        return int(run(args))
    except GraderError as exc:
        print_error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        if not interrupt:
            raise
        print_error(messages.t("usage_interrupted"))
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:
        if getattr(args, "traceback", False):
            raise
        print_error(messages.t("usage_internal", error=f"{type(exc).__name__}: {exc}"))
        return int(ExitCode.INTERNAL_ERROR)


def print_error(text: str) -> None:
    """Print ``error: TEXT`` on stderr (in red on a terminal, unless NO_COLOR is set); the
    text may quote a student's file or entry name, so its control characters are escaped."""
    from grader.untrusted import printable

    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    word = messages.t("usage_error_prefix")
    prefix = f"\x1b[31m{word}\x1b[0m" if colour else word
    space = "" if word.endswith("：") else " "  # a full-width colon carries its own space
    print(f"{prefix}{space}{printable(text)}", file=sys.stderr)


def rubrics_option(option: str | None, path: Path | None = None) -> Path:
    """``--rubrics``, else the ``rubrics/`` folder (one with YAML files) found from the current
    folder upward, else from ``path`` (what is graded) upward, as git and pytest find their
    root: grading works from any folder of a course repository or of a student release."""
    if option is not None:
        return Path(option)
    starts = [Path.cwd(), *([path] if path is not None else [])]
    for start in starts:
        folder = start.resolve()
        if not folder.is_dir():
            folder = folder.parent
        for parent in (folder, *folder.parents):
            candidate = parent / "rubrics"
            if candidate.is_dir() and any(
                name.endswith((".yaml", ".yml")) for name in os.listdir(candidate)
            ):
                return candidate
    where = ", ".join(os.path.relpath(s) for s in starts)
    raise UsageError(messages.t("usage_no_rubrics_above", where=where))


def solutions_folder(option: str | None, rubrics_dir: Path) -> Path | None:
    """The reference solutions: ``--solutions``, else ``solutions/`` beside the rubrics."""
    if option is not None:
        path = Path(option)
        if not path.is_dir():
            raise UsageError(messages.t("usage_no_solutions", path=path))
        return path.resolve()
    default = rubrics_dir.resolve().parent / "solutions"
    return default if default.is_dir() else None


if __name__ == "__main__":
    sys.exit(main())
