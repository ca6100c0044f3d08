"""Stubs: has the student worked on an exercise in this file, or is it still the stub?

A folder may hold an exercise twice, as its ``.py`` stub and in a notebook; the grader grades
what the student worked on. A name is *untouched* when the file does not bind it, or binds it
(last) to a function whose body only raises ``NotImplementedError`` (or is ``pass``/``...``
after the docstring), or to ``""``, ``None`` or ``...``. The source is parsed, never run. A
file that does not parse has been worked on (the stubs parse), so it is graded and its error
shown.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

from grader.student_files import read_student_bytes

__all__ = ["untouched", "untouched_file"]

#: a larger exercise file is certainly not a stub (and is not read here)
MAX_BYTES = 1 << 20


def untouched(source: str, names: Sequence[str]) -> bool:
    """Whether none of ``names`` is implemented in ``source``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    last: dict[str, ast.stmt] = {}
    for node in tree.body:
        for name in _bound(node):
            if name in names:
                last[name] = node
    return all(name not in last or _is_stub(last[name]) for name in names)


def untouched_file(path: Path, names: Sequence[str]) -> bool:
    """`untouched` for a file; a file that cannot be read safely counts as worked on."""
    data = read_student_bytes(path, MAX_BYTES)
    return data is not None and untouched(data.decode("utf-8", errors="replace"), names)


def _bound(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    return []


def _is_stub(node: ast.stmt) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        body = node.body
        if body and _is_docstring(body[0]):
            body = body[1:]
        return all(_placeholder(s) for s in body)
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        value = node.value
        return isinstance(value, ast.Constant) and value.value in ("", None, Ellipsis)
    return False


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _placeholder(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return node.value.value is Ellipsis
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False
