"""``grade gradescope-bundle``: the autograder zip Gradescope builds its image from.

The zip holds, at its root, ``setup.sh`` (installs uv, bubblewrap for secure mode, and this
grader with exactly the dependency versions of the bundled ``uv.lock`` — ``uv sync --locked
--no-dev`` — into ``/autograder/venv``), ``run_autograder`` (grades ``/autograder/submission``
and writes ``/autograder/results/results.json``), the grader's source (``pyproject.toml``,
``uv.lock``, ``grader/``), the rubrics and the reference solutions. Entries are sorted and
dated 1980-01-01, so the same inputs give the same bytes.

Both scripts take their paths from the environment so that tests can run them in a temporary
root: ``AUTOGRADER_ROOT`` (default ``/autograder``); for ``setup.sh`` also ``AUTOGRADER_VENV``
(default ``ROOT/venv``) and ``AUTOGRADER_PYTHON_VERSION`` (a version or an interpreter path,
default 3.12), with uv's own ``UV_OFFLINE`` honoured; for ``run_autograder``
``AUTOGRADER_PYTHON`` (default ``ROOT/venv/bin/python``). ``run_autograder`` calls ``python -m
grader.bundle run ROOT [--lang LANG]``. Hidden cases run (``--include-hidden``) and reach
students per the gradescope reporter's visibility; results.json names the sandbox mode that
ran the code; a bundle built with ``--sandbox secure`` grades nothing where secure mode cannot
start. The exit code is always 0: Gradescope reads the score from results.json, and when
grading itself fails a results.json with the grader's own error lines is written instead.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shlex
import sys
import zipfile
from pathlib import Path
from typing import TextIO

from grader import messages as msg
from grader.errors import UsageError

__all__ = ["add_arguments", "build_bundle", "run", "run_autograder"]

_SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root with network access, while building the autograder image.
# It installs exactly what the bundled uv.lock pins (the versions the course tested).
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
venv="${AUTOGRADER_VENV:-$root/venv}"
python_version="${AUTOGRADER_PYTHON_VERSION:-3.12}"
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v uv >/dev/null 2>&1 || missing+=(curl ca-certificates)
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "warning: cannot install ${missing[*]} (no apt-get)" >&2
  fi
fi
if ! command -v uv >/dev/null 2>&1; then
  curl -LsSf https://astral.sh/uv/install.sh | env UV_INSTALL_DIR=/usr/local/bin sh
fi
if ! command -v bwrap >/dev/null 2>&1; then
  echo "warning: no bubblewrap: student code will run in local mode (not confined)" >&2
fi
cd "$root/source"
UV_PROJECT_ENVIRONMENT="$venv" uv sync --locked --no-dev --no-editable \
  --python "$python_version"
"""

_RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission. AUTOGRADER_ROOT / AUTOGRADER_PYTHON are for tests.
set -u
root="${{AUTOGRADER_ROOT:-/autograder}}"
python="${{AUTOGRADER_PYTHON:-$root/venv/bin/python}}"
cd "$root" || exit 0
exec "$python" -m grader.bundle run "$root"{options}
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


