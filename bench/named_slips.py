"""How often does the feedback name the mistake? Grade a folder of imperfect submissions.

Usage: uv run python bench/named_slips.py FOLDER [--labels FILE] [--json OUT]

FOLDER holds ``<exercise>/<name>.py``, each a complete module with one bug. Every file is
copied as the exercise's own filename (``<exercise>.py``) into a fresh temporary folder and
graded through the real CLI, ``grade FILE --format json`` (visible cases only, as a student
sees them). Per exercise and overall it prints:

- ``files``: how many files were graded;
- ``imperfect``: how many did not get the full visible score;
- ``named``: how many of those got a named mistake — a misconception (``details.misconception``)
  or a signature (``details.signature``) on at least one failing visible case;
- ``full``: how many got full visible marks although the file is buggy (false full marks: a
  missing case in the rubric);
- ``+check``: how many of the un-named imperfect ones the LaTeX check itself diagnosed on a
  failing visible case (a broken rule, ``details.rule``: Zenn rules, raw string; or the place
  where the formula differs, ``details.difference``). Variants and signatures never apply to a
  formula string, so for LaTeX this is the naming; it is shown apart, and ``rate`` counts
  only misconceptions and signatures (issue 16's measure), ``rate+`` both;

then lists the un-named ones and the full-marks ones. Issue 16's target: named / files
>= 90 %, no false full marks. The labels file (``FOLDER/labels.yaml`` by default, a mapping
``exercise: {name: "one-line description"}``) is read only to print each miss's description
beside it; it has no effect on the counts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Outcome:
    exercise: str
    name: str
    score: float = 0.0
    max_score: float = 0.0
    named: list[str] = field(default_factory=list)
    #: the LaTeX check's own diagnosis on a failing visible case (a rule, or where it differs)
    checked: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def full(self) -> bool:
        return not self.error and self.max_score > 0 and self.score >= self.max_score

    @property
    def imperfect(self) -> bool:
        return not self.full


def grade_one(path: Path, exercise: str) -> Outcome:
    """Grade ``path`` as ``<exercise>.py`` through the CLI; collect the names on failing cases."""
    outcome = Outcome(exercise, path.stem)
    with tempfile.TemporaryDirectory(prefix="named-slips-") as tmp:
        target = Path(tmp) / f"{exercise}.py"
        shutil.copyfile(path, target)
        proc = subprocess.run(
            [sys.executable, "-m", "grader", str(target), "--format", "json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        outcome.error = lines[-1] if lines else f"exit {proc.returncode}, no JSON"
        return outcome
    for ex in report.get("exercises", []):
        if ex.get("id") != exercise:
            continue
        outcome.score += float(ex.get("score", 0.0))
        outcome.max_score += float(ex.get("max_score", 0.0))
        for case in ex.get("cases", []):
            if case.get("passed") or case.get("hidden"):
                continue
            details = case.get("details") or {}
            for key in ("misconception", "signature"):
                if details.get(key):
                    outcome.named.append(f"{key}:{details[key]}")
            for key in ("rule", "difference"):
                if details.get(key):
                    outcome.checked.append(f"{key}:{details[key]}")
    if outcome.max_score == 0:
        outcome.error = f"no exercise {exercise!r} in the report"
    return outcome


def load_labels(path: Path | None) -> dict[str, dict[str, str]]:
    if path is None or not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(ex): {str(k): str(v) for k, v in (names or {}).items()} for ex, names in data.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--labels", type=Path, default=None, help="default: FOLDER/labels.yaml")
    parser.add_argument("--json", type=Path, default=None, help="write every outcome here")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    folder: Path = args.folder.resolve()
    files = sorted(p for p in folder.glob("*/*.py") if not p.name.startswith("_"))
    if not files:
        parser.error(f"no <exercise>/<name>.py under {folder}")
    labels = load_labels(args.labels or folder / "labels.yaml")

    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        outcomes = list(pool.map(lambda p: grade_one(p, p.parent.name), files))

    exercises = sorted({o.exercise for o in outcomes})
    head = (
        f"{'exercise':<24}{'files':>6}{'imperfect':>10}{'named':>7}{'full':>6}{'rate':>8}"
        f"{'+check':>8}{'rate+':>8}"
    )
    print(head)
    print("-" * len(head))
    totals = [0, 0, 0, 0, 0]
    for ex in exercises:
        mine = [o for o in outcomes if o.exercise == ex]
        row = [
            len(mine),
            sum(o.imperfect for o in mine),
            sum(o.imperfect and bool(o.named) for o in mine),
            sum(o.full for o in mine),
            sum(o.imperfect and not o.named and bool(o.checked) for o in mine),
        ]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(
            f"{ex:<24}{row[0]:>6}{row[1]:>10}{row[2]:>7}{row[3]:>6}{row[2] / row[0]:>8.0%}"
            f"{row[4]:>8}{(row[2] + row[4]) / row[0]:>8.0%}"
        )
    print("-" * len(head))
    print(
        f"{'overall':<24}{totals[0]:>6}{totals[1]:>10}{totals[2]:>7}{totals[3]:>6}"
        f"{totals[2] / totals[0]:>8.1%}{totals[4]:>8}{(totals[2] + totals[4]) / totals[0]:>8.1%}"
    )

    def label(o: Outcome) -> str:
        text = labels.get(o.exercise, {}).get(o.name, "")
        return f"  ({text})" if text else ""

    unnamed = [o for o in outcomes if o.imperfect and not o.named]
    full = [o for o in outcomes if o.full]
    print(f"\nun-named ({len(unnamed)}):")
    for o in unnamed:
        extra = f" [error: {o.error}]" if o.error else f" [{o.score:g}/{o.max_score:g}]"
        if o.checked:
            extra += " [+check]"
        print(f"  {o.exercise}/{o.name}{extra}{label(o)}")
    print(f"\nfalse full marks ({len(full)}):")
    for o in full:
        print(f"  {o.exercise}/{o.name}{label(o)}")

    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "exercise": o.exercise,
                        "name": o.name,
                        "score": o.score,
                        "max_score": o.max_score,
                        "named": o.named,
                        "checked": o.checked,
                        "error": o.error,
                    }
                    for o in outcomes
                ],
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
