"""The GitHub workflows: actionlint-clean, least privilege, and the triggers students need."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _actionlint() -> str | None:
    beside = Path(sys.executable).with_name("actionlint")
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def _load(name: str) -> dict[object, object]:
    data: dict[object, object] = yaml.safe_load((ROOT / ".github/workflows" / name).read_text())
    return data


def test_actionlint_passes() -> None:
    """actionlint reports nothing for either workflow."""
    tool = _actionlint()
    if tool is None:
        pytest.skip("actionlint is not installed (uv sync installs it with the dev group)")
    done = subprocess.run(
        [tool, "-no-color", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ("", 0) == (done.stdout, done.returncode)


def test_both_workflows_exist() -> None:
    """The fork workflow and the project's test workflow are both there."""
    assert {"grade.yml", "tests.yml"} == {p.name for p in WORKFLOWS}


def test_grade_workflow_is_read_only_and_runs_on_forks() -> None:
    """grade.yml runs on push, pull_request and by hand, with a read-only token and no secrets."""
    workflow = _load("grade.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request", "workflow_dispatch"} == set(triggers)  # type: ignore[arg-type]
    assert {"contents": "read"} == workflow["permissions"]
    assert "secrets." not in (ROOT / ".github/workflows/grade.yml").read_text()


def test_tests_workflow_matrix() -> None:
    """tests.yml runs on Linux and macOS with Python 3.11 to 3.13, plus a lint/types job."""
    jobs = _load("tests.yml")["jobs"]
    matrix = jobs["test"]["strategy"]["matrix"]  # type: ignore[index]
    assert ["ubuntu-latest", "macos-latest"] == matrix["os"]
    assert ["3.11", "3.12", "3.13"] == matrix["python"]
    steps = " ".join(step.get("run", "") for step in jobs["lint"]["steps"])  # type: ignore[index]
    assert "ruff check" in steps
    assert "mypy" in steps
