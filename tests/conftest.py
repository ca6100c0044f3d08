"""Shared fixtures: the repository's folders and an in-process `grade` runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader import cli

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


@dataclass
class GradeRun:
    """What one `grade` invocation produced."""

    code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def exercise(self, exercise_id: str) -> dict[str, Any]:
        """The JSON report's entry for one exercise."""
        assert self.report is not None
        return next(e for e in self.report["exercises"] if e["id"] == exercise_id)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep the rubric cache of the tests away from the user's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture
def run_grade(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Callable[..., GradeRun]:
    """Run `grade` in-process with a JSON report; returns code, output and the report."""

    def run(*argv: str, json_report: bool = True) -> GradeRun:
        args = list(argv)
        out = tmp_path / "report.json"
        if json_report:
            args += ["--format", "json", "--output", str(out)]
        if "--rubrics" not in args:
            args += ["--rubrics", str(RUBRICS)]
        code = cli.main(args)
        captured = capsys.readouterr()
        report = json.loads(out.read_text()) if json_report and out.exists() else None
        if out.exists():
            out.unlink()
        return GradeRun(code, captured.out, captured.err, report)

    return run


@pytest.fixture
def submission(tmp_path: Path) -> Callable[..., Path]:
    """A submission folder: the reference solutions, with some files replaced."""

    def make(**files: str) -> Path:
        folder = tmp_path / "submission"
        folder.mkdir(exist_ok=True)
        for source in SOLUTIONS.glob("*.py"):
            (folder / source.name).write_text(source.read_text(encoding="utf-8"))
        for name, text in files.items():
            (folder / f"{name}.py").write_text(text, encoding="utf-8")
        return folder

    return make


@pytest.fixture(scope="session")
def secure_mode(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Why secure mode cannot run on this machine ("" when it can): tests skip with it."""
    from grader.errors import GraderError
    from grader.sandbox import secure

    folder = tmp_path_factory.mktemp("probe")
    try:
        template = secure.settle(secure.start("secure", folder), "secure")
    except GraderError as exc:
        return str(exc)
    template.close()
    return ""
