"""Time `grade solutions/` against the floor `python -c "import numpy"`, in the same run.

Usage: uv run python bench/grade_speed.py [--runs N] [--path solutions/] [--release]

Runs each command N times (default 15), interleaved so that machine noise hits both alike,
and prints the medians and their ratio. The target (issue 2) is a ratio of at most 3.

``--release`` measures inside a student release instead: it builds one into a temporary
folder (`grade release`), installs it with ``uv sync`` as a student would, copies the reference
solutions into its ``exercises/`` and times the release's own ``grade exercises/`` against its
own ``python -c "import numpy"``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(cmd: list[str], cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def _release(folder: Path) -> Path:
    """A release of this course in ``folder``, installed, with the references as the work."""
    sys.path.insert(0, str(ROOT))
    from grader.release.build import Course, build_release
    from grader.rubric import load_rubrics

    out = folder / "release"
    build_release(Course.beside(ROOT / "rubrics"), out)
    uv = os.environ.get("UV") or shutil.which("uv") or "uv"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run([uv, "sync", "--quiet", "--directory", str(out)], check=True, env=env)
    for rubric in load_rubrics(ROOT / "rubrics"):
        shutil.copyfile(ROOT / "solutions" / rubric.file, out / "exercises" / rubric.file)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--path", default="solutions/")
    parser.add_argument("--release", action="store_true", help="measure inside a release")
    parser.add_argument("extra", nargs="*", help="extra arguments for grade")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grade-speed-") as tmp:
        cwd, python, path = ROOT, sys.executable, args.path
        if args.release:
            cwd = _release(Path(tmp))
            python, path = str(cwd / ".venv" / "bin" / "python"), "exercises/"
        grade = shutil.which("grade", path=str(Path(python).parent)) or "grade"
        floor_cmd = [python, "-c", "import numpy"]
        grade_cmd = [grade, path, *args.extra]
        # warm the caches (rubric cache, .pyc files, page cache) once
        _time(grade_cmd, cwd)
        _time(floor_cmd, cwd)
        floors, grades = [], []
        for _ in range(args.runs):
            floors.append(_time(floor_cmd, cwd))
            grades.append(_time(grade_cmd, cwd))
    floor = statistics.median(floors)
    graded = statistics.median(grades)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(f"floor  python -c 'import numpy'   median {floor * 1000:7.1f} ms  (n={args.runs})")
    shown = " ".join(grade_cmd[1:]) + (" (in a release)" if args.release else "")
    print(f"grade  {shown:<26} median {graded * 1000:7.1f} ms  (n={args.runs})")
    print(f"ratio  {graded / floor:.2f}x  (target <= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
