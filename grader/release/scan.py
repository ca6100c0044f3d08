"""Scan a release for course material that must never reach students.

Secrets are: every non-trivial line of every reference solution and known-wrong variant (code
cells of reference notebooks included), and every hidden case's name, title, inputs and
expected value (as the release would encode them, as raw bytes, and as printed numbers).
A line that a public file already holds (a stub's signature or docstring, a line of the
grader's own code) is not a secret, nor is a hidden value that a visible case shares. Every
file of the release is searched: its bytes, its text, and for JSON files (notebooks) the
strings inside.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from grader.sandbox import transport

if TYPE_CHECKING:
    from grader.release.build import Course
    from grader.rubric import Rubric

__all__ = ["Leak", "Secret", "course_secrets", "release_files", "scan"]

#: shorter lines are too common to mean anything (``return z``, ``n = len(x)``)
_MIN_LINE = 16
#: a printed number is distinctive from this many characters (``0.7310585786``)
_MIN_NUMBER = 9
#: the grader's own files: they ship in every release, so nothing in them is a secret
_GRADER = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Secret:
    """One thing a release must not contain, and what it is."""

    what: str
    pattern: bytes


@dataclass(frozen=True)
class Leak:
    """A secret found in a release file."""

    file: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}: {self.what}"


def scan(out: Path, secrets: list[Secret]) -> list[Leak]:
    """Every secret found in any file of ``out`` that git would commit (``.git`` and the
    folders the release's ``.gitignore`` names, such as ``.venv/``, aside)."""
    leaks = []
    for path in release_files(out):
        data = path.read_bytes()
        haystacks = [data, *_strings(path, data)]
        rel = path.relative_to(out).as_posix()
        for secret in secrets:
            if any(secret.pattern in h for h in haystacks):
                leaks.append(Leak(rel, secret.what))
    return leaks


def release_files(out: Path) -> list[Path]:
    """The files of the release folder ``out`` that its repository would hold."""
    ignored = {".git"}
    try:
        for line in (out / ".gitignore").read_text(encoding="utf-8").splitlines():
            if line.endswith("/") and "*" not in line:
                ignored.add(line.strip("/"))
    except OSError:
        pass
    found: list[Path] = []
    for root, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if d not in ignored)
        found.extend(Path(root) / name for name in sorted(files) if not name.endswith(".pyc"))
    return found


def _strings(path: Path, data: bytes) -> list[bytes]:
    """The strings of a JSON file joined by lines (a notebook's sources and outputs)."""
    if path.suffix not in (".ipynb", ".json"):
        return []
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        return []
    return ["\n".join(_walk_strings(parsed)).encode("utf-8", "surrogatepass")]


def _walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk_strings(item)


# -- what is secret ----------------------------------------------------------------------------


def course_secrets(course: Course, rubrics: list[Rubric]) -> list[Secret]:
    """Everything of ``course`` that a release of it must not contain."""
    # what ships by design is no secret: the stubs, and the grader's own code (a reference
    # may well share a line of NumPy boilerplate with it)
    public = _public_lines(course.exercises) | _public_lines(_GRADER)
    secrets: list[Secret] = []
    for path in sorted(course.solutions.rglob("*")):
        if path.suffix not in (".py", ".ipynb") or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(course.root).as_posix()
        for number, line in _code_lines(path):
            if _secret_line(line) and line not in public:
                secrets.append(Secret(f"line {number} of {rel}", line.encode()))
    secrets.extend(_hidden_secrets(course, rubrics))
    # a pattern the public files hold already (a case named "hidden", a common number) tells
    # nothing: the release would hold it anyway
    corpus = _public_bytes(course.exercises, _GRADER) + _visible_text(rubrics)
    return [s for s in secrets if s.pattern not in corpus]


def _public_bytes(*folders: Path) -> bytes:
    chunks = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                chunks.append(path.read_bytes())
    return b"\n".join(chunks)


