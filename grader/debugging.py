"""What a failing visible case shows for debugging: its inputs and what it printed.

Inputs: a small one in full, as a line that rebuilds it (``np.array([2.0, 1.0, 0.1])``); a
large one as its shape, dtype, first values and, when possible, one line that rebuilds it
exactly: the seeded generator call that made it (`grader.plan.input_recipe`), or, in a student
release (whose inputs are frozen, seeds unknown), the array written out when that fits on a
line. Printed output: what the function printed during that case's call only, neutralised
(`neutral`) and cut to its first part. Hidden cases show none of this (`grader.scoring`
redacts them).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import messages as msg
from grader.plan import PlannedCase, input_recipe
from grader.untrusted import printable

__all__ = ["SMALL", "ShownInput", "neutral", "printed", "shown_inputs"]

#: arrays of at most this many elements are shown in full
SMALL = 10
#: arrays of at most this many elements are written out as the rebuild line when no
#: generator made them (a student release)
_WRITTEN_OUT = 64
#: characters of one case's printed output shown
_PRINTED_SHOWN = 2000
_FIRST = 4


@dataclass(frozen=True)
class ShownInput:
    """One input of a case as the report shows it (`to_dict` is its JSON form)."""

    #: "argument 1", or the keyword's name
    name: str
    #: the whole value as Python (small inputs), else ""
    value: str = ""
    shape: tuple[int, ...] | None = None
    dtype: str = ""
    #: the first values, rounded (large inputs)
    first: str = ""
    #: one line of NumPy that rebuilds the input exactly, when there is one
    rebuild: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The report's form: only the fields that are set."""
        data: dict[str, Any] = {"name": self.name}
        if self.value:
            data["value"] = self.value
        if self.shape is not None:
            data["shape"] = list(self.shape)
            data["dtype"] = self.dtype
            data["first"] = self.first
        if self.rebuild:
            data["rebuild"] = self.rebuild
        return data


def shown_inputs(case: PlannedCase, rubric_id: str) -> list[ShownInput]:
    """How the report shows each input of ``case`` (the inputs as the grader made them)."""
    named: list[tuple[str, tuple[Any, ...], Any]] = [
        (msg.t("input_argument", number=i + 1), ("args", i), value)
        for i, value in enumerate(case.args)
    ]
    named += [(key, ("kwargs", key), value) for key, value in case.kwargs.items()]
    return [
        _shown(name, value, input_recipe(case.spec, rubric_id, at)) for name, at, value in named
    ]


def _shown(name: str, value: Any, recipe: str | None) -> ShownInput:
    if isinstance(value, np.ndarray) and value.size > SMALL:
        first = ", ".join(_short(v) for v in value.ravel()[:_FIRST].tolist())
        rebuild = recipe or (python_literal(value) if value.size <= _WRITTEN_OUT else "")
        return ShownInput(
            name,
            shape=tuple(int(n) for n in value.shape),
            dtype=str(value.dtype),
            first=f"[{first}, ...]",
            rebuild=rebuild,
        )
    return ShownInput(name, value=python_literal(value))


def python_literal(value: Any) -> str:
    """``value`` as Python that rebuilds it exactly (``np.array([...])`` for an array)."""
    if isinstance(value, np.ndarray):
        dtype = "" if value.dtype == np.float64 else f", dtype=np.{value.dtype}"
        return f"np.array({_literal(value.tolist())}{dtype})"
    if callable(value):
        return str(getattr(value, "__name__", "a function"))
    return _literal(value)


def _literal(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "np.nan"
        if math.isinf(value):
            return "np.inf" if value > 0 else "-np.inf"
        return repr(value)
    if isinstance(value, list | tuple):
        inner = ", ".join(_literal(v) for v in value)
        if isinstance(value, tuple):
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    return repr(value)


def _short(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.4g}"
    return _literal(value)


def neutral(text: str) -> str:
    """Student text made safe to show anywhere: line ends kept (a lone carriage return is a
    line end), then `grader.untrusted.printable` (ANSI escapes, bidirectional overrides,
    zero-width characters, NUL shown as escapes, e.g. ``\\x1b``)."""
    return printable(text.replace("\r\n", "\n").replace("\r", "\n"))


def printed(output: str, count: int | None, folder: Path) -> str:
    """One case's printed output as shown: neutralised, its first part, and how much there
    was when that is more (``count``: bytes printed in all; None when the case was stopped
    for printing too much, which its message says). Paths in the submission's ``folder`` (a
    warning names the student's file) read as in the grader's messages."""
    prefix = os.path.join(folder, "")
    shown = msg.shown_path(folder)
    text = neutral(output.replace(prefix, "" if shown == "." else os.path.join(shown, "")))
    cut = len(text) > _PRINTED_SHOWN
    if cut:
        text = text[:_PRINTED_SHOWN]
    if count is None:
        return text.rstrip("\n") + "\n" + msg.t("printed_cut")
    if cut or count > len(output.encode("utf-8", errors="replace")):
        text = text.rstrip("\n") + "\n" + msg.t("printed_more", size=_size(count))
    return text


def _size(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MiB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):.1f} KiB"
    return f"{count} B"
