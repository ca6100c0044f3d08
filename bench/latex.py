"""How much the LaTeX exercise adds to ``grade exercises/``: start KaTeX and check five strings.

Each run is a fresh Python process. It first loads what ``grade`` loads for any exercise (the
check registry and NumPy) and the solution module, then times what the LaTeX exercise adds:
importing the LaTeX modules, starting the engine (dukpy + katex.min.js) and checking the five
solution strings of ``solutions/latex_formulas.py`` against themselves (render, lint, normalise,
compare). Prints the median of the runs (budget 0.15 s), plus the engine-only and from-scratch
figures.

    uv run python bench/latex.py [--runs 15] [--cold]

KaTeX's renders are cached on disk, so a warm run (the usual case: the same formulas again)
starts no JavaScript; ``--cold`` gives every run an empty cache, so each one starts the engine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 0.15

_CHILD = """
import importlib.util, sys, time
t0 = time.perf_counter()
import grader.checks, grader.checks.numeric  # what `grade` loads for any exercise (NumPy, registry)
spec = importlib.util.spec_from_file_location("s", sys.argv[1])
solution = importlib.util.module_from_spec(spec)
spec.loader.exec_module(solution)
t1 = time.perf_counter()
import grader.checks.latex  # the LaTeX modules; no engine starts here
kind = grader.checks.get_check("latex")
params = grader.checks.make_params(kind, {})
t2 = time.perf_counter()
for name in ("CROSS_ENTROPY", "ATTENTION", "KL_DIVERGENCE", "GRADIENT_DESCENT", "ELBO"):
    reference = getattr(solution, name)
    kind.fn(reference, reference, params)  # the first call starts the engine
t3 = time.perf_counter()
print(t3 - t1, t3 - t2, t3 - t0)
"""


def main() -> int:
    """Run the benchmark and print the median; exit 1 when over budget."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cold", action="store_true", help="an empty render cache in every run")
    args = parser.parse_args()
    solution = str(ROOT / "solutions" / "latex_formulas.py")
    added, engine, total = [], [], []
    for _ in range(max(args.runs, 1)):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, XDG_CACHE_HOME=cache) if args.cold else None
            out = subprocess.run(
                [sys.executable, "-c", _CHILD, solution],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
            ).stdout.split()
        added.append(float(out[0]))
        engine.append(float(out[1]))
        total.append(float(out[2]))
    median = statistics.median(added)
    print(
        f"{'cold' if args.cold else 'warm'} render cache: latex adds {median:.3f} s"
        f" (median of {len(added)} fresh processes; min {min(added):.3f},"
        f" max {max(added):.3f}): LaTeX modules import + engine start + 5 checks;"
        f" engine start + 5 checks alone {statistics.median(engine):.3f} s;"
        f" from an empty interpreter incl. NumPy {statistics.median(total):.3f} s;"
        f" budget {BUDGET:.2f} s: {'ok' if median <= BUDGET else 'OVER'}"
    )
    return 0 if median <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
