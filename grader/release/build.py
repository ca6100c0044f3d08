"""Build a student release: the repository students fork, with nothing of the answers in it.

What goes in (``docs/release.md``):

- ``exercises/`` as the course has it (notebooks without outputs or extra metadata);
- ``rubrics/`` with the visible cases only, every input and expected value frozen
  (`grader.frozen`), each known-wrong variant's outputs on those cases frozen too
  (`grader.misconceptions.frozen_misconceptions`), and of the hidden cases only how many there
  are and their points (``withheld``); ``rubrics/release.json`` is the fingerprint;
- the grader itself, vendored (``grader/``), with ``pyproject.toml`` and ``uv.lock`` for its
  runtime dependencies only;
- a student README (English and Japanese), ``.gitignore`` and the student workflow
  ``.github/workflows/grade.yml``.

Nothing else: no ``solutions/``, no variant code, no hidden case's name, input, seed or value,
no caches. `grader.release.scan` checks the finished folder for every such secret before the
build reports success.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import __version__
from grader.errors import UsageError
from grader.frozen import freeze
from grader.plan import ExercisePlan, plan_exercise
from grader.release.fingerprint import RELEASE_FILE, Fingerprint, course_fingerprint
from grader.rubric import Rubric, display_path, load_rubrics, text_of, yaml_loader

__all__ = ["Course", "build_release", "frozen_rubric"]

_FILES = Path(__file__).with_name("files")
_SKIPPED = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache"})
_WORKFLOW = Path(".github") / "workflows" / "grade.yml"


@dataclass(frozen=True)
class Course:
    """Where the course's material is."""

    rubrics: Path
    solutions: Path
    exercises: Path

    @classmethod
    def beside(cls, rubrics: Path, solutions: Path | None = None) -> Course:
        """The course whose ``rubrics/`` folder is ``rubrics`` (its siblings hold the rest)."""
        root = rubrics.resolve().parent
        return cls(
            rubrics.resolve(), (solutions or root / "solutions").resolve(), root / "exercises"
        )

    @property
    def root(self) -> Path:
        """The course repository."""
        return self.rubrics.parent


def build_release(
    course: Course, out: Path, *, force: bool = False, lock: bool = True
) -> Fingerprint:
    """Write the student release of ``course`` into ``out``; returns its fingerprint.

    ``out`` must be empty or missing; with ``force`` everything in it except ``.git`` is
    replaced. ``lock=False`` copies the course's ``uv.lock`` instead of locking the runtime
    dependencies alone (for tests that never install the release).
    """
    for folder, what in ((course.rubrics, "rubrics"), (course.exercises, "exercises")):
        if not folder.is_dir():
            raise UsageError(f"{display_path(folder)}: the course's {what} folder was not found")
    if not course.solutions.is_dir():
        raise UsageError(
            f"{display_path(course.solutions)}: a release is made from the reference solutions "
            "(use --solutions DIR)"
        )
    rubrics = load_rubrics(course.rubrics, use_cache=False)
    plans = [plan_exercise(r, course.solutions) for r in rubrics]
    _prepare(out.resolve(), force=force, course=course)
    (out / "rubrics").mkdir(parents=True)
    for plan in plans:
        text = _yaml(frozen_rubric(plan))
        (out / "rubrics" / plan.rubric.source.name).write_text(text, encoding="utf-8")
    fingerprint = course_fingerprint(rubrics, course.solutions)
    (out / "rubrics" / RELEASE_FILE).write_text(fingerprint.to_json(), encoding="utf-8")
    _copy_exercises(course.exercises, out / "exercises")
    _vendor_grader(out / "grader")
    project = _project_root()
    (out / "pyproject.toml").write_text(_pyproject(project / "pyproject.toml"), encoding="utf-8")
    shutil.copyfile(project / "uv.lock", out / "uv.lock")
    if lock:
        _lock(out)
    (out / "README.md").write_text(_readme(rubrics, fingerprint), encoding="utf-8")
    shutil.copyfile(_FILES / "gitignore", out / ".gitignore")
    workflow = course.root / _WORKFLOW
    if not workflow.is_file():
        workflow = project / _WORKFLOW
    (out / _WORKFLOW).parent.mkdir(parents=True)
    shutil.copyfile(workflow, out / _WORKFLOW)
    from grader.release.scan import course_secrets, scan

    leaks = scan(out, course_secrets(course, rubrics))
    if leaks:
        shown = "\n".join(f"  {leak}" for leak in leaks[:20])
        raise UsageError(f"{display_path(out)}: the release would leak course material:\n{shown}")
    return fingerprint


# -- rubrics -----------------------------------------------------------------------------------


