"""Every report format under a Japanese locale, case titles everywhere, and wide-character layout.

One submission with the usual kinds of trouble (known slips, a signature, a whole exercise that
does not import, a raised exception, LaTeX in a normal string) is graded with
``LANG=ja_JP.UTF-8`` into every format. No English sentence of the catalogue or of a rubric
may appear in any of them: what stays English is the student's code, Python's exception text
and the GitHub Classroom commands whose wording GitHub parses.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader import cli, messages
from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.reporters import REPORTERS
from grader.reporters.html import HtmlReporter
from grader.reporters.terminal import TerminalReporter
from tests.conftest import RUBRICS

FILES = {
    "softmax": "import numpy as np\n\ndef softmax(z, axis=-1):\n"
    "    e = np.exp(z)\n    return e / e.sum(axis=axis, keepdims=True)\n",
    "cross_entropy": "import numpy as np\n\ndef cross_entropy(y_true, y_pred, eps=1e-12):\n"
    "    return float(-np.mean(y_true * np.log(y_pred + eps)))\n",
    "cosine_similarity": "def cosine_similarity(a, b)\n    return 1.0\n",
    "log_normal_pdf": "import numpy as np\n\ndef log_normal_pdf(x, mu, sigma):\n"
    "    return np.sum(-0.5 * np.log(2 * np.pi * sigma**2) - (x - mu)**2 / (2 * sigma**2))\n",
    "sgd_step": "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
    "    raise ValueError('bad shape')\n",
    "latex_formulas": 'CROSS_ENTROPY = "\\\\mathcal{L}_{\\text{CE}}"\n'
    'ATTENTION = r"\\text{Attention}(Q, K, V) = \\text{softmax}(QK^\\top) V"\n',
}


@pytest.fixture(scope="module")
def japanese_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The submission graded under LANG=ja_JP.UTF-8 into every format (and the terminal)."""
    import contextlib
    import io
    import os

    folder = tmp_path_factory.mktemp("ja") / "submission"
    folder.mkdir()
    for name, source in FILES.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    out = folder.parent / "out"
    reports = [f"{name}={out / name}" for name in REPORTERS]
    argv = [str(folder), "--rubrics", str(RUBRICS), "--include-hidden"]
    argv += [a for r in reports for a in ("--report", r)]
    old = {k: os.environ.get(k) for k in ("LANG", "LC_ALL", "LC_MESSAGES")}
    os.environ.update(LANG="ja_JP.UTF-8", LC_ALL="", LC_MESSAGES="")
    try:
        with contextlib.redirect_stdout(io.StringIO()) as terminal:
            assert 1 == cli.main(argv)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        messages.set_language("en")
    texts = {name: (out / name).read_text(encoding="utf-8") for name in REPORTERS}
    texts["stdout"] = terminal.getvalue()
    return texts


def _english_fragments() -> list[str]:
    """Pieces of English prose from the catalogue and the rubrics that a Japanese run must not
    show: runs of two or more words between placeholders, absent from the Japanese itself."""
    ja = messages.translations("ja")
    pairs = [(english, ja.get(key, "")) for key, english in messages.CATALOGUE.items()]
    pairs += [(plural, "") for _, plural in messages.PLURALS.values()]
    for path in sorted(RUBRICS.glob("*.yaml")):
        pairs += _rubric_pairs(yaml.safe_load(path.read_text(encoding="utf-8")))
    fragments = set()
    for english, japanese in pairs:
        for piece in re.split(r"\{[^{}]*\}", english):
            for run in re.findall(r"[A-Za-z][a-z]+(?: [a-z]+){2,}", piece):
                if run not in japanese and not run.startswith(("cases ", "hidden ")):
                    fragments.add(run)
    return sorted(fragments)


