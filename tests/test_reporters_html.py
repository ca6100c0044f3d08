"""The HTML reporter: golden output, escaping, MathML allow-list, and a real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.reporters import REPORTERS
from grader.reporters.html import HtmlReporter, clean_mathml, diff_tokens

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Run in the page before anything else: record every blocked fetch (the report's CSP is
# default-src 'none', so any attempt to load something is a violation), then after load
# measure each formula and list what the page loaded.
PROBE = """<script nonce="probe">
var violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  violations.push(e.violatedDirective + " " + e.blockedURI);
});
window.addEventListener("load", function () {
  setTimeout(function () {
    var maths = Array.prototype.map.call(document.querySelectorAll("figure math"), function (m) {
      var r = m.getBoundingClientRect();
      return {width: r.width, height: r.height, display: getComputedStyle(m).display};
    });
    var out = document.createElement("pre");
    out.id = "probe";
    out.textContent = JSON.stringify({
      maths: maths,
      violations: violations,
      resources: performance.getEntriesByType("resource").map(function (e) { return e.name; })
    });
    document.body.appendChild(out);
  }, 200);
});
</script>"""


def _browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _with_probe(page: str) -> str:
    """The page with the probe allowed to run (by nonce) and nothing else relaxed."""
    page = page.replace("default-src 'none';", "default-src 'none'; script-src 'nonce-probe';", 1)
    return page.replace("</title>", "</title>\n" + PROBE, 1)


def _render_in_chromium(page: str, tmp_path: Path) -> dict[str, Any]:
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium or Chrome on PATH (Debian: apt-get install chromium)")
    path = tmp_path / "report.html"
    path.write_text(_with_probe(page), encoding="utf-8")
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found is not None, f"no probe output; chromium said: {done.stderr[-2000:]}"
    data: dict[str, Any] = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    return data


def test_registered() -> None:
    """The CLI offers --format html."""
    from grader.grade_command import _format_option

    assert HtmlReporter is type(REPORTERS["html"])
    assert "html" == REPORTERS["html"].name == _format_option("html")


def test_golden(sample_report: GradeReport, golden: Callable[[str, str], None]) -> None:
    """The sample report renders exactly as the golden page."""
    golden("sample.html", HtmlReporter().render(sample_report))


def test_self_contained(sample_report: GradeReport) -> None:
    """No script, no external reference, and a CSP that forbids every fetch."""
    page = HtmlReporter().render(sample_report)
    assert "default-src 'none'" in page
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, re.IGNORECASE)
    assert not re.search(r"url\(", page)


def test_student_text_is_escaped(sample_report: GradeReport) -> None:
    """Printed '<script>' arrives as text, not markup."""
    page = HtmlReporter().render(sample_report)
    assert "fence &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_differing_elements_are_marked() -> None:
    """Only the elements that differ are wrapped in <mark>, on both sides."""
    expected, actual = diff_tokens("[0.5, 0.25, nan]", "[0.5, 0.3, nan]")
    assert "[0.5, <mark>0.25</mark>, nan]" == expected
    assert "[0.5, <mark>0.3</mark>, nan]" == actual


def test_different_shapes_are_not_marked() -> None:
    """Values of different shape are shown side by side without marks."""
    assert ("[1, 2]", "[[1, 2]]") == diff_tokens("[1, 2]", "[[1, 2]]")
    assert ("[1, 2]", "[1, 2, 3]") == diff_tokens("[1, 2]", "[1, 2, 3]")


def test_mathml_allow_list() -> None:
    """KaTeX-style MathML passes; anything with a script, handler or link falls back to source."""
    good = '<math display="block"><mrow><mi>x</mi><mo>=</mo><mn>1</mn></mrow></math>'
    assert good == clean_mathml(good)
    assert clean_mathml('<math><mi onclick="alert(1)">x</mi></math>') is None
    assert clean_mathml("<math><script>alert(1)</script></math>") is None
    assert clean_mathml('<math><mi href="http://x">x</mi></math>') is None
    assert clean_mathml("<b>not math</b>") is None
    assert clean_mathml("<math><!-- x --><mi>x</mi></math>") is None
    assert clean_mathml("<math><br/></math>") is None
    spaced = '<math><mspace width="1em"/></math>'
    assert '<math><mspace width="1em"></mspace></math>' == clean_mathml(spaced)


def test_formula_without_mathml_shows_source() -> None:
    """A LaTeX case without MathML shows the student's and the reference's source as code."""
    case = CaseResult(
        "f",
        Outcome.FAILED,
        0.0,
        1.0,
        "differs",
        details={"expected": r"\alpha", "actual": r"\beta", "student_unicode": "β"},
    )
    page = HtmlReporter().render(GradeReport("s", (ExerciseResult("latex", "L", "l.py", (case,)),)))
    assert r"<code>\beta</code>" in page
    assert r"<code>\alpha</code>" in page


def _formula_report(student_mathml: str, message: str = "differs") -> GradeReport:
    case = CaseResult(
        "f",
        Outcome.FAILED,
        0.0,
        1.0,
        message,
        details={"student_mathml": student_mathml, "student_unicode": "f(x)"},
    )
    return GradeReport("s", (ExerciseResult("latex", "L", "l.py", (case,)),))


def test_katex_invisible_operators_render_and_a_students_invisible_text_shows() -> None:
    """KaTeX's function application (``<mo>`` U+2061) renders as MathML means it, not as the
    escape ``\\u2061``; a zero-width space a student put in a formula's text shows as one."""
    mathml = "<math><mi>f</mi><mo>\u2061</mo><mtext>to\u200btal</mtext></math>"
    page = HtmlReporter().render(_formula_report(mathml))
    assert "<mo>\u2061</mo>" in page
    assert "\\u2061" not in page
    assert "<mtext>to\\u200btal</mtext>" in page
    assert "\u200b" not in page


