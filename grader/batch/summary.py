"""The class picture: a Markdown summary and item-analysis plots, from gradebook rows.

Statistics count graded and refused submissions (a refused archive scores 0); submissions
the grader failed on are listed apart and never counted as zeros. Plots need matplotlib
(``uv sync --extra plots``); without it `grade export` says how to get them.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from grader.batch.gradebook import Row

__all__ = ["can_plot", "case_stats", "markdown", "plots"]

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


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
    out = ["# Batch summary", ""]
    out.append(
        f"{len(rows)} submissions: {len(counted) - len(refused)} graded, {len(refused)} refused "
        f"(unsafe or unreadable; scored 0), {len(failed)} not graded (grader failures)."
    )
    out.append("")
    if counted:
        totals = [float(r.score or 0.0) for r in counted]
        possible = max((r.max_score or 0.0) for r in counted) or 1.0
        out += [
            "## Scores",
            "",
            "| mean | median | min | max | out of |",
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| {_num(statistics.fmean(totals))} | {_num(statistics.median(totals))} | "
            f"{_num(min(totals))} | {_num(max(totals))} | {_num(possible)} |",
            "",
            "## Distribution",
            "",
            "| score | students | |",
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
        out += ["## Hardest cases", "", "| exercise | case | passed |", "| --- | --- | ---: |"]
        for item in sorted(stats, key=lambda s: (s["passed"] / s["total"], s["exercise"]))[:10]:
            hidden = " (hidden)" if item["hidden"] else ""
            rate = 100 * item["passed"] / item["total"]
            out.append(
                f"| {item['exercise']} | {_cell(item['case'])}{hidden} | "
                f"{item['passed']}/{item['total']} ({rate:.0f}%) |"
            )
        out += ["", "## Most common failures per exercise", ""]
        for exercise in course.get("exercises", []):
            messages: Counter[str] = Counter()
            examples: dict[str, str] = {}
            for item in stats:
                if item["exercise"] == exercise["id"]:
                    messages.update(item["messages"])
                    for key, text in item["examples"].items():
                        examples.setdefault(key, text)
            out.append(f"### {exercise['id']}")
            out.append("")
            if not messages:
                out += ["every graded case passed", ""]
                continue
            for key, count in messages.most_common(3):
                out.append(f"- {count} × {_cell(examples[key])}")
            out.append("")
    if failed:
        out += ["## Not graded (grader failures; run `grade batch` again to retry)", ""]
        out += [f"- {r.student} ({r.entry}): {_cell(r.message[:200])}" for r in failed]
        out.append("")
    if refused:
        out += ["## Refused submissions", ""]
        out += [f"- {r.student} ({r.entry}): {_cell(r.message[:200])}" for r in refused]
        out.append("")
    return "\n".join(out)


def _exercise_table(counted: list[Row], course: dict[str, Any]) -> list[str]:
    out = [
        "## Exercises",
        "",
        "| exercise | mean | out of | full marks |",
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


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
