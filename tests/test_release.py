"""`grade release`: the student repository, what it holds and never holds, and how it grades."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from grader import cli
from grader.plan import plan_exercise
from grader.release.build import Course, build_release
from grader.release.check import check_release
from grader.release.fingerprint import read_release
from grader.release.scan import course_secrets, scan
from grader.rubric import load_rubrics
from grader.sandbox import transport

pytestmark = pytest.mark.slow  # every test here builds or grades a release

ROOT = Path(__file__).resolve().parents[1]
COURSE = Course.beside(ROOT / "rubrics")
RUBRICS = load_rubrics(ROOT / "rubrics", use_cache=False)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of this course, locked as `grade release` locks it (built once per module)."""
    out = tmp_path_factory.mktemp("release") / "student-repo"
    build_release(COURSE, out)
    return out


@pytest.fixture
def copy_of(tmp_path: Path) -> Callable[[Path], Path]:
    """A copy of a release somewhere else, as a student's clone would be."""

    def copy(release: Path) -> Path:
        target = tmp_path / "elsewhere" / "my-fork"
        shutil.copytree(release, target)
        return target

    return copy


def _grade(*argv: str, cwd: Path | None = None) -> tuple[int, dict[str, Any], str]:
    """Run `grade` in-process (optionally from ``cwd``) with a JSON report."""
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"release-report-{os.getpid()}.json"
    here = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = cli.main([*argv, "--format", "json", "--output", str(out)])
    finally:
        os.chdir(here)
    report = json.loads(out.read_text()) if out.exists() else {}
    out.unlink(missing_ok=True)
    return code, report, ""


def _bits(value: Any) -> Any:
    """A value as comparable plain data that keeps every bit (arrays by dtype, shape, bytes)."""
    if isinstance(value, np.ndarray):
        return ("array", str(value.dtype), value.shape, value.tobytes())
    if isinstance(value, float):
        return ("float", value.hex())
    if isinstance(value, tuple | list):
        return (type(value).__name__, [_bits(v) for v in value])
    if isinstance(value, dict):
        return ("dict", sorted((k, _bits(v)) for k, v in value.items()))
    if callable(value):
        return ("callable", value.__name__)
    return (type(value).__name__, value)


