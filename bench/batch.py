"""Throughput of `grade batch` on N synthetic submissions: submissions/second and peak memory.

Usage: uv run python bench/batch.py [--n 1000] [--kind py|ipynb] [--runs 10] [--workers N]
                                   [--hostile 0.01] [--sandbox auto|local|secure]

Generates N submissions in a temporary folder — mostly correct (copies of solutions/), some
wrong (an exercise left as the stub, or softmax without the max shift), a few hostile (an
infinite loop at import, an infinite loop inside a function, sys.exit, an output flood) —
then runs ``grade batch SUBMISSIONS --out RESULTS --regrade --no-export`` in a subprocess
RUNS times and prints the median wall time, submissions per second, and the peak memory of
the whole process tree (sampled every 50 ms). ``--kind ipynb`` makes one notebook per
student with one code cell per exercise. Targets (issue 6, 2-core machine): 1000 folder
submissions in at most 60 s; notebooks at least 20x faster than nbgrader's ~0.94 s each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
NBGRADER_SECONDS = 0.94  # measured on this machine (issue 6)

UNSTABLE_SOFTMAX = (
    "import numpy as np\n\n\ndef softmax(z, axis=-1):\n"
    "    e = np.exp(z)\n    return e / e.sum(axis=axis, keepdims=True)\n"
)
HOSTILE = {
    "loop_import": ("cross_entropy.py", "while True:\n    pass\n"),
    "loop_call": ("sgd_step.py", "def sgd_step(*args, **kwargs):\n    while True:\n        pass\n"),
    "exit": ("cosine_similarity.py", "import sys\nsys.exit(1)\n"),
    "flood": (
        "log_normal_pdf.py",
        "def log_normal_pdf(*args, **kwargs):\n    while True:\n        print('x' * 4096)\n",
    ),
}


def _files(rng: random.Random, hostile: float) -> tuple[dict[str, str], str]:
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(SOLUTIONS.glob("*.py"))}
    roll = rng.random()
    if roll < hostile:
        name = rng.choice(sorted(HOSTILE))
        file, source = HOSTILE[name]
        files[file] = source
        return files, f"hostile:{name}"
    if roll < hostile + 0.12:
        if rng.random() < 0.5 and "softmax.py" in files:
            files["softmax.py"] = UNSTABLE_SOFTMAX
        else:
            stub = rng.choice(sorted(EXERCISES.glob("*.py")))
            files[stub.name] = stub.read_text(encoding="utf-8")
        return files, "wrong"
    return files, "correct"


def generate(folder: Path, n: int, kind: str, hostile: float, seed: int = 1) -> dict[str, int]:
    """Write N submissions into ``folder``; returns how many of each sort."""
    rng = random.Random(seed)
    sorts: dict[str, int] = {}
    for i in range(n):
        files, sort = _files(rng, hostile)
        sorts[sort] = sorts.get(sort, 0) + 1
        student = f"s{i:05d}"
        if kind == "ipynb":
            cells = [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": text,
                }
                for text in files.values()
            ]
            notebook = {
                "cells": cells,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
            (folder / f"{student}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
        else:
            target = folder / student
            target.mkdir()
            for name, text in files.items():
                (target / name).write_text(text, encoding="utf-8")
    return sorts


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_once(
    submissions: Path,
    results: Path,
    workers: int | None,
    sandbox: str | None = None,
    rubrics: Path | None = None,
) -> tuple[float, int, str]:
    """One `grade batch` run: wall seconds, peak tree memory, and its last stderr line."""
    command = [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(results)]
    command += ["--regrade", "--no-export", "--no-progress"]
    if rubrics is not None:
        command += ["--rubrics", str(rubrics), "--solutions", str(SOLUTIONS)]
    if workers:
        command += ["--workers", str(workers)]
    if sandbox:
        command += ["--sandbox", sandbox]
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.05):
            peak = max(peak, _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    lines = [line for line in err.splitlines() if line.strip()]
    return seconds, peak, lines[-1] if lines else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--kind", choices=["py", "ipynb"], default="py")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--hostile", type=float, default=0.01, help="share of hostile ones")
    parser.add_argument(
        "--sandbox",
        choices=["auto", "local", "secure"],
        help="passed to grade batch (default: its default, auto: secure where it works)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument(
        "--exercises",
        metavar="ID,ID",
        help="grade only these exercises (e.g. the pack a target was set for; default: all)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    rubrics = None
    if args.exercises:
        rubrics = work / "rubrics"
        rubrics.mkdir()
        for name in args.exercises.split(","):
            shutil.copyfile(ROOT / "rubrics" / f"{name}.yaml", rubrics / f"{name}.yaml")
    try:
        submissions = work / "submissions"
        submissions.mkdir()
        sorts = generate(submissions, args.n, args.kind, args.hostile)
        print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
        print(f"{args.n} {args.kind} submissions: {json.dumps(sorts, sort_keys=True)}")
        times, peaks = [], []
        last = ""
        for run in range(args.runs):
            seconds, peak, last = run_once(
                submissions, work / "results", args.workers, args.sandbox, rubrics
            )
            times.append(seconds)
            peaks.append(peak)
            print(f"  run {run + 1}: {seconds:6.1f} s  peak {peak / 2**20:6.0f} MiB  ({last})")
        failed = re.search(r"(\d+) grader errors", last)
        if failed and int(failed.group(1)):
            print(
                f"warning: {failed.group(1)} grader errors: those submissions were not graded, "
                "so this figure does not measure grading"
            )
        median = statistics.median(times)
        rate = args.n / median
        print(
            f"median {median:.1f} s over {args.runs} runs: {rate:.1f} submissions/s, "
            f"{1000 * median / args.n:.1f} ms each; peak memory {max(peaks) / 2**20:.0f} MiB"
        )
        if args.kind == "ipynb":
            print(
                f"vs nbgrader ({NBGRADER_SECONDS} s per notebook): "
                f"{NBGRADER_SECONDS / (median / args.n):.0f}x faster (target >= 20x)"
            )
        else:
            print(f"1000 submissions would take {1000 / rate:.0f} s (target <= 60 s)")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
