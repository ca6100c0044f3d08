"""The class picture: a Markdown summary and item-analysis plots, from gradebook rows.

Statistics count graded and refused submissions (a refused archive scores 0); submissions
the grader failed on are listed apart and never counted as zeros, and so are roster students
without a submission. "Most common failures" counts students, not cases (one student's eight
failed cases with one cause are one student), named misconceptions first; then each student's
own summary, named misconceptions first. Plots need matplotlib (``uv sync --extra plots``);
without it `grade export` says how to get them.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.batch.gradebook import Row
from grader.untrusted import printable

__all__ = ["can_plot", "case_stats", "failures", "markdown", "plots", "student_lines"]

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
#: what Markdown reads as markup inside a line: escapes, code, links and images, HTML and
#: entities, table columns
_MARKUP = re.compile(r"([\\`\[\]<>!&|])")


def _num(value: float) -> str:
    return f"{value:.4g}"


def _counted(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.outcome != "grader_error" and r.score is not None]


def case_stats(rows: list[Row], course: dict[str, Any]) -> list[dict[str, Any]]:
    """Per case, in rubric order: how many students passed it of how many were graded."""
    stats: dict[tuple[str, str], dict[str, Any]] = {}
    for exercise in course.get("exercises", []):
        for case in exercise["cases"]:
            stats[(exercise["id"], case["name"])] = {
                "exercise": exercise["id"],
                "case": case["name"],
                "hidden": case["hidden"],
                "passed": 0,
                "total": 0,
                "messages": Counter(),
                "examples": {},
            }
    for row in _counted(rows):
        if row.report is None:
            continue
        for exercise in row.report["exercises"]:
            for case in exercise["cases"]:
                item = stats.get((exercise["id"], case["name"]))
                if item is None:
                    continue
                item["total"] += 1
                if case["outcome"] == "passed":
                    item["passed"] += 1
                elif case["outcome"] != "skipped":
                    text = (case.get("message") or case.get("reason") or "").splitlines()
                    first = text[0][:160] if text else ""
                    key = _NUMBER.sub("#", first)
                    item["messages"][key] += 1
                    item["examples"].setdefault(key, first)
    return list(stats.values())


def markdown(rows: list[Row], course: dict[str, Any]) -> str:
    """The summary an instructor reads first."""
    counted = _counted(rows)
    failed = [r for r in rows if r.outcome == "grader_error"]
    refused = [r for r in rows if r.outcome == "refused"]
    missing = [r for r in rows if r.outcome == "missing"]
    strangers = [r for r in rows if r.on_roster is False]
    submitted = len(rows) - len(missing)
    out = [f"# {msg.t('summary_title')}", ""]
    graded = len(counted) - len(refused)
    out.append(
        msg.t(
            "summary_counts",
            submitted=submitted,
            graded=graded,
            refused=len(refused),
            failed=len(failed),
        )
    )
    if missing or strangers:
        out.append(msg.t("summary_roster", missing=len(missing), strangers=len(strangers)))
    out.append("")
    if counted:
        totals = [float(r.score or 0.0) for r in counted]
        possible = max((r.max_score or 0.0) for r in counted) or 1.0
        heads = ("summary_mean", "summary_median", "summary_min", "summary_max", "summary_out_of")
        out += [
            f"## {msg.t('summary_scores')}",
            "",
            _row(*(msg.t(key) for key in heads)),
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| {_num(statistics.fmean(totals))} | {_num(statistics.median(totals))} | "
            f"{_num(min(totals))} | {_num(max(totals))} | {_num(possible)} |",
            "",
            f"## {msg.t('summary_distribution')}",
            "",
            _row(msg.t("summary_score"), msg.t("summary_students_column"), ""),
            "| --- | ---: | --- |",
        ]
        bins = [0] * 10
        for total in totals:
            bins[min(9, int(10 * total / possible))] += 1
        widest = max(bins) or 1
        for i, count in enumerate(bins):
            bar = "#" * round(30 * count / widest)
            out.append(f"| {i * 10}–{i * 10 + 10}% | {count} | `{bar}` |")
        out.append("")
        out += _exercise_table(counted, course)
    stats = [s for s in case_stats(rows, course) if s["total"]]
    if stats:
        out += [
            f"## {msg.t('summary_hardest')}",
            "",
            _row(msg.t("summary_exercise"), msg.t("summary_case"), msg.t("summary_passed")),
            "| --- | --- | ---: |",
        ]
        for item in sorted(stats, key=lambda s: (s["passed"] / s["total"], s["exercise"]))[:10]:
            hidden = msg.t("summary_hidden") if item["hidden"] else ""
            rate = 100 * item["passed"] / item["total"]
            out.append(
                f"| {item['exercise']} | {_cell(item['case'])}{hidden} | "
                f"{item['passed']}/{item['total']} ({rate:.0f}%) |"
            )
        out.append("")
    out += _common_failures(counted, course)
    out += _students(rows)
    if failed:
        out += [f"## {msg.t('summary_failed')}", ""]
        out += [
            f"- {_cell(r.student)} ({_cell(r.entry)}): {_cell(r.message[:200])}" for r in failed
        ]
        out.append("")
    if refused:
        out += [f"## {msg.t('summary_refused')}", ""]
        out += [
            f"- {_cell(r.student)} ({_cell(r.entry)}): {_cell(r.message[:200])}" for r in refused
        ]
        out.append("")
    if missing:
        out += [f"## {msg.t('summary_missing')}", ""]
        out += [f"- {_cell(r.student)} ({_cell(r.entry)})" for r in missing]
        out.append("")
    if strangers:
        out += [f"## {msg.t('summary_not_on_roster')}", ""]
        out += [f"- {_cell(r.student)} ({_cell(r.entry)})" for r in strangers]
        out.append("")
    return "\n".join(out)


def _failure_key(case: dict[str, Any]) -> tuple[str, str]:
    """(kind, text): a named misconception, or the failure's first line with numbers as #."""
    details = case.get("details") or {}
    if details.get("misconception"):
        hint = (case.get("hint") or "").splitlines()
        text = f"{details['misconception']}: {hint[0] if hint else ''}".rstrip(": ")
        return "misconception", text[:200]
    lines = (case.get("message") or case.get("reason") or "").splitlines()
    return "failure", lines[0][:160] if lines else ""


