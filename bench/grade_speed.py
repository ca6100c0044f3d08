"""Time `grade solutions/` against the floor `python -c "import numpy"`, in the same run.

Usage: uv run python bench/grade_speed.py [--runs N] [--path solutions/]

Runs each command N times (default 15), interleaved so that machine noise hits both alike,
and prints the medians and their ratio. The target (issue 2) is a ratio of at most 3.
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
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--path", default="solutions/")
    parser.add_argument("extra", nargs="*", help="extra arguments for grade")
    args = parser.parse_args()
    grade = shutil.which("grade", path=str(Path(sys.executable).parent)) or "grade"
    floor_cmd = [sys.executable, "-c", "import numpy"]
    grade_cmd = [grade, args.path, *args.extra]
    # warm the caches (rubric cache, .pyc files, page cache) once
    _time(grade_cmd)
    _time(floor_cmd)
    floors, grades = [], []
    for _ in range(args.runs):
        floors.append(_time(floor_cmd))
        grades.append(_time(grade_cmd))
    floor = statistics.median(floors)
    graded = statistics.median(grades)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(f"floor  python -c 'import numpy'   median {floor * 1000:7.1f} ms  (n={args.runs})")
    print(f"grade  {' '.join(grade_cmd[1:]):<26} median {graded * 1000:7.1f} ms  (n={args.runs})")
    print(f"ratio  {graded / floor:.2f}x  (target <= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
