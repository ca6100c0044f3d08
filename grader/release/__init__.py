"""``grade release OUT``: the student repository of a course, and ``--check`` to prove one.

`build` writes the release, `scan` looks for course material that must not ship, `check`
proves a release against the course, and `fingerprint` records what a release was made from.
See ``docs/release.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from grader.cli import add_course_options

    parser = argparse.ArgumentParser(
        prog="grade release",
        description="Build the student repository of this course (exercises, visible cases "
        "with frozen expected values, the grader; never the solutions or hidden cases), or "
        "check one against the course.",
    )
    parser.add_argument(
        "out", metavar="OUT", help="the folder to write (or, with --check, to check)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="prove OUT against the course: fingerprint, no leaks, references full, stubs zero, "
        "every known-wrong variant named as in the course",
    )
    add_course_options(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace everything in a non-empty OUT except its .git folder",
    )
    parser.add_argument(
        "--no-lock",
        action="store_true",
        help="copy the course's uv.lock instead of locking the runtime dependencies (offline)",
    )
    parser.add_argument(
        "--sandbox",
        choices=("auto", "local", "secure"),
        default="auto",
        help="where --check runs the submissions it grades (default: auto)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    """Run ``grade release``; returns the exit code."""
    from grader.cli import ExitCode, print_error, rubrics_option
    from grader.errors import GraderError
    from grader.rubric import display_path

    args = _parser().parse_args(argv)
    try:
        from grader.release.build import Course, build_release

        rubrics = rubrics_option(args.rubrics)
        solutions = Path(args.solutions) if args.solutions else None
        course = Course.beside(rubrics, solutions)
        out = Path(args.out)
        if args.check:
            from grader.release.check import check_release

            findings = check_release(course, out, sandbox=args.sandbox)
            for finding in findings:
                print(finding)
            return int(ExitCode.OK if all(f.ok for f in findings) else ExitCode.TESTS_FAILED)
        fingerprint = build_release(course, out, force=args.force, lock=not args.no_lock)
    except GraderError as exc:
        print_error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print_error("interrupted")
        return int(ExitCode.INTERRUPTED)
    print(f"{display_path(out)}: student release {fingerprint.short} written")
    print(f"check it with: grade release --check {display_path(out)}")
    return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
