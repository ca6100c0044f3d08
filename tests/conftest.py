"""Shared fixtures: the repository's folders and an in-process `grade` runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader import cli
from grader.model import GradeReport

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


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch):
    """Run every test in an English locale, whatever the machine's; restore the language after."""
    from grader import messages

    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    messages.set_language("en")


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


# --- golden files (reporters, issue 7) ---
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-goldens`` rewrites the golden files from the current output."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output instead of comparing",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with ``tests/golden/NAME`` (or rewrite it under ``--update-goldens``)."""
    update = bool(request.config.getoption("--update-goldens"))

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update:
            path.write_text(actual, encoding="utf-8", newline="")
            return
        assert path.exists(), f"{path} is missing; run pytest --update-goldens"
        with path.open(encoding="utf-8", newline="") as handle:
            expected = handle.read()
        assert expected == actual, f"{name} differs from its golden file (--update-goldens)"

    return check


@pytest.fixture
def sample_report() -> GradeReport:
    """A stored report with every outcome: wrong values, a syntax error, printed output, LaTeX."""
    data = json.loads((GOLDEN / "sample_report.json").read_text(encoding="utf-8"))
    return GradeReport.from_dict(data)


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the same default format on a laptop and in GitHub Actions (tests.yml)."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


# --- grading one exercise's source in both languages (diagnosis tables) ---
SOURCE_HEAD = "import math\n\nimport numpy as np\n"


@pytest.fixture(scope="module")
def template() -> Any:
    """One warm child template for the module."""
    from grader.sandbox.runner import Template

    with Template() as warm:
        yield warm


@pytest.fixture(scope="module")
def plans() -> dict[str, Any]:
    """Every exercise's plan, hidden cases included, with the reference solutions."""
    from grader.plan import plan_exercise
    from grader.rubric import load_rubrics

    rubrics = load_rubrics(RUBRICS, use_cache=False)
    return {r.id: plan_exercise(r, SOLUTIONS, include_hidden=True) for r in rubrics}


@pytest.fixture
def grade(template: Any, plans: dict[str, Any], tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Run one exercise's source once (a child) and score it in English and in Japanese.

    A NumPy exercise's source gets `SOURCE_HEAD` (math and numpy imported); a LaTeX source
    follows the reference answers, so that only the constants it sets differ from them.
    """
    from grader import messages
    from grader.execute import run_exercise
    from grader.sandbox.runner import Limits
    from grader.scoring import score_exercise

    def run(exercise: str, source: str) -> dict[str, Any]:
        plan = plans[exercise]
        file = tmp_path / plan.rubric.file
        if all(c.spec.attribute for c in plan.cases):  # constants: the reference's, then these
            head = (SOLUTIONS / plan.rubric.file).read_text(encoding="utf-8") + "\n"
        else:
            head = SOURCE_HEAD
        file.write_text(head + source, encoding="utf-8")
        ran = run_exercise(template, plan, file, Limits(wall_seconds=10))
        out = {}
        for lang in ("en", "ja"):
            messages.set_language(lang)
            out[lang] = score_exercise(plan, ran, file, lang=lang)
        messages.set_language("en")
        return out

    return run