def _visible_text(rubrics: list[Rubric]) -> bytes:
    """What a release shows of its rubrics by design: titles, hints, descriptions (a hint may
    quote a line such as ``w -= lr * grad_w`` on purpose)."""
    texts: list[str] = []
    for rubric in rubrics:
        for text in (rubric.title, rubric.hint, rubric.description):
            texts.extend(text.values())
        for case in rubric.cases:
            if not case.hidden:
                texts.extend((*case.title.values(), *case.hint.values()))
        for item in rubric.misconceptions:
            hint = item.get("hint", {})
            texts.extend(hint.values() if isinstance(hint, dict) else [str(hint)])
    return "\n".join(texts).encode()


def _secret_line(line: str) -> bool:
    if len(line) < _MIN_LINE or line.startswith(("#", "import ", "from ", '"""', "'''")):
        return False
    return not line.startswith(("def ", "class ", "@"))


def _code_lines(path: Path) -> Iterator[tuple[int, str]]:
    if path.suffix == ".py":
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            yield number, line.strip()
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    number = 0
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        for line in ("".join(source) if isinstance(source, list) else source).splitlines():
            number += 1
            yield number, line.strip()


def _public_lines(folder: Path) -> set[str]:
    lines: set[str] = set()
    for path in folder.rglob("*"):
        if path.suffix == ".py" and path.is_file():
            lines.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
        elif path.suffix == ".ipynb" and path.is_file():
            lines.update(line for _, line in _code_lines(path))
            data = json.loads(path.read_text(encoding="utf-8"))
            for text in _walk_strings(data.get("cells", [])):
                lines.update(line.strip() for line in text.splitlines())
    return lines


def _hidden_secrets(course: Course, rubrics: list[Rubric]) -> list[Secret]:
    from grader.plan import plan_exercise

    out: list[Secret] = []
    for rubric in rubrics:
        if not any(c.hidden for c in rubric.cases):
            continue
        plan = plan_exercise(rubric, course.solutions, include_hidden=True)
        visible: set[bytes] = set()
        for case in plan.cases:
            if not case.spec.hidden:
                for value in (*case.args, *case.kwargs.values(), case.expected):
                    visible.update(_value_patterns(value))
        for case in plan.cases:
            spec = case.spec
            if not spec.hidden:
                continue
            about = f"hidden case {spec.name!r} of {rubric.id}"
            out.append(Secret(f"{about}: its name", spec.name.encode()))
            out.extend(Secret(f"{about}: its title", t.encode()) for t in spec.title.values() if t)
            values = [("input", v) for v in (*case.args, *case.kwargs.values())]
            values.append(("expected value", case.expected))
            for label, value in values:
                out.extend(
                    Secret(f"{about}: its {label}", p)
                    for p in _value_patterns(value)
                    if p not in visible
                )
    return out


def _value_patterns(value: Any) -> set[bytes]:
    """How a value could appear in a file: frozen (base64 .npy), raw bytes, printed numbers."""
    from grader.frozen import freeze

    patterns: set[bytes] = set()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        blob = transport.encode_npy(value)
        patterns.add(base64.b64encode(blob))
        raw = np.ascontiguousarray(value).tobytes()
        if len(raw) >= 16:
            patterns.add(raw)
        for number in value.ravel()[:8].tolist():
            patterns.update(_number_patterns(number))
    elif isinstance(value, float):
        patterns.update(_number_patterns(value))
        patterns.add(json.dumps(freeze(value)).encode())
    elif isinstance(value, str) and len(value) >= _MIN_LINE:
        patterns.add(value.encode())
    elif isinstance(value, list | tuple):
        for item in value:
            patterns.update(_value_patterns(item))
    return patterns


def _number_patterns(number: Any) -> set[bytes]:
    if not isinstance(number, float):
        return set()
    text = repr(number)
    if len(text.lstrip("-")) < _MIN_NUMBER:
        return set()
    # shown as Python prints it, and as the reports round it (4 significant digits are too
    # common to be told apart from other numbers, so the full repr is what counts)
    return {text.encode(), number.hex().encode()}
