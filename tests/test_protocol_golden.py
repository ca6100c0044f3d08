"""The child protocol, differentially: every attack and wrong implementation, graded end to end,
gives the report stored in ``tests/golden/protocol/`` (refresh with ``--update-goldens``).

The goldens were written from the grader as it was before the protocol was typed (issue 14),
so a refactoring of the job, the child's case loop or the collector that changes any verdict,
score, message or failure reason shows here. Reports are normalised first: timings, paths of
temporary folders and the grader's version are dropped or replaced; everything a student or
teacher reads is kept. Worker mode (local, and secure where it runs) grades every attack file
as a whole submission, so shared children are covered too; notebooks run without a kernel
for every wrong implementation, and in a Jupyter kernel for a cheap subset.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.sandbox import seccomp
from tests.conftest import ROOT, RUBRICS, SOLUTIONS
from tests.test_sandbox_attacks import ATTACKS, TABLE, fast_rubrics  # noqa: F401 - a fixture
from tests.test_wrong_implementations import TABLE as WRONG

pytestmark = pytest.mark.slow  # every test here grades through the real CLI

PROTOCOL = Path(__file__).resolve().parent / "golden" / "protocol"

#: attacks run in a kernel too (the kernel is no sandbox: only attacks on values, exceptions,
#: exits, memory and time, never on the machine)
KERNEL_ATTACKS = (
    "always_equal",
    "exit_in_function",
    "import_error",
    "infinite_loop",
    "memory_bomb_numpy",
    "missing_function",
    "mutate_inputs",
    "nan_output",
    "object_output",
    "raise_leaks_hidden",
    "string_output",
)

#: cells of the solution notebook, by the exercise they define
_CELL = {
    "softmax": 2,
    "cross_entropy": 4,
    "cosine_similarity": 6,
    "log_normal_pdf": 8,
    "sgd_step": 10,
}

#: keys whose values differ from run to run or machine to machine
_DROPPED = frozenset({"seconds", "grader_version", "submission", "file", "sandbox_bwrap"})


def normalise(report: dict[str, Any], *places: Path) -> dict[str, Any]:
    """``report`` without timings, versions or temporary paths (each of ``places`` -> <tmp>)."""
    text = json.dumps(report, sort_keys=True)
    # messages show a path relative to wherever pytest runs (`grader.messages.shown_path`)
    shown = {str(p) for p in places} | {os.path.relpath(p) for p in places}
    for place in sorted(shown, key=len, reverse=True):
        text = text.replace(json.dumps(place)[1:-1], "<tmp>")
    text = re.sub(r"(\.\./)+tmp/[^\"'() ,]*?/(?=[\w.-]+\.(py|ipynb)\b)", "<tmp>/", text)
    text = re.sub(r"pytest-of-[^/\"]+/pytest-\d+/[^/\"]+", "<tmp>", text)
    text = re.sub(r"(\.\./?)+<tmp>", "<tmp>", text)

    def clean(value: Any) -> Any:
        if isinstance(value, dict) and _quiet_pass(value):  # one line: the golden stays short
            return f"ok {value['name']} ({value['score']}/{value['max_score']})"
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in _DROPPED}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(json.loads(text))


def _quiet_pass(case: dict[str, Any]) -> bool:
    """Whether ``case`` is a case's report that passed with nothing to say."""
    quiet = {"passed": True, "message": "", "hint": "", "details": {}, "reason": ""}
    return "name" in case and "outcome" in case and all(case.get(k) == v for k, v in quiet.items())


