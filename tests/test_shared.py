"""Shared children: a folder's exercises answered by two children give the same report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from grader.grading import grade_submission, locate_submission
from grader.rubric import load_rubrics
from grader.sandbox import secure
from grader.sandbox.protocol import Job
from grader.sandbox.runner import Template
from tests.test_wrong_implementations import TABLE

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
SOLUTIONS = ROOT / "solutions"
RUBRIC_LIST = load_rubrics(RUBRICS, use_cache=False)
FAST = [replace(r, time_limit=1.0) for r in RUBRIC_LIST]

#: files that change what the files after them see: each must be graded as if alone
PATCHING = {
    "np.exp replaced at import": (
        "softmax",
        "import numpy as np\n_exp = np.exp\nnp.exp = lambda x: _exp(x) * 2\n\n"
        "def softmax(z, axis=-1):\n    e = _exp(z - np.max(z, axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n",
    ),
    "builtins.sum replaced": (
        "softmax",
        "import builtins\nbuiltins.sum = lambda *a, **k: 0\n"
        + (SOLUTIONS / "softmax.py").read_text(encoding="utf-8"),
    ),
    "a helper left on numpy for later files": (
        "softmax",
        "import numpy as np\nnp.shared_helper = 1\n"
        + (SOLUTIONS / "softmax.py").read_text(encoding="utf-8"),
    ),
    "floating-point errors raised": (
        "softmax",
        "import numpy as np\nnp.seterr(all='raise')\n"
        + (SOLUTIONS / "softmax.py").read_text(encoding="utf-8"),
    ),
    "numpy swapped in sys.modules": (
        "softmax",
        "import sys, types\nimport numpy as np\nsys.modules['numpy'] = types.ModuleType('numpy')\n"
        "def softmax(z, axis=-1):\n    e = np.exp(z - np.max(z, axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n",
    ),
    "a function that patches numpy when called": (
        "cosine_similarity",
        "import numpy as np\n\ndef cosine_similarity(a, b):\n    np.dot = None\n"
        "    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))\n",
    ),
}
#: files that stop or break a shared child
DEATHS = {
    "exit at import": ("cross_entropy", "import sys\nsys.exit(3)\n"),
    "loop at import": ("cross_entropy", "while True:\n    pass\n"),
    "loop in every call": (
        "cosine_similarity",
        "def cosine_similarity(a, b):\n    while True:\n        pass\n",
    ),
    "exit in a call": (
        "sgd_step",
        "import sys\n\ndef sgd_step(*args, **kwargs):\n    sys.exit(0)\n",
    ),
    "syntax error": ("log_normal_pdf", "def log_normal_pdf(x, mu, sigma):\n    return (\n"),
    "a name missing": ("softmax", "import numpy as np\n"),
    "flood of output": (
        "softmax",
        "def softmax(z, axis=-1):\n    while True:\n        print('x' * 4096)\n",
    ),
    "memory exhausted": (
        "sgd_step",
        "import numpy as np\n\ndef sgd_step(*args, **kwargs):\n"
        "    return np.ones((1 << 40,), dtype=np.uint8)\n",
    ),
}


@pytest.fixture(scope="module")
def template() -> Iterator[Template]:
    """One local template for the module (the sandbox mode does not matter here)."""
    with Template() as warm:
        warm.wait_ready()
        yield warm


def folder_with(tmp_path: Path, exercise: str, source: str) -> Path:
    """The reference solutions with one exercise file replaced."""
    folder = tmp_path / "submission"
    folder.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / f"{exercise}.py").write_text(source, encoding="utf-8")
    return folder


def graded(folder: Path, template: Template, *, share: bool, rubrics: Any = None) -> dict[str, Any]:
    """The report (hidden cases included) without timings, which differ from run to run."""
    chosen = rubrics or RUBRIC_LIST
    report = grade_submission(
        locate_submission(folder, chosen),
        chosen,
        SOLUTIONS,
        template,
        include_hidden=True,
        share=share,
    )
    return _without_timings(report.to_dict())


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in ("seconds", "time")}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


class Counting:
    """A template that counts the children it is asked for (and the files each answers)."""

    def __init__(self, inner: Template) -> None:
        self.inner = inner
        self.jobs: list[int] = []
        self.mode = inner.mode
        self.fallback = inner.fallback
        self.bwrap = inner.bwrap
        self.detached = inner.detached

    def run(self, job: Job, blobs: list[bytes], limits: Any) -> Any:
        """Count the job, then run it."""
        self.jobs.append(job.imports or 1)
        return self.inner.run(job, blobs, limits)


@pytest.mark.slow
def test_reference_solutions_take_two_children(template: Template) -> None:
    """A correct folder costs one child for the visible cases and one for the hidden ones."""
    counting = Counting(template)
    report = graded(SOLUTIONS, counting, share=True)  # type: ignore[arg-type]
    exercises = len(RUBRIC_LIST)
    with_hidden = sum(1 for r in RUBRIC_LIST if any(c.hidden for c in r.cases))
    assert [exercises, with_hidden] == counting.jobs
    assert report["score"] == report["max_score"]


def test_without_sharing_each_exercise_has_its_children(template: Template) -> None:
    """``share=False`` runs a child per exercise and per hidden group, as before."""
    counting = Counting(template)
    graded(SOLUTIONS, counting, share=False)  # type: ignore[arg-type]
    with_hidden = sum(1 for r in RUBRIC_LIST if any(c.hidden for c in r.cases))
    assert len(RUBRIC_LIST) + with_hidden == len(counting.jobs)


@pytest.mark.parametrize(
    ("exercise", "source"), [p.values[:2] for p in TABLE], ids=[p.id for p in TABLE]
)
@pytest.mark.slow
def test_wrong_implementations_get_the_same_report(
    tmp_path: Path, template: Template, exercise: str, source: str
) -> None:
    """Every known-wrong implementation gets the report it gets when graded alone."""
    folder = folder_with(tmp_path, exercise, source)
    assert graded(folder, template, share=False) == graded(folder, template, share=True)


@pytest.mark.parametrize("name", sorted(PATCHING))
@pytest.mark.slow
def test_files_that_patch_shared_modules_get_the_same_report(
    tmp_path: Path, template: Template, name: str
) -> None:
    """A file that patches what later files use does not change their verdicts."""
    exercise, source = PATCHING[name]
    folder = folder_with(tmp_path, exercise, source)
    assert graded(folder, template, share=False) == graded(folder, template, share=True)


@pytest.mark.parametrize("name", sorted(PATCHING))
def test_the_shared_child_stops_after_a_patching_file(
    tmp_path: Path, template: Template, name: str
) -> None:
    """The files after a patching one are answered by children of their own."""
    exercise, source = PATCHING[name]
    folder = folder_with(tmp_path, exercise, source)
    counting = Counting(template)
    graded(folder, counting, share=True)  # type: ignore[arg-type]
    assert len(counting.jobs) > 2


@pytest.mark.parametrize("name", sorted(DEATHS))
@pytest.mark.slow
def test_files_that_stop_the_child_get_the_same_report(
    tmp_path: Path, template: Template, name: str
) -> None:
    """A file that exits, hangs, floods or fails costs the same with sharing as without."""
    exercise, source = DEATHS[name]
    folder = folder_with(tmp_path, exercise, source)
    alone = graded(folder, template, share=False, rubrics=FAST)
    assert alone == graded(folder, template, share=True, rubrics=FAST)


@pytest.mark.slow
def test_a_hang_costs_one_time_limit_in_the_shared_child(
    tmp_path: Path, template: Template
) -> None:
    """A case stopped by its time limit in the shared child is not run again in a child alone;
    the exercises the child did not reach get children of their own for their visible cases."""
    exercise, source = DEATHS["loop in every call"]
    folder = folder_with(tmp_path, exercise, source)
    counting = Counting(template)
    report = graded(folder, counting, share=True, rubrics=FAST)
    cases = next(e for e in report["exercises"] if e["id"] == exercise)["cases"]
    assert {"timeout"} == {c["reason"] for c in cases}
    order = [r.id for r in FAST]
    later = len(order) - order.index(exercise) - 1
    visible = sum(1 for c in cases if not c["hidden"])
    others = sum(1 for r in FAST if r.id != exercise and any(c.hidden for c in r.cases))
    # the shared children (the hidden one without it), the other visible cases alone, a child
    # for its hidden group, and one per exercise the visible child did not reach
    assert [len(order), others] + [1] * (visible - 1 + 1 + later) == counting.jobs


@pytest.mark.skipif(bool(secure.unavailable()), reason=secure.unavailable() or "available")
@pytest.mark.slow
def test_detached_sandbox_grades_from_the_jobs_text(tmp_path: Path, template: Template) -> None:
    """A sandbox that shows no submission gives the report a local child gives: files import
    their siblings from memory and tracebacks keep their lines."""
    source = (
        "from softmax import softmax\nimport numpy as np\n\n"
        "def cross_entropy(y_pred, y_true, eps=1e-12):\n    return softmax(1 / 0)\n"
    )
    folder = folder_with(tmp_path, "cross_entropy", source)
    detached = secure.settle(secure.start("secure", None), "secure")
    try:
        assert detached.detached
        assert "secure" == detached.mode
        report = graded(folder, detached, share=True)
    finally:
        detached.close()
    expected = graded(folder, template, share=True)
    expected["sandbox"] = "secure"
    expected["sandbox_bwrap"] = detached.bwrap
    assert expected == report
    cross = next(e for e in report["exercises"] if e["id"] == "cross_entropy")
    assert "ZeroDivisionError" in cross["cases"][0]["message"]
    assert "line 5" in cross["cases"][0]["message"]
