"""Build the exercise pack as notebooks from the ``.py`` files (the single source of truth).

``exercises/lecture01.ipynb`` gets each exercise's explanation (English and Japanese, with
the formulas as Markdown math) as Markdown cells and the stub code as code cells;
``solutions/lecture01.ipynb`` gets the same Markdown with the reference implementations.
Exercises come in rubric order. The files are committed; ``tests/test_notebook_pack.py``
fails when they are out of date. Re-generate with:

    uv run python tools/make_notebooks.py
"""

from __future__ import annotations

import ast
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NAME = "lecture01.ipynb"

_INTRO = {
    "exercises": (
        "# Lecture 1 exercises / 第 1 回 演習\n\n"
        "Implement each function and fill in each LaTeX string in the code cells below, run "
        "every cell, then grade this notebook:\n\n"
        "下のコードセルの関数を実装し、LaTeX の文字列を埋めてから、すべてのセルを実行して"
        "このノートブックを採点してください：\n\n"
        "```console\nuv run grade exercises/lecture01.ipynb\n```"
    ),
    "solutions": (
        "# Lecture 1 reference solutions / 第 1 回 模範解答\n\n"
        "The reference implementations the grader compares with.\n\n"
        "採点プログラムが比較に使う模範解答です。"
    ),
}


def _rubric_files() -> list[str]:
    """Exercise file names in rubric order (``order:`` first, then id)."""
    import yaml

    entries = []
    for path in sorted((ROOT / "rubrics").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries.append((data.get("order", 1000), data["id"], data["file"]))
    return [file for _order, _id, file in sorted(entries)]


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _join_wide(lines: list[str]) -> list[str]:
    """Lines of a paragraph joined where the break falls between two Japanese characters.

    Markdown renders a line break inside a paragraph as a space, which Japanese does not
    put between words; a break between two Latin words stays (it renders as the space it is).
    """
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        joinable = (
            previous.strip()
            and line.strip()
            and not previous.lstrip().startswith(("#", "$$", "```"))
            and not line.lstrip().startswith(("#", "$$", "```", "- ", "* "))
            and not line.startswith("    ")
        )
        if joinable and _wide(previous.rstrip()[-1]) and _wide(line.lstrip()[0]):
            out[-1] = previous.rstrip() + line.lstrip()
        else:
            out.append(line)
    return out


def _markdown(doc: str, *, title: bool = False) -> str:
    """A docstring in the pack's reST-like style, as Markdown (its first line a heading, with
    the Japanese title of the second line when there is one)."""
    text = doc.strip("\n")
    lines = text.splitlines()
    if title and lines:
        if len(lines) > 1 and lines[1].strip():
            lines[0:2] = [f"{lines[0].strip()} / {lines[1].strip()}"]
        lines[0] = f"## {lines[0].strip()}"
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and below.strip() and set(below.strip()) <= {"-", "="}:
            out.append(f"### {line.strip()}")
            i += 2
            continue
        out.append(line.strip() if line.strip().startswith("$$") else line)
        i += 1
    body = "\n".join(_join_wide(out))
    body = re.sub(r":math:`([^`]*)`", r"$\1$", body)
    body = re.sub(r"``([^`]*)``", r"`\1`", body)
    return body.strip() + "\n"


def _cells_of(path: Path, *, with_docstrings: bool) -> list[tuple[str, str]]:
    """(kind, source) pairs: docstrings become Markdown, other statements code."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    cells: list[tuple[str, str]] = []
    code: list[str] = []

    def flush() -> None:
        text = "\n".join(code).strip("\n")
        if text:
            cells.append(("code", text))
        code.clear()

    body = list(tree.body)
    for i in range(1, len(body)):  # an attribute docstring explains the assignment above it
        if _is_doc(body[i]) and isinstance(body[i - 1], ast.Assign | ast.AnnAssign):
            body[i - 1], body[i] = body[i], body[i - 1]
    for node in body:
        is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if is_doc and isinstance(node.value.value, str):  # type: ignore[attr-defined]
            if with_docstrings:
                flush()
                doc = node.value.value  # type: ignore[attr-defined]
                cells.append(("markdown", _markdown(doc, title=node is tree.body[0])))
            continue
        start = node.lineno - 1
        if getattr(node, "decorator_list", None):
            start = min(d.lineno for d in node.decorator_list) - 1  # type: ignore[attr-defined]
        segment = lines[start : node.end_lineno]
        gap = ["", ""] if isinstance(node, ast.FunctionDef | ast.ClassDef) else [""]
        code.extend([*gap, *segment] if code else segment)
    flush()
    return cells


def _is_doc(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _notebook(kind: str) -> dict[str, Any]:
    cells: list[dict[str, Any]] = [_cell("markdown", _INTRO[kind], "intro")]
    for file in _rubric_files():
        stem = Path(file).stem
        doc_cells = _cells_of(ROOT / "exercises" / file, with_docstrings=True)
        code_cells = _cells_of(ROOT / kind / file, with_docstrings=False)
        if kind == "exercises":
            chosen = doc_cells
        else:  # the explanation from the exercise, the code from the solution
            chosen = [c for c in doc_cells if c[0] == "markdown"][:1] + code_cells
        for n, (cell_kind, source) in enumerate(chosen):
            cells.append(_cell(cell_kind, source, f"{stem}-{n}"))
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _cell(kind: str, source: str, cell_id: str) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": cell_id.replace("_", "-"),
        "metadata": {},
        "source": source.splitlines(keepends=True),
    }
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def render(kind: str) -> str:
    """The notebook text for ``kind`` ("exercises" or "solutions"), as Jupyter writes it."""
    return json.dumps(_notebook(kind), indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    """Write both notebooks."""
    for kind in ("exercises", "solutions"):
        path = ROOT / kind / NAME
        path.write_text(render(kind), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