def _visible_cases(report: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {
        (e["id"], c["name"]): (
            c["outcome"],
            c["score"],
            c["message"],
            c["hint"],
            c["details"].get("misconception"),
            c["details"].get("signature"),
        )
        for e in report["exercises"]
        for c in e["cases"]
        if not c["hidden"]
    }


# -- what a release holds ----------------------------------------------------------------------


def test_a_release_holds_what_students_need_and_nothing_of_the_course_tools(release: Path) -> None:
    """Exercises, frozen rubrics, fingerprint, vendored grader, project files, README, workflow."""
    present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    needed = {f"exercises/{p.name}" for p in (ROOT / "exercises").iterdir() if p.is_file()}
    needed |= {f"rubrics/{r.source.name}" for r in RUBRICS}
    needed |= {
        "rubrics/release.json",
        "grader/cli.py",
        "pyproject.toml",
        "uv.lock",
        "README.md",
        ".gitignore",
        ".github/workflows/grade.yml",
    }
    assert set() == needed - present
    top = {p.split("/")[0] for p in present}
    assert {
        ".github",
        ".gitignore",
        "README.md",
        "exercises",
        "grader",
        "pyproject.toml",
        "rubrics",
        "uv.lock",
    } == top
    assert not (release / ".github/workflows/tests.yml").exists()
    assert not any("__pycache__" in p or p.endswith(".pyc") for p in present)


def test_the_readme_is_in_english_and_japanese(release: Path) -> None:
    """The student README covers set-up, grading, notebooks, hidden cases and submitting, twice."""
    text = (release / "README.md").read_text(encoding="utf-8")
    for heading in (
        "### Set-up",
        "### Grading",
        "### Notebooks",
        "### Hidden cases",
        "### Submitting",
        "### 準備",
        "### 採点",
        "### ノートブック",
        "### 非公開のケース",
        "### 提出",
    ):
        assert heading in text
    fingerprint = read_release(release / "rubrics" / "release.json")
    assert fingerprint is not None
    assert fingerprint.short in text


def test_the_project_locks_runtime_dependencies_only(release: Path) -> None:
    """pyproject has no dev group; uv.lock holds none of the development tools."""
    pyproject = (release / "pyproject.toml").read_text()
    lock = (release / "uv.lock").read_text()
    assert "dependency-groups" not in pyproject
    for tool in ("pytest", "ruff", "mypy", "distributed"):
        assert f'name = "{tool}"' not in lock
    assert 'name = "numpy"' in lock
    # grade --watch for students too, as the README says: uv run --extra watch grade --watch
    extras = tomllib.loads(pyproject)["project"]["optional-dependencies"]
    assert ["watch"] == sorted(extras)
    assert 'name = "watchfiles"' in lock
    assert "uv run --extra watch grade --watch exercises/" in (release / "README.md").read_text()


def test_release_rubrics_keep_only_visible_cases_and_the_hidden_count(release: Path) -> None:
    """Each release rubric has the course's visible cases and only the count and points of the
    hidden ones; every input and expected value is frozen, and no generator spec is left."""
    for rubric in RUBRICS:
        data = yaml.safe_load((release / "rubrics" / rubric.source.name).read_text())
        names = [c["name"] for c in data["cases"]]
        assert [c.name for c in rubric.cases if not c.hidden] == names
        hidden = [c for c in rubric.cases if c.hidden]
        if hidden:
            expected = {"cases": len(hidden), "points": sum(c.points for c in hidden)}
            assert expected == data["withheld"]
        else:
            assert "withheld" not in data
        for case in data["cases"]:
            assert set(case["expected"]) == {"frozen"}
            assert all(set(a) == {"frozen"} for a in case.get("args", []))
            assert "hidden" not in case
        text = json.dumps(data)
        assert '"random"' not in text
        assert '"seed"' not in text


def test_frozen_inputs_and_expected_values_are_bit_exact(release: Path) -> None:
    """The release plans every visible case with the very inputs and expected values the
    course computes from its references, bit for bit."""
    released = {r.id: r for r in load_rubrics(release / "rubrics", use_cache=False)}
    for rubric in RUBRICS:
        course = plan_exercise(rubric, COURSE.solutions)
        theirs = plan_exercise(released[rubric.id], None)
        assert len(course.cases) == len(theirs.cases)
        for mine, other in zip(course.cases, theirs.cases, strict=True):
            pairs = [*zip(mine.args, other.args, strict=True), (mine.expected, other.expected)]
            pairs += [(mine.kwargs[k], other.kwargs[k]) for k in mine.kwargs]
            for a, b in pairs:
                assert _bits(a) == _bits(b)


def test_notebooks_ship_without_outputs_or_metadata(release: Path) -> None:
    """Release notebooks carry no outputs, execution counts, attachments or extra metadata."""
    for path in (release / "exercises").glob("*.ipynb"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert set(data["metadata"]) <= {"kernelspec", "language_info"}
        for cell in data["cells"]:
            assert {} == cell["metadata"]
            assert "attachments" not in cell
            if cell["cell_type"] == "code":
                assert ([], None) == (cell["outputs"], cell["execution_count"])


def test_the_release_workflow_passes_actionlint(release: Path) -> None:
    """The student workflow of the release is actionlint-clean."""
    tool = Path(sys.executable).with_name("actionlint")
    if not tool.is_file():
        pytest.fail("actionlint is missing: uv sync installs it with the dev group")
    done = subprocess.run(
        [str(tool), "-no-color", str(release / ".github/workflows/grade.yml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ("", 0) == (done.stdout, done.returncode)


# -- nothing of the answers ships --------------------------------------------------------------


def test_the_leak_scan_finds_nothing_in_a_release(release: Path) -> None:
    """No reference or variant line, no hidden case's name, input or value, in any file."""
    assert [] == scan(release, course_secrets(COURSE, RUBRICS))


def _hidden_input() -> np.ndarray:
    for rubric in RUBRICS:
        plan = plan_exercise(rubric, COURSE.solutions, include_hidden=True)
        for case in plan.cases:
            arrays = [a for a in case.args if isinstance(a, np.ndarray) and a.size > 2]
            if case.spec.hidden and arrays:
                return arrays[0]
    raise AssertionError("no hidden case with an array input")


def _plant(kind: str, release: Path) -> None:
    hidden = next(c for r in RUBRICS for c in r.cases if c.hidden)
    secrets = course_secrets(COURSE, RUBRICS)
    if kind == "reference line":
        line = next(x.pattern for x in secrets if "of solutions/softmax.py" in x.what).decode()
        with (release / "README.md").open("a") as handle:
            handle.write(f"\n    {line}\n")
    elif kind == "variant line in a notebook cell":
        line = next(x.pattern for x in secrets if "misconceptions/sgd_step.py" in x.what).decode()
        path = next((release / "exercises").glob("*.ipynb"))
        data = json.loads(path.read_text())
        cell = next(c for c in data["cells"] if c["cell_type"] == "code")
        cell["source"] = [*cell["source"], "\n", "    " + line]
        path.write_text(json.dumps(data, indent=1))
    elif kind == "hidden case name":
        with (release / "rubrics" / "release.json").open("a") as handle:
            handle.write(f"\n{hidden.name}\n")
    elif kind == "hidden input, frozen":
        blob = base64.b64encode(transport.encode_npy(_hidden_input())).decode()
        with (release / "grader" / "extra.yaml").open("w") as handle:
            handle.write(f"value: {{npy: {blob}}}\n")
    elif kind == "hidden input, raw bytes":
        (release / "exercises" / "data.bin").write_bytes(b"x" + _hidden_input().tobytes())
    elif kind == "hidden input, printed":
        value = repr(float(_hidden_input().ravel()[0]))
        (release / "exercises" / "notes.txt").write_text(f"I saw {value} somewhere\n")


@pytest.mark.parametrize(
    "kind",
    [
        "reference line",
        "variant line in a notebook cell",
        "hidden case name",
        "hidden input, frozen",
        "hidden input, raw bytes",
        "hidden input, printed",
    ],
)
def test_the_leak_scan_finds_planted_material(release: Path, copy_of, kind: str) -> None:
    """Each kind of secret, planted in a copy of the release, is found by the scan."""
    target = copy_of(release)
    _plant(kind, target)
    leaks = scan(target, course_secrets(COURSE, RUBRICS))
    assert leaks, kind


# -- the student copy grades like the course ---------------------------------------------------


def test_check_proves_a_fresh_release(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`grade release --check` passes: fingerprint, no leak, stubs 0, references full, every
    known-wrong variant named as in the course."""
    findings = check_release(COURSE, release)
    assert [] == [str(f) for f in findings if not f.ok]
    variants = sum(
        len(m["function"]) if isinstance(m["function"], list) else 1
        for r in RUBRICS
        for m in r.misconceptions
    )
    assert variants == sum(1 for f in findings if " · " in f.text)
    code = cli.main(["release", "--check", str(release), "--rubrics", str(ROOT / "rubrics")])
    assert 0 == code
    assert "FAIL" not in capsys.readouterr().out


def test_check_fails_on_a_changed_expected_value(release: Path, copy_of) -> None:
    """A release whose frozen expected value was edited fails the check, naming the exercise."""
    target = copy_of(release)
    path = target / "rubrics" / "softmax.yaml"
    data = yaml.safe_load(path.read_text())
    data["cases"][0]["expected"] = {
        "frozen": {"npy": base64.b64encode(transport.encode_npy(np.array([0.5, 0.5]))).decode()}
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    failed = [f.text for f in check_release(COURSE, target) if not f.ok]
    assert any("softmax" in text for text in failed)


def test_check_names_exercises_changed_since_the_release(release: Path, tmp_path: Path) -> None:
    """A release made before a course rubric changed fails the fingerprint check, naming it."""
    course_copy = tmp_path / "course"
    for name in ("rubrics", "solutions", "exercises"):
        shutil.copytree(ROOT / name, course_copy / name)
    rubric = course_copy / "rubrics" / "cosine_similarity.yaml"
    rubric.write_text(rubric.read_text() + "\n# changed after the release\n")
    findings = check_release(Course.beside(course_copy / "rubrics"), release)
    assert "changed: cosine_similarity" in findings[0].text
    assert not findings[0].ok


def _course_and_release(folder: Path, release: Path) -> tuple[dict[Any, Any], dict[Any, Any]]:
    _, course, _ = _grade(str(folder), "--rubrics", str(ROOT / "rubrics"))
    _, theirs, _ = _grade(str(folder), "--rubrics", str(release / "rubrics"))
    return _visible_cases(course), _visible_cases(theirs)


def test_own_submissions_grade_the_same_in_the_release(release: Path, tmp_path: Path) -> None:
    """Every wrong implementation of the feedback table, and the references, get identical
    visible-case outcomes, scores, messages, hints and named slips in the release."""
    from tests.test_wrong_implementations import TABLE

    submissions: list[tuple[str, str]] = [
        (r.file, (ROOT / "solutions" / r.file).read_text()) for r in RUBRICS
    ]
    submissions += [(f"{p.values[0]}.py", str(p.values[1])) for p in TABLE]
    named = 0
    for index, (file, source) in enumerate(submissions):
        folder = tmp_path / f"s{index}"
        folder.mkdir()
        (folder / file).write_text(source)
        course, theirs = _course_and_release(folder / file, release)
        assert course == theirs, file
        named += sum(1 for v in theirs.values() if v[4])
    assert named > 0


def test_slips_with_an_eps_of_their_own_are_named_in_the_release(
    release: Path, tmp_path: Path
) -> None:
    """A slip written with its own eps matches its variant in a release too, where the
    reference cannot vary eps: the release stores how far eps moves each case (eps_slack)."""
    from tests.conftest import SOURCE_HEAD as HEAD
    from tests.test_named_slips import SLIPS

    own_eps = [
        p.values[0]
        for p in SLIPS
        if p.values[0].exercise == "cross_entropy"
        and p.values[0].named in ("mean_not_sum", "fixed_eps")
    ]
    data = yaml.safe_load((release / "rubrics" / "cross_entropy.yaml").read_text())
    assert {"zero probability on the true class", "eps given by the caller"} == set(
        data["eps_slack"]
    )
    for index, slip in enumerate(own_eps):
        folder = tmp_path / f"e{index}"
        folder.mkdir()
        (folder / "cross_entropy.py").write_text(HEAD + slip.source)
        course, theirs = _course_and_release(folder / "cross_entropy.py", release)
        assert course == theirs
        assert {slip.named} == {v[4] for v in theirs.values() if v[0] != "passed"}


# -- a student's clone -------------------------------------------------------------------------


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to install a release (the README's set-up)")
    return uv


def test_a_clone_elsewhere_grades_with_uv_and_no_solutions(release: Path, copy_of) -> None:
    """`uv run grade exercises/` in a copy: stubs exit 1 with 0 points, references full marks
    on every visible case (exit 0), and from inside exercises/ too."""
    target = copy_of(release)
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_RUN_RECURSION_DEPTH")
    }
    env["XDG_CACHE_HOME"] = str(target.parent / "cache")  # nothing of the course's cache
    first = subprocess.run(
        [_uv(), "run", "--quiet", "grade", "exercises/", "--format", "json"],
        cwd=target,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert 1 == first.returncode, first.stderr
    stubs = json.loads(first.stdout)
    assert 0 == stubs["score"]
    assert not list(target.rglob("solutions"))
    grade = str(target / ".venv" / "bin" / "grade")
    for rubric in RUBRICS:
        shutil.copyfile(ROOT / "solutions" / rubric.file, target / "exercises" / rubric.file)
    done = subprocess.run(
        [grade, "exercises/", "--format", "json"],
        cwd=target,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    full = json.loads(done.stdout)
    visible = sum(c.points for r in RUBRICS for c in r.cases if not c.hidden)
    assert (visible, visible) == (full["score"], full["max_score"])
    inside = subprocess.run(
        [grade, "softmax.py"],
        cwd=target / "exercises",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert 0 == inside.returncode, inside.stderr
    assert "release" in inside.stdout


def test_a_solved_notebook_beside_untouched_stubs_scores_full(release: Path, copy_of) -> None:
    """A student who worked only in the notebook is graded from it, and the report says why."""
    target = copy_of(release)
    shutil.copyfile(
        ROOT / "solutions" / "lecture01.ipynb", target / "exercises" / "lecture01.ipynb"
    )
    code, report, _ = _grade(str(target / "exercises"), "--rubrics", str(target / "rubrics"))
    assert 0 == code
    assert report["score"] == report["max_score"]
    notes = "\n".join(report["meta"]["notes"])
    assert "softmax.py is still the stub" in notes


def test_a_worked_py_file_wins_over_a_worked_notebook_and_the_report_says_so(
    tmp_path: Path,
) -> None:
    """When both the .py file and the notebook define an exercise, the .py file is graded."""
    folder = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", folder)
    shutil.copyfile(ROOT / "solutions" / "lecture01.ipynb", folder / "lecture01.ipynb")
    wrong = "import numpy as np\n\ndef softmax(z, axis=-1):\n    return np.exp(z)\n"
    (folder / "softmax.py").write_text(wrong)
    _, report, _ = _grade(str(folder), "--rubrics", str(ROOT / "rubrics"))
    softmax = next(e for e in report["exercises"] if e["id"] == "softmax")
    assert softmax["score"] < softmax["max_score"]
    assert any("graded softmax.py" in n for n in report["meta"]["notes"])
    others = [e for e in report["exercises"] if e["id"] != "softmax"]
    assert all(e["score"] == e["max_score"] for e in others)


def test_rubrics_are_found_from_the_current_folder_upward(tmp_path: Path) -> None:
    """From a folder of the course, `grade softmax.py` needs no --rubrics; from a folder with
    no rubrics/ above it, a usage error."""
    code, report, _ = _grade("softmax.py", cwd=ROOT / "solutions")
    assert 0 == code
    assert ["softmax"] == [e["id"] for e in report["exercises"]]
    outside = tmp_path / "nowhere"
    outside.mkdir()
    (outside / "softmax.py").write_text("def softmax(z, axis=-1):\n    return z\n")
    code, _, _ = _grade("softmax.py", cwd=outside)
    assert 2 == code


def test_include_hidden_is_refused_in_a_release(
    release: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A student release has no hidden cases to include: a usage error that says why."""
    code = cli.main(
        [str(release / "exercises"), "--rubrics", str(release / "rubrics"), "--include-hidden"]
    )
    assert 2 == code
    assert "graded after you submit" in capsys.readouterr().err


# -- the course grades a student's fork --------------------------------------------------------


def test_the_course_grades_a_fork_root_with_hidden_cases(release: Path, copy_of) -> None:
    """`grade FORK --include-hidden` from the course grades FORK/exercises with every case."""
    target = copy_of(release)
    for rubric in RUBRICS:
        shutil.copyfile(ROOT / "solutions" / rubric.file, target / "exercises" / rubric.file)
    code, report, _ = _grade(str(target), "--rubrics", str(ROOT / "rubrics"), "--include-hidden")
    assert 0 == code
    total = sum(r.max_score for r in RUBRICS)
    assert (total, total) == (report["score"], report["max_score"])
    assert report["meta"]["submitted_from"]["matches"] is True
    assert not any("another release" in n for n in report["meta"].get("notes", []))


def test_the_course_warns_about_a_fork_of_another_release(release: Path, copy_of) -> None:
    """A fork whose release fingerprint differs from the course's gets a warning naming the
    exercises that changed since."""
    target = copy_of(release)
    path = target / "rubrics" / "release.json"
    data = json.loads(path.read_text())
    data["exercises"]["softmax"]["rubric"] = "0" * 64
    path.write_text(json.dumps(data))
    _, report, _ = _grade(str(target), "--rubrics", str(ROOT / "rubrics"))
    notes = report["meta"]["notes"]
    assert any("another release" in n and "softmax" in n for n in notes)
    assert ["softmax"] == report["meta"]["submitted_from"]["changed"]


@pytest.mark.parametrize("kind", ["symlink", "fifo", "huge", "not json", "wrong shape"])
def test_a_fork_release_file_is_read_safely(tmp_path: Path, kind: str) -> None:
    """A release.json that is a link, a FIFO, huge or malformed reads as absent, never blocks."""
    path = tmp_path / "release.json"
    if kind == "symlink":
        target = tmp_path / "real.json"
        target.write_text("{}")
        path.symlink_to(target)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "huge":
        path.write_text("[" * (1 << 20))
    elif kind == "not json":
        path.write_bytes(b"\xff\xfe")
    else:
        path.write_text(json.dumps({"format": 1, "grader_version": 1, "exercises": []}))
    assert read_release(path) is None


def test_batch_grades_forks_with_hidden_cases_and_warns_about_other_releases(
    release: Path, tmp_path: Path
) -> None:
    """`grade batch` over cloned forks grades each fork's exercises/ with every case, and a
    fork of another release carries the warning in its report."""
    from grader.batch.gradebook import FILENAME, Gradebook

    entries = tmp_path / "student-repos"
    for name in ("alice", "bob"):
        fork = entries / name
        shutil.copytree(release, fork)
        for rubric in RUBRICS:
            shutil.copyfile(ROOT / "solutions" / rubric.file, fork / "exercises" / rubric.file)
    stale = entries / "bob" / "rubrics" / "release.json"
    data = json.loads(stale.read_text())
    data["exercises"]["sgd_step"]["reference"] = "f" * 64
    stale.write_text(json.dumps(data))
    out = tmp_path / "results"
    code = cli.main(["batch", str(entries), "--out", str(out), "--rubrics", str(ROOT / "rubrics")])
    assert 0 == code
    with Gradebook(out / FILENAME) as book:
        stored = {r.student: r for r in book.rows()}
    total = sum(r.max_score for r in RUBRICS)
    assert [total, total] == [stored["alice"].score, stored["bob"].score]
    assert stored["alice"].report["meta"]["submitted_from"]["matches"] is True
    assert ["sgd_step"] == stored["bob"].report["meta"]["submitted_from"]["changed"]
