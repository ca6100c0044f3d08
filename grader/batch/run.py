"""`grade batch SUBMISSIONS --output RESULTS`: grade every submission into the gradebook.

Entries whose content and rubrics are unchanged since the last run are skipped (a rerun
resumes); grader-side failures are re-run. Submissions are graded by a pool of threads
sharing one warm template (children run in parallel), or on a Dask cluster with
``--dask-scheduler``; either way only this process writes the gradebook, one transaction
per submission as soon as it is graded. The roster, the assignment name and the language
are remembered in the gradebook, so a later run (or `grade export`) without them keeps them.

Exit codes: `grader.cli.ExitCode` (README: the exit-code table).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader import __version__
from grader.batch.discover import Entry
from grader.untrusted import printable

__all__ = ["Interrupted", "add_arguments", "run", "run_local"]

ResultSink = Callable[[dict[str, Any]], None]
DEFAULT_ASSIGNMENT = "Lecture exercises"


class Interrupted(Exception):  # noqa: N818 - the user's Ctrl-C, not a programming error
    """Grading stopped at the user's request; what was recorded stays."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``grade batch``."""
    from grader.cli import add_course_options, add_output_option
    from grader.grade_command import add_lang_option

    parser.add_argument("submissions", help="folder with one entry per student")
    add_output_option(
        parser,
        metavar="RESULTS",
        help="results folder: gradebook.sqlite, reports, CSVs, summary (required)",
    )
    add_course_options(parser)
    parser.add_argument(
        "--roster",
        metavar="CSV",
        help="CSV with columns name (the entry's name) and id, plus LMS columns; kept in the "
        "gradebook for later runs (default: the roster of an earlier run, if any)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        default=os.cpu_count() or 2,
        help="submissions graded at once (default: the number of cores)",
    )
    parser.add_argument(
        "--regrade",
        action="store_true",
        help="grade everything again and print whose score changed (default: resume)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    parser.add_argument(
        "--dask-scheduler", metavar="ADDRESS", help="grade on this Dask cluster (tcp://host:8786)"
    )
    parser.add_argument(
        "--sandbox",
        choices=["auto", "local", "secure"],
        default="auto",
        help="where student code runs (default auto: secure where bubblewrap works; one "
        "sandbox for the batch that shows no submission, each child gets only its own files)",
    )
    parser.add_argument(
        "--kernel",
        action="store_true",
        help="not available for batches: notebooks are graded as plain Python in the "
        "sandbox (an error says so; use `grade --kernel NOTEBOOK` for one notebook)",
    )
    add_lang_option(
        parser,
        "the students' reports and the summary",
        "the last one given, else from the locale",
    )
    parser.add_argument(
        "--assignment",
        metavar="NAME",
        help=f"assignment (column) name in the LMS files, kept for later runs and exports "
        f"(default: the last one given, else {DEFAULT_ASSIGNMENT!r})",
    )
    parser.add_argument("--no-export", action="store_true", help="do not write the exports")
    parser.add_argument(
        "--no-cache", action="store_true", help="re-validate rubrics instead of using the cache"
    )
    parser.add_argument("--exercise-jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--threads-per-worker", type=int, default=8, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Run `grade batch`; returns the exit code."""
    from grader import messages
    from grader.batch.discover import discover, fingerprint, read_roster
    from grader.batch.gradebook import FILENAME, Gradebook
    from grader.batch.progress import Progress, StopOnInterrupt, changes_text
    from grader.batch.work import GRADER_ERROR, load_course
    from grader.cli import ExitCode, rubrics_option, solutions_folder
    from grader.errors import UsageError

    if args.output is None:
        raise UsageError("grade batch: --output RESULTS is required (the results folder)")
    if args.workers < 1:
        raise UsageError(f"--workers: must be at least 1 (got {args.workers})")
    if args.kernel:
        # A Jupyter kernel runs outside the sandbox, on this machine, with the grader's rights;
        # a batch of untrusted notebooks is graded confined, as plain Python, instead.
        raise UsageError(
            "--kernel: a batch grades notebooks as plain Python in the sandbox (a Jupyter "
            "kernel would run every student's code unconfined); grade one notebook in a "
            "kernel with `grade --kernel --sandbox local NOTEBOOK --include-hidden`"
        )
    rubrics_dir = rubrics_option(args.rubrics)
    course = load_course(
        rubrics_dir, solutions_folder(args.solutions, rubrics_dir), use_cache=not args.no_cache
    )
    roster = read_roster(Path(args.roster)) if args.roster else None
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: --output must be a folder")
    resuming = (out / FILENAME).is_file() and not args.regrade
    with Gradebook(out / FILENAME) as book:
        if roster is not None:
            book.set_roster(roster)
        else:
            roster = book.roster()
        lang = _remember(book, "lang", args.lang, messages.language_from_env(os.environ))
        messages.set_language(lang)  # what this run prints, the summary and the children's text
        assignment = _remember(book, "assignment", args.assignment, DEFAULT_ASSIGNMENT)
        entries, warnings = discover(Path(args.submissions), roster)
        for warning in warnings:  # entry names are the students': control characters escaped
            print(messages.t("batch_warning", text=printable(warning)), file=sys.stderr)
        for old, new in book.rekey([(e.student, e.name) for e in entries]):
            print(printable(messages.t("batch_rekeyed", old=old, new=new)), file=sys.stderr)
            from grader.batch.export import safe_name

            shutil.rmtree(out / "reports" / safe_name(old), ignore_errors=True)
        book.set_course(course_info(course))
        book.set_students([(e.student, e.name, e.roster) for e in entries])
        stored = book.stored()
        todo: list[tuple[Entry, str]] = []
        for entry in entries:
            content_hash = fingerprint(entry)
            kept = None if args.regrade else stored.get(entry.student)
            if book.needs_grading(kept, content_hash, course.rubric_hash):
                todo.append((entry, content_hash))
        skipped = len(entries) - len(todo)
        found = messages.t(
            "batch_found", count=len(entries), folder=printable(args.submissions), todo=len(todo)
        )
        kept_note = messages.t("batch_kept", count=skipped) if resuming else ""
        print(found + kept_note, file=sys.stderr)
        command = getattr(args, "command_line", None) or ["grade", "batch"]
        run_id = book.start_run(__version__, course.rubric_hash, shlex.join(command))
        show = args.progress if args.progress is not None else sys.stderr.isatty()
        progress = Progress(len(todo), enabled=show)
        unconfined: dict[str, int] = {}  # why submissions ran in local mode, and how many
        changes: list[tuple[str, float | None, float | None]] = []

        def sink(result: dict[str, Any]) -> None:
            book.record(result, run_id)
            progress.update(result["outcome"])
            before = stored.get(result["student"])
            score = result["score"]
            if before is not None and None not in (before.score, score) and before.score != score:
                changes.append((result["student"], before.score, score))
            report = result.get("report") or {}
            if report.get("sandbox") == "local" and result["outcome"] == "graded":
                reason = str(report.get("meta", {}).get("sandbox_fallback", ""))
                unconfined[reason] = unconfined.get(reason, 0) + 1

        try:
            if args.dask_scheduler:
                from grader.batch.dask import run_on_cluster

                run_on_cluster(
                    args.dask_scheduler, course, todo, sink, sandbox=args.sandbox, lang=lang
                )
            else:
                with StopOnInterrupt() as stop:
                    run_local(
                        course,
                        todo,
                        sink,
                        workers=args.workers,
                        exercise_jobs=args.exercise_jobs,
                        threads_per_worker=args.threads_per_worker,
                        sandbox=args.sandbox,
                        stop=stop,
                    )
        except (KeyboardInterrupt, Interrupted):
            progress.close()
            book.finish_run(run_id, "interrupted")
            print(
                messages.t(
                    "batch_interrupted", done=progress.done, total=len(todo), path=out / FILENAME
                ),
                file=sys.stderr,
            )
            return int(ExitCode.INTERRUPTED)
        progress.close()
        book.finish_run(run_id, "done")
        counts = book.count()
    if args.dask_scheduler and args.sandbox != "local":  # a local run said so when it began
        for reason, count in unconfined.items():
            why = printable(reason) or messages.t("batch_no_secure")
            print(messages.t("batch_unconfined_cluster", count=count, why=why), file=sys.stderr)
    if args.regrade or changes:
        print(printable(changes_text(changes, regrade=args.regrade)), file=sys.stderr, end="")
    if not args.no_export:
        from grader.batch.export import export

        written = export(out, assignment=assignment, lang=lang)
        print(messages.t("batch_wrote", count=len(written), folder=out), file=sys.stderr)
    failed = counts.get(GRADER_ERROR, 0)
    done = messages.t(
        "batch_done",
        graded=counts.get("graded", 0),
        refused=counts.get("refused", 0),
        failed=failed,
    )
    print(done + (messages.t("batch_retry") if failed else ""), file=sys.stderr)
    return int(ExitCode.INCOMPLETE if failed else ExitCode.OK)


def _remember(book: Any, key: str, given: str | None, default: str) -> str:
    """The option's value if given (and remember it), else the one remembered, else default."""
    if given is not None:
        book.set_setting(key, given)
        return given
    return str(book.setting(key) or default)


def course_info(course: Any) -> dict[str, Any]:
    """The exercises, cases and points of a course, as stored for the exports."""
    from grader.rubric import text_of

    return {
        "rubric_hash": course.rubric_hash,
        "exercises": [
            {
                "id": plan.rubric.id,
                "title": text_of(plan.rubric.title) or plan.rubric.id,
                "max_score": plan.rubric.max_score,
                "cases": [
                    {"name": c.spec.name, "points": c.spec.points, "hidden": c.spec.hidden}
                    for c in plan.cases
                ],
            }
            for plan in course.plans
        ],
    }


def run_local(
    course: Any,
    todo: list[tuple[Entry, str]],
    sink: ResultSink,
    *,
    workers: int,
    exercise_jobs: int = 1,
    threads_per_worker: int = 8,
    sandbox: str = "auto",
    stop: threading.Event | None = None,
) -> None:
    """Grade ``todo`` in this process with a pool of threads and one warm template.

    When ``stop`` is set, nothing more is recorded: the children are stopped and `Interrupted`
    is raised (results that arrive after it are dropped; their submissions are graded again).
    """
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    from grader.batch.work import Grader

    stop = stop or threading.Event()
    grader = Grader(course, exercise_jobs=exercise_jobs, sandbox=sandbox)
    if todo:
        try:
            grader.template()  # now: a sandbox that cannot start is a usage error, not N failures
        except BaseException:
            grader.close()
            raise
        if grader.fallback:
            from grader.messages import t

            print(t("batch_unconfined", why=grader.fallback), file=sys.stderr)
    # Threads only wait on children; several per core keep the cores busy even while some
    # wait out a hostile submission's time limits.
    threads = max(1, workers * threads_per_worker)
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="grade")
    pending: set[Future[dict[str, Any]]] = set()
    suspects: list[dict[str, Any]] = []
    queue = iter(todo)
    limit = threads * 2
    try:
        while True:
            while len(pending) < limit:
                item = next(queue, None)
                if item is None:
                    break
                pending.add(pool.submit(grader.grade_entry, item[0], item[1]))
            if not pending:
                break
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            if stop.is_set():
                raise Interrupted
            for future in done:
                result = future.result()
                if result.pop("retry_alone", False):
                    suspects.append(result)
                else:
                    sink(result)
    finally:
        for future in pending:
            future.cancel()
        grader.close()
        pool.shutdown(wait=True, cancel_futures=True)
    # Submissions in flight when the template died, one at a time: a submission that kills
    # the template then fails alone (a re-runnable grader error); the others are graded.
    by_student = {entry.student: (entry, content_hash) for entry, content_hash in todo}
    alone = Grader(course, exercise_jobs=exercise_jobs, sandbox=sandbox)
    try:
        for failed in suspects:
            if stop.is_set():
                raise Interrupted
            entry, content_hash = by_student[failed["student"]]
            result = alone.grade_entry(entry, content_hash)
            result.pop("retry_alone", None)
            sink(result)
    finally:
        alone.close()
