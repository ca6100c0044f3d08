"""Time `grade solutions/` in secure mode against local mode, in the same run.

Usage: uv run python bench/sandbox.py [--runs N] [--path solutions/]

Runs ``grade PATH --sandbox local`` and ``grade PATH --sandbox secure`` N times each
(default 15), interleaved so that machine noise hits both alike, and prints the medians and
their ratio. The target (issue 4) is a ratio of at most 2. Also prints ``--sandbox auto``,
which is what a student pays by default.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(cmd: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--path", default="solutions/")
    args = parser.parse_args()
    grade = shutil.which("grade", path=str(Path(sys.executable).parent)) or "grade"
    modes = ("local", "secure", "auto")
    commands = {mode: [grade, args.path, "--sandbox", mode] for mode in modes}
    for cmd in commands.values():  # warm the caches once
        _time(cmd)
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(args.runs):
        for mode in modes:
            times[mode].append(_time(commands[mode]))
    medians = {mode: statistics.median(values) for mode, values in times.items()}
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    for mode in modes:
        print(
            f"grade {args.path} --sandbox {mode:<6} median {medians[mode] * 1000:7.1f} ms"
            f"  (n={args.runs})"
        )
    print(f"ratio  secure / local = {medians['secure'] / medians['local']:.2f}x  (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
