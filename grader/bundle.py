"""``grade gradescope-bundle``: the autograder zip Gradescope builds its image from.

The zip holds, at its root, ``setup.sh`` (installs uv, Python and this grader into
``/autograder/venv``), ``run_autograder`` (grades ``/autograder/submission`` and writes
``/autograder/results/results.json``), the grader's source (``pyproject.toml``, ``uv.lock``,
``grader/``), the rubrics and the reference solutions. Entries are sorted and dated 1980-01-01,
so the same inputs give the same bytes.

``run_autograder`` calls ``python -m grader.bundle run ROOT``; ROOT is ``$AUTOGRADER_ROOT``
(default ``/autograder``) and the interpreter ``$AUTOGRADER_PYTHON`` (default
``ROOT/venv/bin/python``), so the tests run it against a fake tree in a temporary folder.
Hidden cases run (``--include-hidden``) and reach students per the gradescope reporter's
visibility. The exit code is always 0: Gradescope reads the score from results.json, and when
grading itself fails a results.json with the reason is written instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from grader import messages as msg
from grader.errors import UsageError

__all__ = ["build_bundle", "main", "run_autograder"]

_SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root with network access, while building the autograder image.
set -euo pipefail
apt-get update -q
apt-get install -y -q --no-install-recommends curl ca-certificates
curl -LsSf https://astral.sh/uv/install.sh | env UV_INSTALL_DIR=/usr/local/bin sh
uv venv --python 3.12 /autograder/venv
uv pip install --python /autograder/venv/bin/python /autograder/source
"""

_RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission. AUTOGRADER_ROOT / AUTOGRADER_PYTHON are for tests.
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
python="${AUTOGRADER_PYTHON:-$root/venv/bin/python}"
cd "$root" || exit 0
exec "$python" -m grader.bundle run "$root"
"""

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _project_root() -> Path:
    root = Path(__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise UsageError(f"{root}: gradescope-bundle needs a checkout of the grader's source")
    return root


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob(pattern)
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def _add(archive: zipfile.ZipFile, name: str, data: bytes, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


def build_bundle(out: Path, rubrics: Path, solutions: Path) -> list[str]:
    """Write the autograder zip to ``out``; returns the names it holds."""
    root = _project_root()
    if not any(rubrics.glob("*.yaml")):
        raise UsageError(f"{rubrics}: no rubric YAML files")
    if not solutions.is_dir():
        raise UsageError(f"{solutions}: solutions folder not found")
    entries: dict[str, tuple[bytes, bool]] = {
        "setup.sh": (_SETUP.encode(), True),
        "run_autograder": (_RUN.encode(), True),
    }
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        if (root / name).is_file():
            entries[name] = ((root / name).read_bytes(), False)
    for path in _files(root / "grader", "*"):
        entries[path.relative_to(root).as_posix()] = (path.read_bytes(), False)
    for path in _files(rubrics, "*.yaml"):
        entries[f"rubrics/{path.relative_to(rubrics).as_posix()}"] = (path.read_bytes(), False)
    for path in _files(solutions, "*"):
        entries[f"solutions/{path.relative_to(solutions).as_posix()}"] = (path.read_bytes(), False)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w") as archive:
            for name in sorted(entries):
                data, executable = entries[name]
                _add(archive, name, data, executable=executable)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the bundle: {exc.strerror}") from None
    return sorted(entries)


def _submission_folder(submission: Path, rubrics: Path) -> Path:
    """The folder holding the exercise files (uploads may arrive inside a folder)."""
    from grader.rubric import load_rubrics

    names = {r.file for r in load_rubrics(rubrics)}
    for path in sorted(submission.rglob("*"), key=lambda p: (len(p.parts), str(p))):
        if path.name in names and not any(part.startswith(".") for part in path.parts):
            return path.parent
    return submission


def run_autograder(root: Path) -> int:
    """Grade ``root/submission`` into ``root/results/results.json``; always returns 0."""
    from grader import cli

    source = root / "source"
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.unlink(missing_ok=True)
    code = 2
    try:
        submission = _submission_folder(root / "submission", source / "rubrics")
        code = cli.main(
            [
                str(submission),
                "--rubrics",
                str(source / "rubrics"),
                "--solutions",
                str(source / "solutions"),
                "--include-hidden",
                "--format",
                "gradescope",
                "--output",
                str(results),
                "--fail-under",
                "0",
            ]
        )
    except Exception as exc:  # noqa: BLE001 - any failure still owes Gradescope a results.json
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
    if code >= 2 or not results.is_file():
        text = msg.t("gradescope_failed", code=code)
        fallback = {"score": 0, "output": text, "output_format": "md", "tests": []}
        results.write_text(json.dumps(fallback, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def main(argv: Sequence[str]) -> int:
    """``grade gradescope-bundle [--out FILE] [--rubrics DIR] [--solutions DIR]``."""
    parser = argparse.ArgumentParser(
        prog="grade gradescope-bundle",
        description="Build the Gradescope autograder zip (setup.sh, run_autograder, grader, "
        "rubrics, reference solutions).",
    )
    parser.add_argument("--out", metavar="FILE", default="autograder.zip")
    parser.add_argument("--rubrics", metavar="DIR", default="rubrics")
    parser.add_argument("--solutions", metavar="DIR", default=None)
    args = parser.parse_args(argv)
    rubrics = Path(args.rubrics)
    solutions = Path(args.solutions) if args.solutions else rubrics.resolve().parent / "solutions"
    try:
        names = build_bundle(Path(args.out), rubrics, solutions)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"{args.out}: {len(names)} files")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"] and len(sys.argv) == 3:
        sys.exit(run_autograder(Path(sys.argv[2])))
    sys.exit(main(sys.argv[1:]))
