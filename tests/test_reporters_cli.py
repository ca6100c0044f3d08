"""The CLI side of reporters: --format choices, --report FORMAT=PATH, --fail-under, GitHub mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader import cli
from grader.reporters import REPORTERS

RUBRICS = Path(__file__).resolve().parents[1] / "rubrics"

BAD_SOFTMAX = (
    "import numpy as np\n\n\ndef softmax(z, axis=-1):\n    e = np.exp(z)\n    return e / e.sum()\n"
)


def test_format_choices_come_from_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    """Every registered reporter is a --format choice."""
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    help_text = capsys.readouterr().out
    for name in REPORTERS:
        assert name in help_text


@pytest.mark.slow
def test_several_reports_beside_the_terminal(
    submission: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--report writes each format to its path while the terminal report goes to stdout."""
    folder = submission(softmax=BAD_SOFTMAX)
    out = tmp_path / "out"
    code = cli.main(
        [
            str(folder),
            "--rubrics",
            str(RUBRICS),
            "--report",
            f"junit={out / 'junit.xml'}",
            "--report",
            f"html={out / 'report.html'}",
            "--report",
            f"gradescope={out / 'results.json'}",
            "--report",
            f"markdown={out / 'report.md'}",
        ]
    )
    stdout = capsys.readouterr().out
    assert 1 == code
    assert "FAIL softmax" in stdout
    assert (out / "junit.xml").read_text().startswith("<?xml")
    assert "<!DOCTYPE html>" in (out / "report.html").read_text()
    results = json.loads((out / "results.json").read_text())
    lost = sum(t["max_score"] - t["score"] for t in results["tests"])
    assert 8 == lost  # softmax: 4/12 on the visible cases
    assert (out / "report.md").read_text().startswith("## Grading report")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        pytest.param("junit", "expected FORMAT=PATH", id="no path"),
        pytest.param("pdf=out.pdf", "unknown format 'pdf'", id="unknown format"),
    ],
)
def test_bad_report_option_is_a_usage_error(
    option: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed --report exits 2 with a one-line reason."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["solutions", "--report", option])
    assert 2 == exc.value.code
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        pytest.param(None, 1, id="default: any failed case fails"),
        pytest.param(-5.0, 0, id="threshold below the score"),
        pytest.param(-0.01, 0, id="threshold just below the score"),
        pytest.param(+0.01, 1, id="threshold just above the score"),
    ],
)
@pytest.mark.slow
def test_fail_under_is_a_percentage(
    offset: float | None,
    expected: int,
    submission: Callable[..., Path],
    run_grade: Callable[..., Any],
) -> None:
    """--fail-under PERCENT passes the run when the score reaches PERCENT of the points."""
    folder = submission(softmax=BAD_SOFTMAX)
    report = run_grade(str(folder)).report
    share = 100 * report["score"] / report["max_score"]  # 83.7% with the five exercises
    extra = [] if offset is None else ["--fail-under", f"{share + offset:.4f}"]
    assert expected == run_grade(str(folder), *extra).code


def test_fail_under_rejects_points_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    """--fail-under 150 is a usage error: it is a percentage."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["solutions", "--fail-under", "150"])
    assert 2 == exc.value.code
    assert "between 0 and 100" in capsys.readouterr().err


@pytest.mark.slow
def test_terminal_outside_github(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without GITHUB_ACTIONS the default format stays the terminal report."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    cli.main(["solutions/softmax.py", "--rubrics", str(RUBRICS)])
    out = capsys.readouterr().out
    assert "::" not in out
    assert out.startswith("PASS softmax")


@pytest.mark.slow
def test_explicit_format_wins_in_github(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--format terminal under GITHUB_ACTIONS prints the terminal report and no summary."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cli.main(["solutions/softmax.py", "--rubrics", str(RUBRICS), "--format", "terminal"])
    assert capsys.readouterr().out.startswith("PASS softmax")
    assert not summary.exists()


#: what no report may hold raw: a right-to-left override, a zero byte, a terminal escape, a
#: zero-width space, a paragraph separator, a tag character
_RAW_CONTROLS = ("\u202e", "\x00", "\x1b", "\u200b", "\u2029", "\U000e0041")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["local", "secure"])
def test_no_report_holds_a_students_control_characters_raw(
    mode: str,
    submission: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    secure_mode: str,
) -> None:
    """An exception type, its text and printed output with a bidi override, NUL, ESC and
    invisible characters (tests/attacks/bidi_report.py) reach every report escaped,
    Gradescope's and JUnit's too."""
    if mode == "secure" and secure_mode:
        pytest.skip(f"secure mode cannot run here: {secure_mode}")
    attack = Path(__file__).with_name("attacks") / "bidi_report.py"
    folder = submission(cosine_similarity=attack.read_text(encoding="utf-8"))
    out = tmp_path / "out"
    formats = ("junit", "html", "gradescope", "markdown", "github", "json")
    argv = [str(folder), "--rubrics", str(RUBRICS), "--sandbox", mode]
    for name in formats[:-1]:
        argv += ["--report", f"{name}={out / name}"]
    code = cli.main([*argv, "--format", "json", "--output", str(out / "json")])
    capsys.readouterr()
    assert 1 == code
    report = json.loads((out / "json").read_text(encoding="utf-8"))
    (cosine,) = [e for e in report["exercises"] if e["id"] == "cosine_similarity"]
    failed = [c for c in cosine["cases"] if not c["passed"]]
    assert ["exception"] == [c["reason"] for c in failed]
    assert "\u202e" in failed[0]["message"]  # the JSON report keeps the data as it came
    raw = {
        name: [c for c in _RAW_CONTROLS if c in (out / name).read_text(encoding="utf-8")]
        for name in formats[:-1]
    }
    assert {name: [] for name in formats[:-1]} == raw
    results = json.loads((out / "gradescope").read_text(encoding="utf-8"))
    shown = "".join(t["output"] for t in results["tests"])
    assert "\\u202e" in shown
    assert "to\\u200btal\\u2029\\U000e0041" in shown