def frozen_rubric(plan: ExercisePlan) -> dict[str, Any]:
    """The release's rubric for ``plan`` (made without hidden cases): visible cases with their
    inputs and expected values frozen, the hidden ones reduced to their count and points."""
    import yaml

    rubric = plan.rubric
    raw: dict[str, Any] = yaml.load(rubric.source.read_bytes(), Loader=yaml_loader())  # noqa: S506
    visible = {c.spec.name for c in plan.cases}
    cases = []
    for planned in plan.cases:
        written = raw["cases"][planned.spec.index]
        # inputs and the expected value are frozen below; a data function made them
        case = {k: v for k, v in written.items() if k not in ("args", "kwargs", "expected", "data")}
        if "depends_on" in case:  # a hidden case is not graded here: as in the course
            case["depends_on"] = [d for d in case["depends_on"] if d in visible]
        if not planned.spec.attribute:
            case["args"] = [{"frozen": freeze(a)} for a in planned.args]
            if planned.kwargs:
                case["kwargs"] = {k: {"frozen": freeze(v)} for k, v in planned.kwargs.items()}
        case["expected"] = {"frozen": freeze(planned.expected)}
        cases.append(case)
    data = {k: v for k, v in raw.items() if k not in ("cases", "misconceptions", "solution")}
    data["cases"] = cases
    if plan.hidden_skipped:
        points = sum(c.points for c in plan.hidden_skipped)
        data["withheld"] = {"cases": len(plan.hidden_skipped), "points": points}
    if rubric.misconceptions:
        from grader.misconceptions import frozen_misconceptions

        data["misconceptions"] = frozen_misconceptions(plan)
    if rubric.eps_argument:
        from grader.eps import frozen_eps_slack

        data["eps_slack"] = frozen_eps_slack(plan)
    return data


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    head = (
        "# Made by `grade release` from the course's rubric: visible cases only, every value\n"
        "# frozen exactly (grader/frozen.py). Do not edit: regenerate the release instead.\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return head + body


# -- files -------------------------------------------------------------------------------------


def _prepare(out: Path, *, force: bool, course: Course) -> None:
    for inside in (course.root, course.rubrics, course.solutions):
        if out == inside or inside.is_relative_to(out) or out.is_relative_to(course.solutions):
            raise UsageError(f"{display_path(out)}: a release goes outside the course folders")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{display_path(out)}: not a folder")
    present = [p for p in out.iterdir() if p.name != ".git"] if out.is_dir() else []
    if present and not force:
        raise UsageError(
            f"{display_path(out)}: not empty (use --force to replace everything but .git)"
        )
    for path in present:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _walk(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED and not d.startswith("."))
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")) and not name.startswith("."):
                found.append(Path(root) / name)
    return found


def _copy_exercises(source: Path, target: Path) -> None:
    for path in _walk(source):
        if path.is_symlink():
            raise UsageError(f"{display_path(path)}: links are not copied into a release")
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".ipynb":
            dest.write_text(_clean_notebook(path), encoding="utf-8")
        else:
            shutil.copyfile(path, dest)


def _clean_notebook(path: Path) -> str:
    """The notebook without outputs, execution counts or metadata beyond the kernel's."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{display_path(path)}: not a readable notebook ({exc})") from None
    meta = data.get("metadata", {})
    data["metadata"] = {k: meta[k] for k in ("kernelspec", "language_info") if k in meta}
    for cell in data.get("cells", []):
        cell["metadata"] = {}
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.pop("attachments", None)
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _vendor_grader(target: Path) -> None:
    package = Path(__file__).resolve().parent.parent
    for path in _walk(package):
        dest = target / path.relative_to(package)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def _project_root() -> Path:
    root = Path(__file__).resolve().parent.parent.parent
    if not (root / "pyproject.toml").is_file() or not (root / "uv.lock").is_file():
        raise UsageError(f"{root}: grade release needs a checkout of the grader's source")
    return root


def _pyproject(source: Path) -> str:
    """The release's project: the grader's runtime dependencies, no development tools."""
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    project = data.get("project", {})
    name = f"{project.get('name', 'course')}-student"
    lines = [
        "# Made by `grade release`: the student copy of the course's exercises and grader.",
        "[project]",
        f"name = {json.dumps(name)}",
        f"version = {json.dumps(__version__)}",
        'description = "Lecture exercises and their grader (student release)"',
        'readme = "README.md"',
        f"requires-python = {json.dumps(project.get('requires-python', '>=3.11'))}",
        "dependencies = [",
        *(f"    {json.dumps(d)}," for d in project.get("dependencies", [])),
        "]",
        "",
    ]
    watch = project.get("optional-dependencies", {}).get("watch")
    if watch:  # `grade --watch` for students too: uv run --extra watch grade --watch ...
        lines += ["[project.optional-dependencies]", "watch = ["]
        lines += [f"    {json.dumps(d)}," for d in watch]
        lines += ["]", ""]
    lines += [
        "[project.scripts]",
        'grade = "grader.cli:main"',
        "",
        "[build-system]",
        'requires = ["hatchling"]',
        'build-backend = "hatchling.build"',
        "",
        "[tool.hatch.build.targets.wheel]",
        'packages = ["grader"]',
    ]
    overrides = data.get("tool", {}).get("uv", {}).get("override-dependencies")
    if overrides:
        lines += ["", "[tool.uv]", "override-dependencies = ["]
        lines += [f"    {json.dumps(d)}," for d in overrides]
        lines.append("]")
    return "\n".join(lines) + "\n"


def _lock(out: Path) -> None:
    """Lock the release's dependencies, starting from the course's lock (same versions)."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        raise UsageError("grade release needs uv (https://docs.astral.sh/uv/) to lock the release")
    done = subprocess.run(
        [uv, "lock", "--quiet", "--directory", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise UsageError(f"uv lock failed in {display_path(out)}: {done.stderr.strip()[-2000:]}")


def _readme(rubrics: list[Rubric], fingerprint: Fingerprint) -> str:
    rows = []
    for rubric in rubrics:
        visible = sum(c.points for c in rubric.cases if not c.hidden)
        hidden_cases = [c for c in rubric.cases if c.hidden]
        hidden = sum(c.points for c in hidden_cases)
        title = f"{text_of(rubric.title, 'en')} / {text_of(rubric.title, 'ja')}"
        rows.append(
            f"| `exercises/{rubric.file}` | {title} | {visible:g} | "
            f"{len(hidden_cases)} ({hidden:g} pts) |"
        )
    template = (_FILES / "README.md").read_text(encoding="utf-8")
    return template.format(
        exercises="\n".join(rows),
        version=__version__,
        fingerprint=fingerprint.short,
    )
