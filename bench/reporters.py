"""What the reporters cost: start-up import and render time per format, in one run.

Usage: uv run python bench/reporters.py [--runs N]

1. Import: a fresh ``python -c`` importing the whole registry (``grader.reporters``, which
   ``grade`` imports to offer its --format choices) against one importing only the two
   reporters the core had (terminal, json). Interleaved, N runs each (default 15), medians.
2. Render: each format rendering the stored sample report (tests/golden/sample_report.json),
   N renders each, median per render.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    core = [sys.executable, "-c", "import grader.reporters.json_report, grader.reporters.terminal"]
    full = [sys.executable, "-c", "import grader.reporters"]
    _time(core)
    _time(full)
    cores, fulls = [], []
    for _ in range(args.runs):
        cores.append(_time(core))
        fulls.append(_time(full))
    base, everything = statistics.median(cores), statistics.median(fulls)
    print(f"import terminal+json only   median {base * 1000:7.1f} ms  (n={args.runs})")
    print(f"import grader.reporters     median {everything * 1000:7.1f} ms  (n={args.runs})")
    print(f"ratio  {everything / base:.3f}x   difference {(everything - base) * 1000:+.1f} ms")

    from grader.model import GradeReport
    from grader.reporters import REPORTERS

    data = json.loads((ROOT / "tests" / "golden" / "sample_report.json").read_text())
    report = GradeReport.from_dict(data)
    for name, reporter in sorted(REPORTERS.items()):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            reporter.render(report)
            times.append(time.perf_counter() - started)
        print(
            f"render {name:<11} median {statistics.median(times) * 1000:7.2f} ms  (n={args.runs})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
