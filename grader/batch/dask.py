"""Grade on an existing Dask cluster (``grade batch ... --dask-scheduler tcp://host:8786``).

The instructor's process reads and checks every submission (unsafe archives are refused
here), sends chunks of submissions to the workers as plain data — file names and bytes —
and writes each chunk's results to the gradebook as it comes back. Results are plain dicts
(`GradeReport.to_dict()`), never pickled student objects. Each worker process keeps one warm
template and the course's plans, made once per rubric hash; the sandbox inside the worker
enforces the time limits (a Dask task cannot be interrupted by a signal).

The workers need the same version of this package (``pip install`` it on each worker, or
start them from this project's environment); that is checked before anything is sent.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader import __version__
from grader.batch.discover import Bundle, Entry

__all__ = ["CHUNK", "grade_chunk", "run_on_cluster"]

#: submissions per task: a task costs milliseconds of scheduling, a submission ~50 ms
CHUNK = 8

_state_lock = threading.Lock()
_state: dict[str, Any] = {}


def run_on_cluster(
    address: str,
    course: Any,
    todo: list[tuple[Entry, str]],
    sink: Callable[[dict[str, Any]], None],
    *,
    chunk_size: int = CHUNK,
    sandbox: str = "auto",
    lang: str = "en",
) -> None:
    """Grade ``todo`` on the cluster at ``address``; ``sink`` gets each result here."""
    import importlib

    from grader.batch.work import grader_error_result, prepare, refused_result
    from grader.errors import UsageError

    try:
        # typed as Any: distributed's API is not annotated
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise UsageError(
            "--dask-scheduler needs the 'distributed' package (uv sync --extra dask)"
        ) from None
    try:
        client = distributed.Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--dask-scheduler {address}: cannot connect ({exc})") from None
    try:
        _check_versions(client)
        payload = {**_course_payload(course), "sandbox": sandbox, "lang": lang}
        shared = client.scatter([payload], broadcast=True)[0]
        futures: dict[Any, list[tuple[Entry, str]]] = {}
        chunk: list[dict[str, Any]] = []
        members: list[tuple[Entry, str]] = []

        def flush() -> None:
            if chunk:
                future = client.submit(grade_chunk, shared, list(chunk), pure=False)
                futures[future] = list(members)
                chunk.clear()
                members.clear()

        for entry, content_hash in todo:
            bundle = prepare(entry, course)
            if isinstance(bundle, str):
                sink(refused_result(entry, course, content_hash, bundle))
                continue
            chunk.append(
                {
                    "student": entry.student,
                    "entry": entry.name,
                    "kind": entry.kind,
                    "content_hash": content_hash,
                    "files": bundle.files,
                }
            )
            members.append((entry, content_hash))
            if len(chunk) >= chunk_size:
                flush()
        flush()
        try:
            for future in distributed.as_completed(list(futures)):
                if future.status == "finished":
                    for result in future.result():
                        result.pop("retry_alone", None)  # re-runnable: graded again next run
                        sink(result)
                else:
                    error = f"the Dask task failed: {future.exception()!r}"
                    for entry, content_hash in futures[future]:
                        sink(grader_error_result(entry, course, content_hash, error))
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        client.close()


def _check_versions(client: Any) -> None:
    """Refuse to grade when a worker runs another grader version (or none)."""
    from grader.errors import UsageError

    try:
        found = client.run(_worker_version, on_error="return")
    except TypeError:  # older distributed without on_error
        found = client.run(_worker_version)
    if not found:
        raise UsageError("the Dask cluster has no workers")
    wrong = {w: v for w, v in found.items() if v != __version__}
    if wrong:
        worker, version = sorted(wrong.items())[0]
        shown = version if isinstance(version, str) else f"cannot import grader ({version!r})"
        raise UsageError(
            f"Dask worker {worker} runs grader {shown}, this is {__version__}; install the "
            f"same version on every worker ({len(wrong)} of {len(found)} differ)"
        )
    print(f"Dask cluster: {len(found)} workers, grader {__version__} on each", file=sys.stderr)


def _worker_version() -> str:
    import grader

    return grader.__version__


def _course_payload(course: Any) -> dict[str, Any]:
    """The rubric files and reference solutions as bytes, for workers without our files."""
    rubrics = {r.source.name: r.source.read_bytes() for r in course.rubrics}
    solutions: dict[str, bytes] = {}
    if course.solutions is not None:
        # the whole folder: rubrics may name more than the reference (e.g. known-wrong variants)
        for path in sorted(course.solutions.rglob("*")):
            rel = path.relative_to(course.solutions)
            if path.is_file() and "__pycache__" not in rel.parts:
                solutions[rel.as_posix()] = path.read_bytes()
    return {
        "rubric_hash": course.rubric_hash,
        "version": __version__,
        "rubrics": rubrics,
        "solutions": solutions,
    }


def _grader_for(shared: dict[str, Any]) -> Any:
    from grader.batch.work import Course, Grader, load_course

    key = shared["rubric_hash"]
    with _state_lock:
        grader = _state.get(key)
        if grader is None:
            root = Path(tempfile.mkdtemp(prefix="grade-course-"))
            (root / "rubrics").mkdir()
            (root / "solutions").mkdir()
            for name, data in shared["rubrics"].items():
                (root / "rubrics" / Path(name).name).write_bytes(data)
            for name, data in shared["solutions"].items():
                parts = [p for p in Path(name).parts if p not in ("", ".", "..", "/")]
                target = root.joinpath("solutions", *parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            loaded = load_course(root / "rubrics", root / "solutions")
            course = Course(loaded.rubrics, loaded.plans, loaded.solutions, key)
            grader = Grader(course, sandbox=str(shared.get("sandbox", "auto")))
            _state[key] = grader
        return grader


def grade_chunk(shared: dict[str, Any], chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Runs on a worker: grade a chunk of submissions, return plain-data results."""
    from concurrent.futures import ThreadPoolExecutor

    from grader import messages

    grader = _grader_for(shared)
    lang = str(shared.get("lang", "en"))
    messages.set_language(lang if lang in messages.LANGUAGES else "en")

    def one(item: dict[str, Any]) -> dict[str, Any]:
        entry = Entry(item["student"], item["entry"], Path(item["entry"]), item["kind"])
        bundle = Bundle(dict(item["files"]), item["kind"])
        return dict(grader.grade(entry, bundle, item["content_hash"]))

    # the children run in parallel; these threads only wait on them
    with ThreadPoolExecutor(max_workers=min(4, len(chunk) or 1)) as pool:
        return list(pool.map(one, chunk))