def test_the_notebook_fragment_escapes_as_the_page_does() -> None:
    """The HTML shown under a notebook cell shows a student's bidi override and zero-width
    space as escapes, as the page does."""
    report = _formula_report(
        "<math><mi>f</mi><mo>\u2061</mo></math>", "raised fine\u202eto\u200btal"
    )
    fragment = HtmlReporter().fragment(report)
    assert "raised fine\\u202eto\\u200btal" in fragment
    assert [] == [c for c in ("\u202e", "\u200b") if c in fragment]
    assert "<mo>\u2061</mo>" in fragment


def test_renders_offline_in_chromium(sample_report: GradeReport, tmp_path: Path) -> None:
    """In headless Chromium the formulas lay out as MathML with a size, and nothing is fetched."""
    probe = _render_in_chromium(HtmlReporter().render(sample_report), tmp_path)
    assert [] == probe["violations"]
    assert [] == probe["resources"]
    assert 2 == len(probe["maths"])  # the cross-entropy case: student and reference
    for box in probe["maths"]:
        assert box["width"] > 20
        assert box["height"] > 10
        assert box["display"] in {"block math", "math"}


def test_probe_sees_a_fetch(sample_report: GradeReport, tmp_path: Path) -> None:
    """The probe is not blind: an external image in the page is reported as a blocked fetch."""
    page = HtmlReporter().render(sample_report)
    page = page.replace("</body>", '<img src="http://127.0.0.1:9/x.png"></body>')
    probe = _render_in_chromium(page, tmp_path)
    assert any("127.0.0.1:9" in v for v in probe["violations"])


def test_fragment_styles_only_itself(sample_report: GradeReport) -> None:
    """The body shown under a notebook cell (`%grade`) is one div whose style sheet applies
    only inside it, with the page's summary and cards and no page furniture."""
    fragment = HtmlReporter().fragment(sample_report)
    style = re.search(r"<style>(.*?)</style>", fragment, re.DOTALL)
    assert style is not None
    selectors = [
        s.strip() for head in re.findall(r"([^{}]+)\{", style.group(1)) for s in head.split(",")
    ]
    assert selectors
    assert [] == [s for s in selectors if not s.startswith(".ml-grade")]
    assert fragment.startswith('<div class="ml-grade" lang="en">')
    assert fragment.rstrip().endswith("</div>")
    for page_only in ("<html", "<head", "<body", "<title", "Content-Security-Policy"):
        assert page_only not in fragment
    assert fragment.count('<section class="card') == len(sample_report.exercises)
