"""`grade batch SUBMISSIONS --out RESULTS`: grade every submission into the gradebook.

Entries whose content and rubrics are unchanged since the last run are skipped (a rerun
resumes); grader-side failures are re-run. Submissions are graded by a pool of threads
sharing one warm template (children run in parallel), or on a Dask cluster with
``--dask-scheduler``; either way only this process writes the gradebook, one transaction
per submission as soon as it is graded.

Exit codes: 0 every submission graded, 1 the grader failed on some (run again to retry),
2 usage or rubric error, 3 internal error or interrupted.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from grader import __version__
from grader.batch.discover import Entry

__all__ = ["main"]

ResultSink = Callable[[dict[str, Any]], None]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade batch",
        description="Grade a folder of submissions (folders, .zip or .ipynb; one per student) "
        "into a SQLite gradebook, hidden cases included; a rerun resumes.",
    )
    parser.add_argument("submissions", help="folder with one entry per student")
    parser.add_argument("--out", metavar="RESULTS", required=True, help="results folder")
    parser.add_argument("--rubrics", metavar="DIR", default="rubrics", help="default: rubrics/")
    parser.add_argument("--solutions", metavar="DIR", help="default: solutions/ beside the rubrics")
    parser.add_argument(
        "--roster", metavar="CSV", help="CSV with columns name (the entry's name) and id"
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        default=os.cpu_count() or 2,
        help="submissions graded at once (default: the number of cores)",
    )
    parser.add_argument(
        "--regrade", action="store_true", help="grade everything again (default: resume)"
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
    parser.add_argument("--no-export", action="store_true", help="do not write the exports")
    parser.add_argument(
        "--no-cache", action="store_true", help="re-validate rubrics instead of using the cache"
    )
    parser.add_argument("--exercise-jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--threads-per-worker", type=int, default=8, help=argparse.SUPPRESS)
    parser.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str]) -> int:
    """Run `grade batch`; returns the exit code."""
    from grader.cli import ExitCode, print_error
    from grader.errors import GraderError

    args = _parser().parse_args(list(argv))
    try:
        return _batch(args, list(argv))
    except GraderError as exc:
        print_error(str(exc))
        return exc.exit_code
    except Exception as exc:
        if args.traceback:
            raise
        print_error(f"internal error: {type(exc).__name__}: {exc} (re-run with --traceback)")
        return int(ExitCode.INTERNAL_ERROR)


def _batch(args: argparse.Namespace, argv: list[str]) -> int:
    from grader.batch.discover import discover, fingerprint
    from grader.batch.gradebook import FILENAME, Gradebook
    from grader.batch.progress import Progress
    from grader.batch.work import GRADER_ERROR, load_course
    from grader.cli import solutions_folder
    from grader.errors import UsageError

    if args.workers < 1:
        raise UsageError(f"--workers: must be at least 1 (got {args.workers})")
    rubrics_dir = Path(args.rubrics)
    course = load_course(
        rubrics_dir, solutions_folder(args.solutions, rubrics_dir), use_cache=not args.no_cache
    )
    entries, warnings = discover(Path(args.submissions), Path(args.roster) if args.roster else None)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: --out must be a folder")
    resuming = (out / FILENAME).is_file() and not args.regrade
    with Gradebook(out / FILENAME) as book:
        book.set_course(course_info(course))
        book.set_students([(e.student, e.name, e.roster) for e in entries])
        stored = {} if args.regrade else book.stored()
        todo: list[tuple[Entry, str]] = []
        for entry in entries:
            content_hash = fingerprint(entry)
            if book.needs_grading(stored.get(entry.student), content_hash, course.rubric_hash):
                todo.append((entry, content_hash))
        skipped = len(entries) - len(todo)
        print(
            f"{len(entries)} submissions in {args.submissions}: {len(todo)} to grade"
            + (f", {skipped} unchanged since the last run (kept)" if resuming else ""),
            file=sys.stderr,
        )
        run_id = book.start_run(
            __version__, course.rubric_hash, shlex.join(["grade", "batch", *argv])
        )
        show = args.progress if args.progress is not None else sys.stderr.isatty()
        progress = Progress(len(todo), enabled=show)

        unconfined: dict[str, int] = {}  # why submissions ran in local mode, and how many

        def sink(result: dict[str, Any]) -> None:
            book.record(result, run_id)
            progress.update(result["outcome"])
            report = result.get("report") or {}
            if report.get("sandbox") == "local" and result["outcome"] == "graded":
                reason = str(report.get("meta", {}).get("sandbox_fallback", ""))
                unconfined[reason] = unconfined.get(reason, 0) + 1

        try:
            if args.dask_scheduler:
                from grader.batch.dask import run_on_cluster

                run_on_cluster(args.dask_scheduler, course, todo, sink, sandbox=args.sandbox)
            else:
                run_local(
                    course,
                    todo,
                    sink,
                    workers=args.workers,
                    exercise_jobs=args.exercise_jobs,
                    sandbox=args.sandbox,
                )
        except KeyboardInterrupt:
            progress.close()
            book.finish_run(run_id, "interrupted")
            print(
                f"interrupted: {progress.done} of {len(todo)} graded this run and saved in "
                f"{out / FILENAME}; run the same command again to grade the rest",
                file=sys.stderr,
            )
            return 3
        progress.close()
        book.finish_run(run_id, "done")
        counts = book.count()
    if args.dask_scheduler and args.sandbox != "local":  # a local run said so when it began
        for reason, count in unconfined.items():
            print(
                f"warning: {count} submissions were graded in local mode on the cluster, where "
                f"student code is not confined: {reason or 'secure mode could not start'}",
                file=sys.stderr,
            )
    if not args.no_export:
        from grader.batch.export import export

        written = export(out)
        print(f"wrote {len(written)} files to {out}", file=sys.stderr)
    failed = counts.get(GRADER_ERROR, 0)
    print(
        f"{counts.get('graded', 0)} graded, {counts.get('refused', 0)} refused, "
        f"{failed} grader errors"
        + (
            " (not the students' fault; run the same command again to retry them)" if failed else ""
        ),
        file=sys.stderr,
    )
    return 1 if failed else 0


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
) -> None:
    """Grade ``todo`` in this process with a pool of threads and one warm template."""
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    from grader.batch.work import Grader

    grader = Grader(course, exercise_jobs=exercise_jobs, sandbox=sandbox)
    if todo:
        try:
            grader.template()  # now: a sandbox that cannot start is a usage error, not N failures
        except BaseException:
            grader.close()
            raise
        if grader.fallback:
            print(
                f"warning: grading in local mode, where student code is not confined: "
                f"{grader.fallback}",
                file=sys.stderr,
            )
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
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
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
            entry, content_hash = by_student[failed["student"]]
            result = alone.grade_entry(entry, content_hash)
            result.pop("retry_alone", None)
            sink(result)
    finally:
        alone.close()
