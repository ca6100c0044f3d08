"""One self-contained HTML page per submission: works offline and fetches nothing.

A summary (score, bar, table), then a card per exercise; each failed case shows the message,
expected and got side by side with the differing elements marked, the mismatch table, the
printed output and the hint. LaTeX cases show the student's formula next to the reference as
MathML (KaTeX's MathML output renders natively in current browsers), or as source when no
MathML came with the case.

All CSS is inline, there is no script, and a Content-Security-Policy ``default-src 'none'``
forbids every fetch, so a crafted string cannot load anything even if it slipped through.
Student text is escaped; MathML is re-emitted only when every tag is on a MathML allow-list.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace

from grader import messages as msg
from grader.model import CaseResult, ExerciseResult, GradeReport, Outcome
from grader.reporters.markdown import (
    exercise_outcome,
    fmt_points,
    large_input,
    percent,
    unconfined_line,
)
from grader.untrusted import shown_report

__all__ = ["HtmlReporter", "clean_mathml", "diff_tokens"]

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;
margin:0 auto;max-width:980px;padding:24px;color:#1f2328}
h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.2em;margin:0}
.muted{color:var(--muted)}.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}
.bar{height:10px;background:var(--bg);border:1px solid var(--line);border-radius:5px;
margin:8px 0 16px}
.bar>span{display:block;height:100%;background:var(--ok);border-radius:5px}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.card{border:1px solid var(--line);border-left:6px solid var(--ok);border-radius:6px;
padding:12px 16px;margin:16px 0}
.card.failed,.card.errored{border-left-color:var(--bad)}.card.skipped{border-left-color:var(--warn)}
.case{margin:10px 0 0;padding:8px 0 0;border-top:1px dashed var(--line)}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre{background:var(--bg);padding:8px;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;
margin:6px 0}
mark{background:#ffebe9;color:var(--bad);font-weight:600;border-radius:2px}
td.got-bad{background:#ffebe9}
.hint{background:#fff8c5;border-radius:4px;padding:6px 10px;margin:6px 0}
.formulas{display:flex;gap:16px;flex-wrap:wrap}
.formulas figure{margin:6px 0;padding:8px 12px;border:1px solid var(--line);border-radius:4px;
min-width:200px}
.formulas figcaption{font-size:12px;color:var(--muted)}
math{font-size:1.25em}
"""

# Tags and attributes KaTeX emits in MathML output; anything else rejects the whole fragment.
_MATH_TAGS = frozenset(
    [
        "math",
        "semantics",
        "annotation",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
        "mmultiscripts",
        "mprescripts",
        "none",
    ]
)
_MATH_ATTRS = frozenset(
    [
        "xmlns",
        "display",
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "width",
        "height",
        "depth",
        "voffset",
        "accent",
        "accentunder",
        "linethickness",
        "columnalign",
        "columnspacing",
        "columnlines",
        "rowalign",
        "rowspacing",
        "rowlines",
        "frame",
        "encoding",
        "minsize",
        "maxsize",
        "movablelimits",
        "symmetric",
        "scriptlevel",
        "displaystyle",
        "form",
        "largeop",
        "notation",
        "class",
        "mathcolor",
        "mathbackground",
        "mathsize",
        "align",
        "side",
        "minlabelspacing",
    ]
)


#: MathML's invisible operators (function application, invisible times, invisible separator,
#: invisible plus), which KaTeX writes as ``<mo>`` elements of their own
_INVISIBLE_OPERATOR = re.compile("<mo>([\u2061-\u2064])</mo>")