def failures(row: Row) -> dict[str, list[tuple[str, str]]]:
    """Exercise id -> the distinct (kind, text) failures of one student, misconceptions first."""
    out: dict[str, list[tuple[str, str]]] = {}
    if row.report is None:
        return out
    for exercise in row.report["exercises"]:
        found: dict[tuple[str, str], None] = {}
        for case in exercise["cases"]:
            if case["outcome"] not in ("passed", "skipped"):
                kind, text = _failure_key(case)
                if kind == "failure" and exercise.get("message"):
                    text = exercise["message"].splitlines()[0][:160]
                found[(kind, text)] = None
        if found:
            out[exercise["id"]] = sorted(found, key=lambda k: k[0] != "misconception")
    return out


def _common_failures(counted: list[Row], course: dict[str, Any]) -> list[str]:
    """Per exercise, the most common failures by number of students, misconceptions first
    (refused submissions are listed on their own, not once per exercise)."""
    graded = [r for r in counted if r.outcome != "refused"]
    out = [f"## {msg.t('summary_common')}", ""]
    for exercise in course.get("exercises", []):
        students: Counter[tuple[str, str]] = Counter()
        examples: dict[tuple[str, str], str] = {}
        for row in graded:
            keys: dict[tuple[str, str], None] = {}  # once per student, whatever the numbers
            for kind, text in failures(row).get(exercise["id"], []):
                key = (kind, _NUMBER.sub("#", text))
                keys[key] = None
                examples.setdefault(key, text)
            students.update(keys.keys())
        out += [f"### {exercise['id']}", ""]
        if not students:
            out += [msg.t("summary_all_passed"), ""]
            continue
        named = [kv for kv in students.most_common() if kv[0][0] == "misconception"]
        other = [kv for kv in students.most_common() if kv[0][0] != "misconception"][:3]
        for key, count in named + other:
            label = msg.t("summary_misconception") + " " if key[0] == "misconception" else ""
            students_text = msg.t("summary_students", count=count, total=len(graded))
            out.append(f"- {students_text}: {label}{_cell(examples[key])}")
        out.append("")
    return out


