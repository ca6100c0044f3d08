"""Time `grade --watch`'s regrade after a save against a cold `grade` of the same file.

Usage: uv run python bench/watch.py [--runs N] [--exercise softmax] [--sandbox auto]

Copies the exercise's reference solution into a temporary folder, starts
``grade --watch FILE`` there and, N times (default 10), saves the file (a new comment line)
and measures from the save to the end of the new report (the "watching ..." line that follows
it). The latency includes watchfiles' wait for the save to settle (30 ms). Then it times N cold
``grade FILE`` runs (a new process each: Python, NumPy, the template). It prints both medians
and their ratio. Target (issue 15): a regrade in at most 100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
_WAITING = "watching "


def _until_waiting(stream: IO[str], timeout: float = 60.0) -> list[str]:
    """Lines up to and including the next "watching ..." line."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            raise RuntimeError("grade --watch ended early:\n" + "".join(lines))
        lines.append(line)
        if line.startswith(_WAITING):
            return lines
    raise RuntimeError("no report within the timeout")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHON"))}
    env.update(LANG="C.UTF-8", NO_COLOR="1")
    return env


def regrades(file: Path, runs: int, extra: list[str]) -> tuple[list[float], int]:
    """Save→report latencies of `grade --watch FILE`, and its exit code after Ctrl-C."""
    cmd = [sys.executable, "-m", "grader", "--watch", str(file), *extra]
    process = subprocess.Popen(
        cmd, cwd=file.parent, stdout=subprocess.PIPE, text=True, env=_env(), bufsize=1
    )
    assert process.stdout is not None
    try:
        _until_waiting(process.stdout)
        seconds = []
        original = file.read_text(encoding="utf-8")
        for run in range(runs):
            time.sleep(0.3)  # a student types between saves
            started = time.perf_counter()
            file.write_text(f"{original}# save {run}\n", encoding="utf-8")
            report = _until_waiting(process.stdout)
            seconds.append(time.perf_counter() - started)
            if not any(line.startswith("PASS") for line in report):
                raise RuntimeError("the regrade did not pass:\n" + "".join(report))
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    return seconds, code


def cold(file: Path, runs: int, extra: list[str]) -> list[float]:
    """Wall seconds of `grade FILE` in a new process, ``runs`` times."""
    cmd = [sys.executable, "-m", "grader", str(file), *extra]
    seconds = []
    for _ in range(runs + 1):  # the first warms the rubric cache and page cache
        started = time.perf_counter()
        subprocess.run(cmd, cwd=file.parent, stdout=subprocess.DEVNULL, env=_env(), check=True)
        seconds.append(time.perf_counter() - started)
    return seconds[1:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--exercise", default="softmax", help="rubric id (default softmax)")
    parser.add_argument("--sandbox", default="auto", choices=("auto", "local", "secure"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from grader.rubric import load_rubrics

    rubric = next(r for r in load_rubrics(ROOT / "rubrics") if r.id == args.exercise)
    extra = ["--rubrics", str(ROOT / "rubrics"), "--sandbox", args.sandbox]
    with tempfile.TemporaryDirectory(prefix="grade-watch-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)  # as a student's own folder: readable, so nothing is copied
        file = folder / rubric.file
        shutil.copyfile(ROOT / "solutions" / rubric.file, file)
        file.chmod(0o644)
        watched, code = regrades(file, args.runs, extra)
        file.write_text((ROOT / "solutions" / rubric.file).read_text(encoding="utf-8"))
        cold_runs = cold(file, args.runs, extra)
    regrade, fresh = statistics.median(watched), statistics.median(cold_runs)
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    print(f"machine: {os.cpu_count()} cores, {memory:.0f} GiB, python {sys.version.split()[0]}")
    print(
        f"command: uv run python bench/watch.py --runs {args.runs} --exercise {args.exercise}"
        f" --sandbox {args.sandbox}"
    )
    print(
        f"regrade  grade --watch {rubric.file}, save -> report  median {regrade * 1000:7.1f} ms"
        f"  (n={len(watched)}, min {min(watched) * 1000:.1f}, max {max(watched) * 1000:.1f})"
    )
    print(
        f"cold     grade {rubric.file}                          median {fresh * 1000:7.1f} ms"
        f"  (n={len(cold_runs)})"
    )
    print(f"ratio    {fresh / regrade:.1f}x faster; target regrade <= 100 ms")
    print(f"Ctrl-C   grade --watch exited {code}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
