"""What a notebook cell is named by: the names it binds, and its first meaningful line.

A cell is named in messages by the functions and classes it defines ("cell 7 (defines
`softmax`)"), else by the names it assigns, else by its first line that is not an import, a
comment or an IPython magic: every cell of the pack starts with ``import numpy as np``, which
names nothing. Pure functions of the cell's text (`grader.notebook.Cell.label` words them).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

__all__ = ["bound_names", "first_meaningful_line"]

#: lines that name no cell: comments, imports and IPython's magics and shell escapes
_IGNORED_LINE = re.compile(r"#|%|!|import\s|from\s+\S+\s+import\s")


def first_meaningful_line(source: str) -> str:
    """The first line (stripped) that is not blank, a comment, an import or a magic; else the
    first non-blank line; else ""."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    meaningful = [line for line in lines if not _IGNORED_LINE.match(line)]
    return (meaningful or lines or [""])[0]


def bound_names(code: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The names ``code`` binds at top level, and those it is named by (`Cell.names`)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return frozenset(), ()
    found = list(_bindings(tree.body))
    defined = [name for kind, name in found if kind == "def"]
    assigned = [name for kind, name in found if kind == "name"]
    names = tuple(dict.fromkeys(defined or assigned))
    return frozenset(name for _kind, name in found), names


def _plain_names(target: ast.expr) -> list[ast.Name]:
    """The names ``target`` assigns themselves (``a, *b = ...``), not through ``a.x`` or
    ``a[0]``."""
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for item in target.elts for name in _plain_names(item)]
    if isinstance(target, ast.Starred):
        return _plain_names(target.value)
    return []


def _bindings(body: list[ast.stmt]) -> Iterator[tuple[str, str]]:
    """(kind, name) of each binding: "def" (a function or class), "name" (a name assigned),
    "item" (a name whose attribute or item is assigned) or "import"."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield "def", node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                plain = _plain_names(target)
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        yield ("name" if sub in plain else "item"), sub.id
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                yield "import", (alias.asname or alias.name).split(".")[0]
        else:
            for attr in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, attr, None)
                if isinstance(inner, list):
                    yield from _bindings([s for s in inner if isinstance(s, ast.stmt)])
            for handler in getattr(node, "handlers", []) or []:
                yield from _bindings(handler.body)