def student_lines(row: Row) -> list[str]:
    """A student's own summary: score, then per exercise that lost points what went wrong."""
    head = f"### {_cell(row.student)}"
    if row.outcome == "missing":
        return [head, "", msg.t("summary_no_submission"), ""]
    if row.score is None:
        return [head, "", f"{msg.t('summary_not_graded')}: {_cell(row.message[:200])}", ""]
    out = [head, "", f"{_num(row.score)}/{_num(row.max_score or 0.0)}", ""]
    if row.outcome == "refused":
        return [*out, _cell(row.message[:300]), ""]
    lines = [
        f"- {exercise}: {msg.t('summary_misconception') + ' ' if kind == 'misconception' else ''}"
        f"{_cell(text)}"
        for exercise, items in failures(row).items()
        for kind, text in items
    ]
    return out + ([*lines, ""] if lines else [])


def _students(rows: list[Row]) -> list[str]:
    out = [f"## {msg.t('summary_per_student')}", ""]
    for row in rows:
        out += student_lines(row)
    return out


def _exercise_table(counted: list[Row], course: dict[str, Any]) -> list[str]:
    keys = ("summary_exercise", "summary_mean", "summary_out_of", "summary_full_marks")
    out = [
        f"## {msg.t('summary_exercises')}",
        "",
        _row(*(msg.t(key) for key in keys)),
        "| --- | ---: | ---: | ---: |",
    ]
    for exercise in course.get("exercises", []):
        scores = []
        for row in counted:
            if row.report is None:
                continue
            found = next((e for e in row.report["exercises"] if e["id"] == exercise["id"]), None)
            if found is not None:
                scores.append(sum(float(c["score"]) for c in found["cases"]))
        if not scores:
            continue
        full = sum(1 for s in scores if s >= exercise["max_score"])
        out.append(
            f"| {exercise['id']} | {_num(statistics.fmean(scores))} | "
            f"{_num(exercise['max_score'])} | {full}/{len(scores)} |"
        )
    out.append("")
    return out


def _row(*cells: str) -> str:
    """A Markdown table row of ``cells``."""
    return "| " + " | ".join(cells) + " |"


def _cell(text: str) -> str:
    """``text`` shown as written in a line or table cell: control characters escaped
    (`printable`), and backslashes before what Markdown would read as a link, an image, HTML,
    an entity, code or a column break (students write exception texts and entry names)."""
    return _MARKUP.sub(r"\\\1", printable(text.replace("\n", " "), lines=False))


def can_plot() -> bool:
    """Whether matplotlib is installed."""
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def plots(rows: list[Row], course: dict[str, Any], folder: Path) -> list[Path]:
    """score_histogram.png and item_analysis.png; none when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    counted = _counted(rows)
    stats = [s for s in case_stats(rows, course) if s["total"]]
    if not counted:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    totals = [float(r.score or 0.0) for r in counted]
    possible = max((r.max_score or 0.0) for r in counted) or 1.0
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    ax.hist(totals, bins=min(20, max(5, int(possible))), range=(0, possible), color="#4878a8")
    ax.axvline(statistics.fmean(totals), color="#c0392b", linestyle="--", label="mean")
    ax.axvline(statistics.median(totals), color="#27ae60", linestyle=":", label="median")
    ax.set_xlabel(f"total score (out of {possible:g})")
    ax.set_ylabel("students")
    ax.set_title(f"Scores of {len(totals)} submissions")
    ax.legend()
    fig.tight_layout()
    path = folder / "score_histogram.png"
    fig.savefig(path)
    plt.close(fig)
    written.append(path)
    if stats:
        labels = [
            f"{s['exercise']}: {s['case'][:40]}{' (hidden)' if s['hidden'] else ''}" for s in stats
        ]
        rates = [100 * s["passed"] / s["total"] for s in stats]
        exercises = list(dict.fromkeys(s["exercise"] for s in stats))
        palette = plt.get_cmap("tab10")
        colours = [palette(exercises.index(s["exercise"]) % 10) for s in stats]
        fig, ax = plt.subplots(figsize=(8, 0.28 * len(stats) + 1.2), dpi=110)
        positions = list(range(len(stats)))[::-1]
        ax.barh(positions, rates, color=colours)
        ax.set_yticks(positions, labels, fontsize=7)
        ax.set_xlim(0, 100)
        ax.set_xlabel("students passing (%)")
        ax.set_title("Item analysis: pass rate per case")
        fig.tight_layout()
        path = folder / "item_analysis.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written