def _compare(request: pytest.FixtureRequest, name: str, report: dict[str, Any]) -> None:
    actual = json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path = PROTOCOL / name
    if request.config.getoption("--update-goldens"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; run pytest --update-goldens"
    assert path.read_text(encoding="utf-8") == actual, f"{name} differs from its golden file"


def _attack_source(name: str, tmp_path: Path, rubrics: Path) -> str:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    source = (ATTACKS / f"{name}.py").read_text(encoding="utf-8")
    for key, value in {
        "__CANARY__": str(outside / "canary"),
        "__SOLUTIONS__": str(rubrics.parent / "solutions"),
        "__RUBRICS__": str(rubrics),
        "__ROOT__": str(ROOT),
        "__PORT__": "9",  # discard: nothing listens, and seccomp or the sandbox blocks it
    }.items():
        source = source.replace(key, value)
    return source


def _attack_params() -> list[Any]:
    params = []
    for attack in TABLE:
        for mode in ("local", "secure"):
            if (attack.modes == "secure") == (mode == "local"):
                continue  # local: what local mode promises; secure: what only it promises
            params.append(pytest.param(attack, mode, id=f"{attack.name}-{mode}"))
    return params


@pytest.mark.parametrize(("attack", "mode"), _attack_params())
def test_attack_report_is_unchanged(
    request: pytest.FixtureRequest,
    attack: Any,
    mode: str,
    run_grade: Callable[..., Any],
    submission: Callable[..., Path],
    fast_rubrics: Path,  # noqa: F811 - the fixture imported above
    secure_mode: str,
    tmp_path: Path,
) -> None:
    """An attack file in a whole submission gets the stored report, case by case."""
    if mode == "secure" and secure_mode:
        pytest.skip(f"secure mode cannot run here: {secure_mode}")
    if mode == "local" and attack.needs_seccomp and not seccomp.available():
        pytest.skip("local mode survives this attack only with a seccomp filter")
    folder = submission(cosine_similarity=_attack_source(attack.name, tmp_path, fast_rubrics))
    run = run_grade(
        str(folder), "--rubrics", str(fast_rubrics), "--sandbox", mode, "--include-hidden"
    )
    assert run.report is not None, run.stderr
    report = normalise(run.report, tmp_path, fast_rubrics.parent)
    _compare(request, f"{mode}/{attack.name}.json", {"code": run.code, "report": report})


def _notebook(tmp_path: Path, exercise: str, source: str) -> Path:
    """The solution notebook with the cell that defines ``exercise`` replaced by ``source``."""
    notebook = json.loads((SOLUTIONS / "lecture01.ipynb").read_text(encoding="utf-8"))
    cell = notebook["cells"][_CELL[exercise]]
    cell.update(source=source, outputs=[], execution_count=None)
    path = tmp_path / "lecture01.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def _one_rubric(tmp_path: Path, exercise: str, seconds: int = 2) -> Path:
    """A rubrics folder with only ``exercise`` (a kernel grades it, not the whole pack)."""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    text = (RUBRICS / f"{exercise}.yaml").read_text(encoding="utf-8")
    text = re.sub(
        r"^time_limit: .*$",
        f"time_limit: {seconds}\nmemory_limit_mb: 256",
        text,
        flags=re.MULTILINE,
    )
    (folder / f"{exercise}.yaml").write_text(text, encoding="utf-8")
    return folder


def _wrong_params() -> list[Any]:
    return [pytest.param(*p.values, id=p.id) for p in WRONG]


@pytest.mark.parametrize(("exercise", "source", "_score", "_reasons", "_text"), _wrong_params())
def test_wrong_implementation_reports_are_unchanged(
    request: pytest.FixtureRequest,
    run_grade: Callable[..., Any],
    submission: Callable[..., Path],
    tmp_path: Path,
    exercise: str,
    source: str,
    _score: float,
    _reasons: set[str],
    _text: str,
) -> None:
    """A wrong implementation gets the stored report as a file, and as a notebook's cell."""
    name = re.sub(r"[^\w]+", "_", request.node.callspec.id).strip("_")
    folder = submission(**{exercise: source})
    run = run_grade(str(folder / f"{exercise}.py"), "--sandbox", "local", "--include-hidden")
    assert run.report is not None, run.stderr
    report = normalise(run.report, tmp_path)
    _compare(request, f"file/{name}.json", {"code": run.code, "report": report})
    notebook = _notebook(tmp_path, exercise, "import numpy as np\n" + source)
    run = run_grade(str(notebook), "--sandbox", "local", "--include-hidden")
    assert run.report is not None, run.stderr
    report = normalise(run.report, tmp_path)
    _compare(request, f"notebook/{name}.json", {"code": run.code, "report": report})


@pytest.mark.parametrize(
    ("exercise", "source"),
    [
        pytest.param(p.values[0], p.values[1], id=p.id)
        for p in WRONG
        if p.id
        in (
            "softmax modifying its input",
            "cross-entropy returning the terms",
            "log-pdf with math instead of numpy",
            "sgd with the sum of gradients",
        )
    ],
)
def test_wrong_implementation_reports_in_a_kernel_are_unchanged(
    request: pytest.FixtureRequest,
    run_grade: Callable[..., Any],
    tmp_path: Path,
    exercise: str,
    source: str,
) -> None:
    """A wrong implementation in a notebook graded in a Jupyter kernel gets the stored report."""
    name = re.sub(r"[^\w]+", "_", request.node.callspec.id).strip("_")
    rubrics = _one_rubric(tmp_path, exercise, seconds=5)
    notebook = _notebook(tmp_path, exercise, "import numpy as np\n" + source)
    run, report = _in_a_kernel(run_grade, tmp_path, notebook, rubrics)
    _compare(request, f"kernel/{name}.json", {"code": run.code, "report": report})


def _in_a_kernel(
    run_grade: Callable[..., Any], tmp_path: Path, notebook: Path, rubrics: Path
) -> tuple[Any, dict[str, Any]]:
    """A notebook graded in a Jupyter kernel (local mode, hidden cases included), its report
    normalised."""
    run = run_grade(
        str(notebook),
        "--rubrics",
        str(rubrics),
        "--solutions",
        str(SOLUTIONS),
        "--kernel",
        "--sandbox",
        "local",
        "--include-hidden",
    )
    assert run.report is not None, run.stderr
    return run, normalise(run.report, tmp_path)


@pytest.mark.parametrize("name", KERNEL_ATTACKS)
def test_attack_report_in_a_kernel_is_unchanged(
    request: pytest.FixtureRequest,
    run_grade: Callable[..., Any],
    tmp_path: Path,
    name: str,
) -> None:
    """An attack in a notebook graded in a Jupyter kernel gets the stored report."""
    rubrics = _one_rubric(tmp_path, "cosine_similarity")
    source = _attack_source(name, tmp_path, rubrics)
    notebook = _notebook(tmp_path, "cosine_similarity", source)
    run, report = _in_a_kernel(run_grade, tmp_path, notebook, rubrics)
    _compare(request, f"kernel/attack_{name}.json", {"code": run.code, "report": report})


def test_references_reports_are_unchanged(
    request: pytest.FixtureRequest, run_grade: Callable[..., Any], tmp_path: Path
) -> None:
    """The reference solutions, as files and as the notebook, get the stored reports."""
    copy = tmp_path / "solutions"
    shutil.copytree(SOLUTIONS, copy)
    for target, name in ((copy, "references_files"), (copy / "lecture01.ipynb", "references_nb")):
        run = run_grade(str(target), "--sandbox", "local", "--include-hidden")
        assert run.report is not None, run.stderr
        report = normalise(run.report, tmp_path)
        _compare(request, f"local/{name}.json", {"code": run.code, "report": report})