def build_bundle(
    out: Path, rubrics: Path, solutions: Path, *, lang: str | None = None, sandbox: str = "auto"
) -> list[str]:
    """Write the autograder zip to ``out``; returns the names it holds.

    ``lang`` fixes the language of the students' results (default: English); ``sandbox``
    ``secure`` makes run_autograder refuse to grade where secure mode cannot run.
    """
    root = _project_root()
    if not any(rubrics.glob("*.yaml")):
        raise UsageError(f"{rubrics}: no rubric YAML files")
    if not solutions.is_dir():
        raise UsageError(f"{solutions}: solutions folder not found")
    entries: dict[str, tuple[bytes, bool]] = {
        "setup.sh": (_SETUP.encode(), True),
        "run_autograder": (_run_script(lang, sandbox).encode(), True),
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


def _run_script(lang: str | None, sandbox: str = "auto") -> str:
    options = f" --lang {shlex.quote(lang)}" if lang else ""
    if sandbox != "auto":
        options += f" --sandbox {shlex.quote(sandbox)}"
    return _RUN.format(options=options)


def _submission_folder(submission: Path, rubrics: Path) -> Path:
    """The folder holding the exercise files (uploads may arrive inside a folder)."""
    from grader.rubric import load_rubrics

    names = {r.file for r in load_rubrics(rubrics)}
    for path in sorted(submission.rglob("*"), key=lambda p: (len(p.parts), str(p))):
        if path.name in names and not any(part.startswith(".") for part in path.parts):
            return path.parent
    return submission


class _Tee(io.TextIOBase):
    """A text stream that writes to ``first`` and keeps a copy."""

    def __init__(self, first: TextIO) -> None:
        self.first = first
        self.kept = io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.first.write(text)

    def flush(self) -> None:
        self.first.flush()


def run_autograder(root: Path, lang: str | None = None, sandbox: str = "auto") -> int:
    """Grade ``root/submission`` into ``root/results/results.json``; always returns 0.

    When grading fails, results.json says so, with the grader's own error lines (e.g. secure
    mode asked for by ``sandbox`` and unable to start in this image)."""
    from grader import cli
    from grader.untrusted import printable

    source = root / "source"
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.unlink(missing_ok=True)
    code = 2
    errors = _Tee(sys.stderr)
    try:
        submission = _submission_folder(root / "submission", source / "rubrics")
        with contextlib.redirect_stderr(errors):
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
                    "--sandbox",
                    sandbox,
                    *(["--lang", lang] if lang else []),
                ]
            )
    except Exception as exc:  # noqa: BLE001 - any failure still owes Gradescope a results.json
        print(f"error: {type(exc).__name__}: {exc}", file=errors)
    if code >= 2 or not results.is_file():
        text = msg.t("gradescope_failed", code=code)
        said = [line for line in errors.kept.getvalue().splitlines() if line.strip()]
        # the grader's last words, as an indented (code) block: nothing in them is markup
        if said:
            text += "\n\n" + "\n".join(f"    {printable(line, lines=False)}" for line in said[-5:])
        fallback = {"score": 0, "output": text, "output_format": "md", "tests": []}
        results.write_text(json.dumps(fallback, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``grade gradescope-bundle``."""
    from grader.cli import add_course_options, add_output_option
    from grader.grade_command import add_lang_option

    add_output_option(
        parser,
        metavar="FILE",
        default="autograder.zip",
        help="where to write the zip (default: autograder.zip)",
    )
    add_course_options(parser)
    add_lang_option(parser, "the students' results on Gradescope", "en")
    parser.add_argument(
        "--sandbox",
        choices=("auto", "secure"),
        default="auto",
        help="secure: grade nothing where secure mode cannot run in Gradescope's image (each "
        "result then says why); auto (default): fall back to local mode there",
    )


def run(args: argparse.Namespace) -> int:
    """Build the zip; returns the exit code."""
    from grader.cli import rubrics_option

    rubrics = rubrics_option(args.rubrics)
    solutions = Path(args.solutions) if args.solutions else rubrics.resolve().parent / "solutions"
    names = build_bundle(
        Path(args.output), rubrics, solutions, lang=args.lang, sandbox=args.sandbox
    )
    print(f"{args.output}: {len(names)} files")
    return 0


if __name__ == "__main__":
    command = argparse.ArgumentParser(prog="python -m grader.bundle")
    command.add_argument("run", choices=["run"])
    command.add_argument("root", type=Path)
    command.add_argument("--lang", choices=("en", "ja"), default=None)
    command.add_argument("--sandbox", choices=("auto", "secure"), default="auto")
    parsed = command.parse_args()
    sys.exit(run_autograder(parsed.root, parsed.lang, parsed.sandbox))