def _invisible_operators_as_references(report: GradeReport) -> GradeReport:
    """``report`` with KaTeX's invisible operators written as character references in its
    formulas: `shown_report` then leaves them be (it shows any raw one as an escape, as it
    does every invisible character a student wrote) and MathML renders them as it means."""

    def mathml(key: str, value: object) -> object:
        if not (key.endswith("_mathml") and isinstance(value, str)):
            return value
        return _INVISIBLE_OPERATOR.sub(lambda m: f"<mo>&#x{ord(m[1]):x};</mo>", value)

    def case(item: CaseResult) -> CaseResult:
        if not _is_formula(item):
            return item
        return replace(item, details={k: mathml(k, v) for k, v in item.details.items()})

    return replace(
        report,
        exercises=tuple(
            replace(e, cases=tuple(case(c) for c in e.cases)) for e in report.exercises
        ),
    )


def clean_mathml(mathml: str) -> str | None:
    """``mathml`` re-emitted from its parsed tags if it is plain MathML, else None."""
    from html.parser import HTMLParser  # only reports with formulas pay for the parser

    class _MathFilter(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []
            self.ok = True

        def _attrs(self, attrs: list[tuple[str, str | None]]) -> str:
            parts = []
            for key, value in attrs:
                if key not in _MATH_ATTRS:
                    self.ok = False
                    continue
                parts.append(f' {key}="{html.escape(value or "", quote=True)}"')
            return "".join(parts)

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in _MATH_TAGS:
                self.ok = False
                return
            self.out.append(f"<{tag}{self._attrs(attrs)}>")

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in _MATH_TAGS:
                self.ok = False
                return
            self.out.append(f"<{tag}{self._attrs(attrs)}></{tag}>")

        def handle_endtag(self, tag: str) -> None:
            if tag not in _MATH_TAGS:
                self.ok = False
                return
            self.out.append(f"</{tag}>")

        def handle_data(self, data: str) -> None:
            self.out.append(html.escape(data, quote=False))

        def handle_comment(self, data: str) -> None:
            self.ok = False

        def handle_decl(self, decl: str) -> None:
            self.ok = False

        def handle_pi(self, data: str) -> None:
            self.ok = False

    parser = _MathFilter()
    parser.feed(mathml)
    parser.close()
    text = "".join(parser.out)
    return text if parser.ok and text.startswith("<math") else None


_SEPARATORS = re.compile(r"([\[\](),\s]+)")


def diff_tokens(expected: str, actual: str) -> tuple[str, str]:
    """Both values as HTML with the elements that differ wrapped in ``<mark>``.

    Elements are compared as printed (the same rounding on both sides); values of different
    shape are shown unmarked.
    """
    left, right = _SEPARATORS.split(expected), _SEPARATORS.split(actual)
    if len(left) != len(right) or left[1::2] != right[1::2]:  # odd parts: brackets, commas
        return html.escape(expected), html.escape(actual)
    out_left, out_right = [], []
    for index, (a, b) in enumerate(zip(left, right, strict=True)):
        if index % 2 == 1 or a == b:  # odd parts are the separators
            out_left.append(html.escape(a))
            out_right.append(html.escape(b))
        else:
            out_left.append(f"<mark>{html.escape(a)}</mark>")
            out_right.append(f"<mark>{html.escape(b)}</mark>")
    return "".join(out_left), "".join(out_right)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _label(outcome: Outcome) -> str:
    css = {"passed": "ok", "failed": "bad", "errored": "bad", "skipped": "warn"}[outcome.value]
    return f'<span class="{css}">{_e(msg.t("result_" + outcome.value))}</span>'


def _formula(caption: str, mathml: object, source: object) -> str:
    body = clean_mathml(mathml) if isinstance(mathml, str) else None
    if body is None:
        body = f"<code>{_e(source)}</code>" if source not in (None, "") else ""
    return f"<figure><figcaption>{_e(caption)}</figcaption>{body}</figure>"


def _is_formula(case: CaseResult) -> bool:
    keys = ("student_mathml", "reference_mathml", "student_unicode", "reference_unicode")
    return any(key in case.details for key in keys)


def _case_detail(case: CaseResult) -> Iterable[str]:
    details = case.details
    message = case.message
    if "expected" in details and "actual" in details:
        # the values table below shows expected and got; keep the other lines of the message
        repeated = msg.value_lines(
            details["expected"], details["actual"], str(details.get("tolerance") or "")
        )
        message = "\n".join(line for line in message.splitlines() if line not in repeated)
    if message:
        yield f"<pre>{_e(message)}</pre>"
    if _is_formula(case):
        student = details.get("actual", details.get("student_unicode"))
        reference = details.get("expected", details.get("reference_unicode"))
        yield '<div class="formulas">'
        yield _formula(msg.t("your_formula"), details.get("student_mathml"), student)
        yield _formula(msg.t("reference_formula"), details.get("reference_mathml"), reference)
        yield "</div>"
    elif "expected" in details and "actual" in details:
        expected, actual = diff_tokens(str(details["expected"]), str(details["actual"]))
        yield '<table class="values">'
        yield f"<tr><th>{_e(msg.t('expected'))}</th><td><code>{expected}</code></td></tr>"
        yield f"<tr><th>{_e(msg.t('got'))}</th><td><code>{actual}</code></td></tr>"
        if details.get("tolerance"):
            yield (
                f"<tr><th>{_e(msg.t('tolerance_label'))}</th>"
                f"<td>{_e(details['tolerance'])}</td></tr>"
            )
        yield "</table>"
    rows = details.get("rows") or []
    if rows:
        yield (
            f'<table class="rows"><tr><th>{_e(msg.t("col_index"))}</th>'
            f"<th>{_e(msg.t('got'))}</th><th>{_e(msg.t('expected'))}</th></tr>"
        )
        for index, got, want in rows:
            yield (
                f'<tr><td><code>{_e(index)}</code></td><td class="num got-bad">{_e(got)}</td>'
                f'<td class="num">{_e(want)}</td></tr>'
            )
        yield "</table>"
    inputs = [item for item in details.get("inputs") or [] if isinstance(item, dict)]
    if inputs:
        yield f'<p>{_e(msg.t("inputs"))}:</p><table class="inputs">'
        for item in inputs:
            if "value" in item:
                shown = f"<code>{_e(item['value'])}</code>"
            else:
                shown = _e(large_input(item))
                if item.get("rebuild"):
                    shown += f"<br><code>{_e(item['rebuild'])}</code>"
            yield f"<tr><th>{_e(item.get('name', ''))}</th><td>{shown}</td></tr>"
        yield "</table>"
    if details.get("output"):
        yield f"<p>{_e(msg.label('printed').rstrip())}</p><pre>{_e(details['output'])}</pre>"
    if case.hint:
        yield _hint(case.hint)


def _hint(hint: str) -> str:
    return f'<p class="hint"><b>{_e(msg.label("hint").rstrip())}</b> {_e(hint)}</p>'


def _case(case: CaseResult) -> str:
    pts = msg.points(case.score, case.max_score)
    head = f"<div><b>{_e(case.title or case.name)}</b> · {_label(case.outcome)}{_e(pts)}</div>"
    if case.passed:
        return f'<div class="case passed">{head}</div>'
    body = "".join(_case_detail(case))
    return f'<div class="case {case.outcome.value}">{head}{body}</div>'


def _card(exercise: ExerciseResult) -> str:
    outcome = exercise_outcome(exercise)
    where = exercise.file
    if exercise.line:
        where = msg.t("line_ref", file=exercise.file, line=exercise.line)
    pts = msg.points(exercise.score, exercise.max_score)
    parts = [
        f'<section class="card {outcome.value}" id="ex-{_e(exercise.id)}">',
        f"<h2>{_e(exercise.id)} · {_e(exercise.title)}{_e(pts)}</h2>",
        f'<div class="muted">{_e(where)}</div>',
        *(f'<div class="muted">{_e(note)}</div>' for note in exercise.notes),
    ]
    if exercise.message:
        parts.append(f"<pre>{_e(exercise.message)}</pre>")
        if exercise.hint:
            parts.append(_hint(exercise.hint))
    else:
        parts.extend(_case(case) for case in exercise.cases)
    parts.append("</section>")
    return "\n".join(parts)


def _summary(report: GradeReport) -> str:
    share = percent(report.score, report.max_score)
    rows = "".join(
        f'<tr><td><a href="#ex-{_e(e.id)}">{_e(e.id)}</a> · {_e(e.title)}</td>'
        f"<td>{_label(exercise_outcome(e))}</td>"
        f'<td class="num">{fmt_points(e.score)}/{fmt_points(e.max_score)}</td></tr>'
        for e in report.exercises
    )
    score = msg.t(
        "score_line",
        score=fmt_points(report.score),
        max_score=fmt_points(report.max_score),
        percent=f"{share:.1f}%",
    )
    hidden = sum(e.hidden_not_run for e in report.exercises)
    note = ""
    if hidden:
        points = sum(e.hidden_points_not_run for e in report.exercises)
        note = f'<p class="muted">{_e(msg.hidden_not_run(hidden, points))}</p>'
    unconfined = unconfined_line(report)
    if unconfined:
        note += f'<p class="warn">{_e(unconfined)}</p>'
    notes = "".join(f"<li>{_e(str(n))}</li>" for n in report.meta.get("notes", []))
    if notes:  # e.g. a notebook's magics that were not run, or its cells that failed
        note += f'<ul class="muted">{notes}</ul>'
    return (
        f'<p class="summary"><b>{_e(score)}</b></p>'
        f'<div class="bar"><span style="width:{share:.1f}%"></span></div>'
        f"<table><tr><th>{_e(msg.t('col_exercise'))}</th><th>{_e(msg.t('col_result'))}</th>"
        f"<th>{_e(msg.t('col_score'))}</th></tr>{rows}</table>{note}"
    )


def _scoped(css: str, scope: str) -> str:
    """The page's style sheet for a fragment inside another page: every rule applies only
    within ``scope`` (the page's ``:root`` and ``body`` rules become the scope's own)."""

    def selector(text: str) -> str:
        text = text.strip()
        if text in (":root", "body"):
            return scope
        return f"{scope} {text}"

    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    return "".join(
        ",".join(selector(s) for s in head.split(",")) + "{" + body + "}" for head, body in rules
    )


class HtmlReporter:
    """A standalone HTML page (no script, no external resource)."""

    name = "html"
    default_filename = "report.html"

    def fragment(self, report: GradeReport) -> str:
        """The report's body as one ``<div>`` for another page (a Jupyter output): the same
        summary and cards, with a style sheet that applies only inside it (what a student
        wrote escaped, as in the page)."""
        report = shown_report(_invisible_operators_as_references(report))
        cards = "\n".join(_card(e) for e in report.exercises)
        css = _scoped(_CSS, ".ml-grade").replace("max-width:980px;padding:24px;", "")
        return (
            f'<div class="ml-grade" lang="{_e(msg.get_language())}"><style>{css}</style>\n'
            f"{_summary(report)}\n{cards}\n</div>\n"
        )

    def render(self, report: GradeReport) -> str:
        """The report as one HTML document (control characters of what a student wrote
        escaped, as in the text reports)."""
        report = shown_report(_invisible_operators_as_references(report))
        title = f"{msg.t('report_heading')} · {report.submission}"
        cards = "\n".join(_card(e) for e in report.exercises)
        footer = msg.t("generated_by", version=report.grader_version)
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{msg.get_language()}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{_e(msg.t('report_heading'))}</h1>\n"
            f'<div class="muted">{_e(report.submission)}</div>\n'
            f"{_summary(report)}\n{cards}\n"
            f'<footer class="muted">{_e(footer)}</footer>\n</body>\n</html>\n'
        )