def _rubric_pairs(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        found = [(str(value["en"]), str(value.get("ja", "")))] if "en" in value else []
        return found + [p for v in value.values() for p in _rubric_pairs(v)]
    if isinstance(value, list):
        return [p for v in value for p in _rubric_pairs(v)]
    return []


def _readable(name: str, text: str) -> str:
    """The text a person reads in a report: values of JSON, text of HTML, no GitHub commands
    whose wording GitHub Classroom parses (``Points``, ``Autograding ...``)."""
    if name in ("json", "gradescope"):
        return "\n".join(_strings(json.loads(text)))
    if name == "html":
        body = text.split("<body>", 1)[1]
        return html.unescape(re.sub(r"<[^>]+>", "\n", body))
    if name == "junit":
        return html.unescape(re.sub(r'(?:name|classname|type|file)="[^"]*"', "", text))
    if name == "github":
        return "\n".join(line for line in text.splitlines() if "title=Autograding" not in line)
    return text


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        skip = {"reason", "outcome", "category", "id", "name", "sandbox", "status", "visibility"}
        skip |= {"stdout_visibility", "output_format", "test_output_format", "tags"}
        return [s for k, v in value.items() if k not in skip for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.slow
@pytest.mark.parametrize("name", [*sorted(REPORTERS), "stdout"])
def test_every_format_is_japanese(japanese_reports: dict[str, str], name: str) -> None:
    """Under LANG=ja_JP.UTF-8 no report format shows an English sentence of ours."""
    text = _readable(name, japanese_reports[name])
    for exempt in ("bad shape", "expected ':'"):  # exception texts: the student's, Python's
        text = text.replace(exempt, "")
    found = [f for f in _english_fragments() if f in text]
    labels = re.findall(r"\b(?:expected|got|hint|total|pts|passed|failed|hidden)\b", text)
    assert ([], []) == (found, labels)
    assert "合計" in text or name in ("json", "junit")


def test_the_fragment_check_catches_english() -> None:
    """The check above is not vacuous: an English report of the same kind is caught."""
    english = _english_fragments()
    sample = "values differ from the reference\nhidden case failed (wrong values)"
    assert [f for f in english if f in sample]
    assert len(english) > 100


@pytest.mark.slow
@pytest.mark.parametrize("name", ["markdown", "html", "junit", "github", "gradescope", "stdout"])
def test_case_titles_in_every_format(japanese_reports: dict[str, str], name: str) -> None:
    """Reports name a failing case by its title in the report's language, not by its id."""
    text = html.unescape(japanese_reports[name])
    assert "絶対値の大きい負のロジット [-1000, -999, -998]" in text
    assert "very negative logits" not in text


@pytest.mark.slow
def test_html_declares_its_language(japanese_reports: dict[str, str]) -> None:
    """The HTML page says it is Japanese (screen readers, fonts, hyphenation)."""
    assert '<html lang="ja">' in japanese_reports["html"]
    english = HtmlReporter().render(GradeReport("s", ()))
    assert '<html lang="en">' in english


@pytest.mark.slow
def test_whole_exercise_failure_shows_the_rubric_hint(japanese_reports: dict[str, str]) -> None:
    """A file that does not import gets the exercise's hint, not one of its cases' hints."""
    rubric = yaml.safe_load((RUBRICS / "cosine_similarity.yaml").read_text(encoding="utf-8"))
    text = japanese_reports["stdout"]
    block = text.split("cosine_similarity · ")[1].split("\n不合格 ")[0]
    assert f"  ヒント：{rubric['hint']['ja']}" in block.splitlines()


def _columns_of(line: str, text: str) -> int:
    return messages.columns(line[: line.index(text)])


@pytest.mark.slow
def test_terminal_columns_line_up_with_wide_characters(japanese_reports: dict[str, str]) -> None:
    """Case titles start in one column whatever the label (合格, 不合格, エラー, スキップ), and
    values start in one column after 正しい値 and あなたの値."""
    lines = japanese_reports["stdout"].splitlines()
    labels = "合格|不合格|エラー|スキップ"
    heads = [re.match(f"  (?:{labels}) +", ln) for ln in lines]
    starts = {messages.columns(m.group()) for m in heads if m}
    assert {2 + messages.columns("スキップ") + 1} == starts
    values = [re.match("      (?:正しい値|あなたの値) +", ln) for ln in lines]
    columns = {messages.columns(m.group()) for m in values if m}
    assert {6 + messages.columns("あなたの値") + 1} == columns


def test_list_columns_line_up_with_wide_characters(capsys: pytest.CaptureFixture[str]) -> None:
    """`grade --list --lang ja` starts the points and the titles in one column on every line."""
    assert 0 == cli.main(["--list", "--lang", "ja", "--rubrics", str(RUBRICS)])
    lines = [ln for ln in capsys.readouterr().out.splitlines() if " 点" in ln]
    titles = [
        yaml.safe_load(p.read_text(encoding="utf-8"))["title"]["ja"] for p in RUBRICS.glob("*.yaml")
    ]
    points = {_columns_of(ln, re.search(r"\d+ 点", ln).group()) for ln in lines}  # type: ignore[union-attr]
    starts = {
        messages.columns(ln) - messages.columns(max((t for t in titles if ln.endswith(t)), key=len))
        for ln in lines
    }
    assert (1, 1, len(titles)) == (len(points), len(starts), len(lines))


def test_terminal_labels_are_padded_to_the_widest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each case label takes as many columns as the widest one in the language, in both."""
    cases = tuple(
        CaseResult(f"c{i}", outcome, 0.0, 1.0, "m", title=f"タイトル{i}")
        for i, outcome in enumerate(Outcome)
    )
    report = GradeReport("s", (ExerciseResult("ex", "課題", "ex.py", cases),))
    for lang, width in (("en", 5), ("ja", 8)):
        messages.set_language(lang)
        lines = TerminalReporter().render(report).splitlines()
        starts = {_columns_of(ln, "タイトル") for ln in lines if "タイトル" in ln}
        assert {2 + width + 1} == starts, lang
    messages.set_language("en")


@pytest.mark.slow
def test_html_keeps_a_message_line_that_starts_with_expected(
    run_grade: Callable[..., Any], submission: Callable[..., Path], tmp_path: Path
) -> None:
    """The English HTML report shows "expected finite values, got nan ..." (it dropped it)."""
    folder = submission(softmax=FILES["softmax"])
    page = tmp_path / "r.html"
    run_grade(str(folder), "--report", f"html={page}")
    text = html.unescape(page.read_text(encoding="utf-8"))
    assert "<pre>expected finite values, got nan at [0] (3 of 3 not finite)</pre>" in text
    assert "<pre>expected [" not in text  # the value lines are the table, not repeated
