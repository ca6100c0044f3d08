"""Pointing at a place in the student's string: a two-line excerpt with a caret under it."""

from __future__ import annotations

import difflib
import re
import unicodedata

__all__ = ["caret", "suggest_command"]

#: commands students of this lecture use; for "did you mean" after an undefined command
KNOWN_COMMANDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "varepsilon",
    "theta",
    "lambda",
    "mu",
    "sigma",
    "phi",
    "varphi",
    "psi",
    "omega",
    "pi",
    "rho",
    "tau",
    "eta",
    "nabla",
    "partial",
    "sum",
    "prod",
    "int",
    "frac",
    "sqrt",
    "log",
    "exp",
    "ln",
    "max",
    "min",
    "arg",
    "argmax",
    "argmin",
    "mathcal",
    "mathbb",
    "mathbf",
    "mathrm",
    "text",
    "operatorname",
    "left",
    "right",
    "cdot",
    "times",
    "top",
    "intercal",
    "hat",
    "bar",
    "tilde",
    "vec",
    "dot",
    "mid",
    "parallel",
    "Vert",
    "lVert",
    "rVert",
    "langle",
    "rangle",
    "leq",
    "geq",
    "neq",
    "approx",
    "sim",
    "in",
    "notin",
    "forall",
    "exists",
    "infty",
    "to",
    "mapsto",
    "odot",
    "otimes",
    "quad",
    "qquad",
    "begin",
    "end",
    "limits",
    "underbrace",
    "overbrace",
    "mathit",
    "boldsymbol",
    "lim",
    "sup",
    "inf",
    "det",
]
_WINDOW = 36


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def caret(source: str, position: int, length: int = 1) -> str:
    """Two lines: the part of ``source`` around ``position`` and a caret under that place."""
    position = max(0, min(position, len(source)))
    start = max(0, position - _WINDOW)
    end = min(len(source), position + max(length, 1) + _WINDOW)
    prefix = "…" if start else ""
    suffix = "…" if end < len(source) else ""
    line = prefix + source[start:end].replace("\n", " ") + suffix
    pad = _width(prefix + source[start:position].replace("\n", " "))
    marks = max(1, _width(source[position : position + length]))
    return f"{line}\n{' ' * pad}{'^' * marks}"


def suggest_command(message: str) -> tuple[str, str] | None:
    """For "Undefined control sequence: \\foo": (\\foo, the closest known command or "")."""
    match = re.search(r"Undefined control sequence: (\\[A-Za-z]+)", message)
    if not match:
        return None
    name = match.group(1)
    close = difflib.get_close_matches(name[1:], KNOWN_COMMANDS, n=1, cutoff=0.6)
    return name, ("\\" + close[0]) if close else ""
