"""The GitHub Actions reporter and the student-fork workflow's own command, run as in CI."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from grader import cli
from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.reporters import REPORTERS
from grader.reporters.github import GithubReporter, escape_data, escape_property

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "0123456789abcdef0123456789abcdef"  # noqa: S105 - a fixed fence token, not a secret

FORK_EXERCISES = ("softmax", "cross_entropy", "cosine_similarity", "log_normal_pdf", "sgd_step")

BROKEN_SOFTMAX = """import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z)
    return e / e.sum()
"""


def _outside_fence(text: str, token: str) -> list[str]:
    lines, inside = [], False
    for line in text.splitlines():
        if line == f"::stop-commands::{token}":
            inside = True
        elif line == f"::{token}::":
            inside = False
        elif not inside:
            lines.append(line)
    return lines


def test_registered() -> None:
    """The CLI offers --format github."""
    from grader.grade_command import _format_option

    assert GithubReporter is type(REPORTERS["github"])
    assert "github" == REPORTERS["github"].name == _format_option("github")


def test_golden(sample_report: GradeReport, golden: Callable[[str, str], None]) -> None:
    """The sample report renders exactly as the golden log (fixed token)."""
    golden("sample.github.txt", GithubReporter(token=TOKEN).render(sample_report))


def test_escapes_data_and_properties() -> None:
    """'%', CR and LF are escaped in messages; ':' and ',' too in properties."""
    assert "50%25%0D%0Anext" == escape_data("50%\r\nnext")
    assert "a%3A b%2C c%25" == escape_property("a: b, c%")


def test_student_text_cannot_issue_commands(sample_report: GradeReport) -> None:
    """Outside the stop-commands fence, every line is a command the reporter made itself."""
    text = GithubReporter(token=TOKEN).render(sample_report)
    assert "::add-mask::oops" in text  # the printed output is in the log...
    outside = _outside_fence(text, TOKEN)
    assert all(re.match(r"::(error|warning|notice)[ :]", line) for line in outside), outside
    assert not any("add-mask" in line for line in outside)  # ...but only inside the fence


def test_annotations_at_function_line(sample_report: GradeReport) -> None:
    """Failed softmax cases are annotated at the softmax line of exercises/softmax.py."""
    text = GithubReporter(token=TOKEN).render(sample_report)
    first = next(line for line in text.splitlines() if line.startswith("::error "))
    assert first.startswith("::error file=exercises/softmax.py,line=4,title=softmax%3A large")


def test_at_most_ten_annotations_then_a_pointer() -> None:
    """Only the first 10 failures are annotated; one warning says how many more there are."""
    cases = tuple(CaseResult(f"case {i}", Outcome.FAILED, 0.0, 1.0, "wrong") for i in range(13))
    report = GradeReport("s", (ExerciseResult("ex", "Ex", "ex.py", cases, line=3),))
    lines = GithubReporter(token=TOKEN).render(report).splitlines()
    assert 10 == sum(line.startswith("::error ") for line in lines)
    assert "::warning::3 more failed cases not annotated; see the job summary" in lines


def test_classroom_points(sample_report: GradeReport) -> None:
    """The log ends with the GitHub Classroom 'Points' and 'Autograding report' notices."""
    lines = GithubReporter(token=TOKEN).render(sample_report).splitlines()
    assert "::notice title=Autograding complete::Points 32/61" == lines[-2]
    assert '::notice title=Autograding report::{"totalPoints":32,"maxPoints":61}' == lines[-1]


def test_fractional_points_stay_numbers() -> None:
    """Half points are reported as JSON numbers, not strings."""
    case = CaseResult("c", Outcome.FAILED, 0.5, 1.0, "partly")
    report = GradeReport("s", (ExerciseResult("ex", "Ex", "ex.py", (case,)),))
    last = GithubReporter(token=TOKEN).render(report).splitlines()[-1]
    assert {"totalPoints": 0.5, "maxPoints": 1} == json.loads(last.split("::", 2)[2])


def _workflow_grade_args() -> list[str]:
    workflow = yaml.safe_load((ROOT / ".github/workflows/grade.yml").read_text())
    step = next(
        s for s in workflow["jobs"]["grade"]["steps"] if s.get("name") == "Grade exercises/"
    )
    argv = shlex.split(step["run"])
    assert ["uv", "run", "--no-sync", "grade"] == argv[:4]
    return argv[4:]


@pytest.fixture
def fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A student's fork: the repository's rubrics and solutions, exercises with a bad softmax."""
    root = tmp_path / "fork"
    for folder in ("rubrics", "solutions", "exercises"):
        (root / folder).mkdir(parents=True)
    for name in FORK_EXERCISES:  # fixed, so the recorded run stays put as exercises are added
        shutil.copy(ROOT / "rubrics" / f"{name}.yaml", root / "rubrics")
        shutil.copy(ROOT / "solutions" / f"{name}.py", root / "solutions")
        shutil.copy(ROOT / "solutions" / f"{name}.py", root / "exercises")
    shutil.copytree(ROOT / "solutions" / "misconceptions", root / "solutions" / "misconceptions")
    (root / "exercises" / "softmax.py").write_text(BROKEN_SOFTMAX, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.mark.slow
def test_workflow_run_on_fork_with_failing_softmax(
    fork: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    golden: Callable[[str, str], None],
) -> None:
    """grade.yml's command under GITHUB_ACTIONS annotates the softmax line and writes a summary."""
    summary = fork / "step_summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code = cli.main(_workflow_grade_args())
    log = capsys.readouterr().out
    token = re.search(r"^::stop-commands::([0-9a-f]{32})$", log, re.MULTILINE)
    assert token is not None
    assert 1 == code
    annotation = "::error file=exercises/softmax.py,line=4,title=softmax%3A large logits"
    assert any(line.startswith(annotation) for line in log.splitlines())
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## Grading report")  # appended, not overwritten
    assert "| ❌ failed | softmax · Softmax | 4/12 |" in text
    assert (fork / "grade-report" / "report.html").is_file()
    assert (fork / "grade-report" / "junit.xml").is_file()
    # the recorded run: the log (token masked) and the job summary
    golden("workflow_run.log", log.replace(token.group(1), "<token>"))
    golden("workflow_summary.md", text)


@pytest.mark.slow
def test_token_is_fresh_per_run(fork: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """Two runs fence student output with different tokens."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    tokens = set()
    for _ in range(2):
        cli.main(["exercises/softmax.py"])
        found = re.search(r"^::stop-commands::(\w+)$", capsys.readouterr().out, re.MULTILINE)
        assert found is not None
        tokens.add(found.group(1))
    assert 2 == len(tokens)
