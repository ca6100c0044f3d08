"""Time notebook grading against its two yardsticks, in the same run (issue 5).

Usage: uv run python bench/notebook.py [--runs N] [--skip-kernel]

1. Default mode: ``grade solutions/lecture01.ipynb`` against ``grade solutions/`` (the same
   exercises as ``.py`` files). Target: at most 2x.
2. Kernel mode: ``grade --kernel solutions/lecture01.ipynb`` against a bare nbclient execution
   of the same notebook in a fresh process (read it with nbformat, run every cell in a
   ``python3`` kernel, shut down). Target: at most 1.3x.

Each command is a fresh process, run N times (default 11) interleaved with its yardstick so
that machine noise hits both alike; the medians and their ratio are printed.
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
NOTEBOOK = "solutions/lecture01.ipynb"
_BARE = (
    "import sys, nbformat, nbclient\n"
    "nb = nbformat.read(sys.argv[1], as_version=4)\n"
    "nbclient.NotebookClient(nb, kernel_name='python3', timeout=60).execute()\n"
)


def _time(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def _pair(
    name: str, cmd: list[str], base_name: str, base: list[str], *, runs: int, target: float
) -> None:
    _time(cmd)  # warm caches (rubric cache, .pyc files, page cache) once
    _time(base)
    ours, theirs = [], []
    for _ in range(runs):
        theirs.append(_time(base))
        ours.append(_time(cmd))
    mine, yardstick = statistics.median(ours), statistics.median(theirs)
    print(f"  {base_name:<44} median {yardstick * 1000:8.1f} ms  (n={runs})")
    print(f"  {name:<44} median {mine * 1000:8.1f} ms  (n={runs})")
    print(f"  ratio {mine / yardstick:.2f}x  (target <= {target}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--skip-kernel", action="store_true", help="only the default mode")
    args = parser.parse_args()
    grade = shutil.which("grade", path=str(Path(sys.executable).parent)) or "grade"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, load {load:.1f}")
    print("default mode (no kernel) vs the same exercises as .py files:")
    _pair(
        f"grade {NOTEBOOK}",
        [grade, NOTEBOOK],
        "grade solutions/",
        [grade, "solutions/"],
        runs=args.runs,
        target=2.0,
    )
    if not args.skip_kernel:
        print("kernel mode vs a bare nbclient execution of the same notebook:")
        _pair(
            f"grade --kernel {NOTEBOOK}",
            [grade, "--kernel", NOTEBOOK],
            "nbclient execute (fresh process)",
            [sys.executable, "-c", _BARE, NOTEBOOK],
            runs=args.runs,
            target=1.3,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
