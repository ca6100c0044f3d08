"""Notebook submissions: read a ``.ipynb``, turn its code cells into plain Python, run them.

Reading. The JSON is parsed with the standard library and the parts grading uses (format
version, the cells, their type and source) are checked field by field, with a message naming
the field. Older formats (v3 and before) go through nbformat, which upgrades them to v4 and
validates the result. Stored outputs, execution counts and metadata are never used, except
the declared language, to refuse a notebook written for another language. nbformat is not
imported for a v4 notebook: it imports jsonschema, which costs 0.3 to 1 s of start-up.

Converting. A cell that parses as Python is kept as it is. Otherwise IPython's own input
transformers (`IPython.core.inputtransformer2.TransformerManager`, imported only then) turn
``%magic``, ``!shell``, ``x = !cmd`` and ``obj?`` into calls on ``get_ipython()``, which the
child replaces with a stub that does nothing: a magic or shell command is never run, and the
report says so. ``%%time``, ``%%timeit``, ``%%capture`` and ``%%prun`` run their body once as
Python; any other cell magic (``%%bash``, ``%%writefile``, ...) skips its cell.

Running. Cells keep their own line numbers through a virtual numbering (cell k starts after
the lines of the cells before it), so a traceback maps back to a cell and a line in it
(`Notebook.at`, `remap_info`). The child's side is `grader.notebook_driver`; the default
mode is `grader.notebook_grader`, the kernel mode `grader.kernel`.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import messages as msg
from grader.cell_names import bound_names, first_meaningful_line
from grader.errors import UsageError

if TYPE_CHECKING:
    from grader.execute import ExerciseRun
    from grader.model import ExerciseResult

__all__ = [
    "Cell",
    "CellProblem",
    "Notebook",
    "read_notebook",
    "remap_info",
    "remap_run",
    "shorten",
    "to_python",
    "with_message",
]

#: names in a cell's label
_NAMES_SHOWN = 3
#: cell magics whose body is Python and runs once; any other cell magic skips its cell
_BODY_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
_CELL_TYPES = frozenset({"code", "markdown", "raw"})


@dataclass(frozen=True)
class Cell:
    """One code cell, as written and as plain Python."""

    #: 1-based position among all the notebook's cells (markdown included)
    number: int
    source: str
    code: str
    #: lines of the cells before this one in the virtual numbering
    offset: int
    notes: tuple[str, ...] = ()
    #: names the cell binds at top level (def, class, assignment, import)
    defines: frozenset[str] = frozenset()
    #: what the cell is named by: the functions and classes it defines, in order, else the
    #: names it assigns (imports are no definition a student would name a cell by)
    names: tuple[str, ...] = ()

    @property
    def first_line(self) -> str:
        """The cell's first meaningful line (not blank, a comment, an import or a magic), else
        its first non-blank line; shortened."""
        return _short(first_meaningful_line(self.source))

    @property
    def label(self) -> str:
        """How messages name this cell: its number and what it defines, else its first
        meaningful line."""
        if self.names:
            shown = ", ".join(f"`{name}`" for name in self.names[:_NAMES_SHOWN])
            if len(self.names) > _NAMES_SHOWN:
                shown += ", ..."
            return msg.t("nb_cell_defines", number=self.number, names=shown)
        return msg.t("nb_cell", number=self.number, first=self.first_line)

    @property
    def lines(self) -> int:
        """Lines the cell takes in the virtual numbering."""
        return self.code.count("\n") + 1


@dataclass(frozen=True)
class Notebook:
    """A notebook's code cells, ready to run."""

    path: Path
    cells: tuple[Cell, ...]
    #: what was not run (magics, shell commands), for the report
    notes: tuple[str, ...] = ()
    nbformat: int = 4

    def at(self, line: int) -> tuple[Cell, int] | None:
        """The cell holding virtual ``line``, and the 1-based line within it."""
        for cell in self.cells:
            if cell.offset < line <= cell.offset + cell.lines:
                return cell, line - cell.offset
        return None

    def defining(self, name: str) -> Cell | None:
        """The last cell that binds ``name`` at top level."""
        found = None
        for cell in self.cells:
            if name in cell.defines:
                found = cell
        return found

    def cell(self, number: int) -> Cell | None:
        """The code cell at position ``number``."""
        return next((c for c in self.cells if c.number == number), None)


# -- reading -----------------------------------------------------------------------------------


def read_notebook(path: Path, raw: bytes | None = None) -> Notebook:
    """Read, check and convert the notebook at ``path`` (or ``raw``, its content, when it
    exists only in memory, as a kernel's history does); bad input raises `UsageError`."""
    shown = msg.shown_path(path)
    try:
        raw = path.read_bytes() if raw is None else raw
    except OSError as exc:
        raise UsageError(
            msg.t("usage_cannot_read_notebook", path=shown, error=exc.strerror)
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(msg.t("nb_invalid", file=shown, problem=f"not UTF-8 ({exc})")) from None
    try:
        data = json.loads(text)
        if "\\ud" in text.lower():  # lone surrogates, which no UTF-8 report could hold
            from grader.untrusted import storable_data

            data = storable_data(data)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1
        problem = msg.t("nb_bad_json", line=exc.lineno, column=exc.colno, error=exc.msg) + (
            msg.t("nb_truncated") if truncated else ""
        )
        raise UsageError(msg.t("nb_invalid", file=shown, problem=problem)) from None
    except RecursionError:
        raise UsageError(msg.t("nb_invalid", file=shown, problem=msg.t("nb_too_deep"))) from None
    if not isinstance(data, dict):
        raise UsageError(msg.t("nb_invalid", file=shown, problem=msg.t("nb_not_object")))
    version = data.get("nbformat")
    if version != 4:
        data = _upgrade(text, shown, version)
    problem = _problem(data)
    if problem:
        raise UsageError(msg.t("nb_invalid", file=shown, problem=problem))
    language = _language(data.get("metadata", {}))
    if language and language.lower() not in ("python", "python3", "ipython", "ipython3"):
        raise UsageError(msg.t("nb_not_python", file=shown, language=language))
    return _convert(path, data["cells"], int(version) if isinstance(version, int) else 4)


def _upgrade(text: str, shown: str, version: object) -> dict[str, Any]:
    """Upgrade an older notebook to v4 with nbformat, and validate it."""
    if not isinstance(version, int) or not 1 <= version <= 4:
        raise UsageError(
            msg.t("nb_invalid", file=shown, problem=msg.t("nb_bad_version", version=version))
        )
    import nbformat

    try:
        node = nbformat.reads(  # type: ignore[no-untyped-call]
            text, as_version=4, capture_validation_error={}
        )
        nbformat.validate(node)
    except nbformat.ValidationError as exc:
        where = "/".join(str(p) for p in getattr(exc, "absolute_path", ())) or "notebook"
        problem = f"{where}: {str(exc.message)[:200]}"
        raise UsageError(msg.t("nb_invalid", file=shown, problem=problem)) from None
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on malformed input
        problem = f"{type(exc).__name__}: {str(exc)[:200]}"
        raise UsageError(msg.t("nb_invalid", file=shown, problem=problem)) from None
    written = nbformat.writes(node)  # type: ignore[no-untyped-call]
    return json.loads(written)  # type: ignore[no-any-return]


def _problem(data: dict[str, Any]) -> str:
    """The first problem in the fields grading reads, or ""."""
    if not isinstance(data.get("nbformat_minor", 0), int):
        return msg.t("nb_field", field="nbformat_minor", problem="must be a whole number")
    if not isinstance(data.get("metadata", {}), dict):
        return msg.t("nb_field", field="metadata", problem="must be an object")
    cells = data.get("cells")
    if not isinstance(cells, list):
        return msg.t("nb_field", field="cells", problem="missing, or not a list")
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict):
            return msg.t("nb_field", field=f"cells[{i}]", problem="must be an object")
        kind = cell.get("cell_type")
        if kind not in _CELL_TYPES:
            return msg.t(
                "nb_field",
                field=f"cells[{i}].cell_type",
                problem=f"must be code, markdown or raw (got {kind!r})",
            )
        source = cell.get("source")
        if not (
            isinstance(source, str)
            or (isinstance(source, list) and all(isinstance(s, str) for s in source))
        ):
            return msg.t(
                "nb_field",
                field=f"cells[{i}].source",
                problem="must be a string or a list of strings",
            )
    return ""


def _language(metadata: dict[str, Any]) -> str:
    for key, sub in (("kernelspec", "language"), ("language_info", "name")):
        entry = metadata.get(key)
        if isinstance(entry, dict) and isinstance(entry.get(sub), str):
            return str(entry[sub])
    return ""


# -- converting --------------------------------------------------------------------------------


def _convert(path: Path, cells: list[dict[str, Any]], version: int) -> Notebook:
    converted: list[Cell] = []
    notes: list[str] = []
    offset = 0
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        source = "".join(source) if isinstance(source, list) else source
        code, cell_notes = to_python(source, number)
        item = Cell(number, source, code, offset, cell_notes, *bound_names(code))
        converted.append(item)
        notes.extend(cell_notes)
        offset += item.lines
    return Notebook(path, tuple(converted), tuple(notes), version)


def to_python(source: str, number: int) -> tuple[str, tuple[str, ...]]:
    """Plain Python for one cell's ``source``, and notes on what will not run."""
    if _parses(source):
        return source, ()
    lines = source.splitlines()
    head = next((i for i, line in enumerate(lines) if line.strip()), None)
    if head is not None and lines[head].lstrip().startswith("%%"):
        magic = lines[head].strip()
        name = magic[2:].split(maxsplit=1)[0] if len(magic) > 2 else ""
        if name in _BODY_MAGICS:
            body, notes = to_python("\n".join(lines[head + 1 :]), number)
            note = msg.t("nb_cell_magic_body", number=number, magic=_short(magic))
            return "\n" * (head + 1) + body, (note, *notes)
        return "", (msg.t("nb_cell_magic_skipped", number=number, magic=_short(magic)),)
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        code = TransformerManager().transform_cell(source)  # type: ignore[no-untyped-call]
    except Exception:  # noqa: BLE001 - leave it to the child to report the syntax error
        return source, ()
    notes = tuple(
        msg.t("nb_magic_ignored", number=number, line=_short(line.strip()))
        for line in lines
        if _is_ipython_line(line)
    )
    return code, notes


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def _is_ipython_line(line: str) -> bool:
    text = line.strip()
    if text.startswith(("%", "!")) or (text.endswith("?") and not text.startswith("#")):
        return True
    _, eq, rest = text.partition("=")
    return bool(eq) and rest.lstrip().startswith(("!", "%")) and not rest.startswith("=")


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


# -- what came back ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    """A cell that raised, or that stopped its child (hang, exit, crash)."""

    cell: Cell
    #: "exception", or a death such as "timeout", "exited", "crashed"
    kind: str
    type: str = ""
    text: str = ""
    line: int | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One line naming the cell, what happened and the student's line."""
        from grader.scoring import death_message  # one wording for deaths

        if self.kind == "exception":
            if self.type == "SystemExit":
                what = msg.t("nb_exit", code=self.text or 0)
            else:
                error = f"{self.type}: {self.text}" if self.text else self.type
                if self.line:
                    what = msg.t("nb_raised_at", error=error, line=self.line)
                else:
                    what = msg.t("nb_raised", error=error)
        elif self.kind == "kernel_died":
            what = msg.t("nb_kernel_died")
        else:
            what = death_message(self.kind, self.info)
        return msg.t("nb_cell_problem", cell=self.cell.label, what=what)

    def to_dict(self) -> dict[str, Any]:
        """The report's entry: the cell, its line, the message and the cell cut short."""
        return {
            "cell": self.cell.number,
            "line": self.line,
            "kind": self.kind if self.kind != "exception" else self.type,
            "message": self.describe(),
            "excerpt": shorten(self.cell.source),
        }


def remap_run(notebook: Notebook, run: ExerciseRun) -> None:
    """Point ``run``'s errors and function line at notebook cells (both grading modes)."""
    run.info = remap_info(notebook, run.info)
    for case in run.cases.values():
        case.info = remap_info(notebook, case.info)
        case.output = _remap_output(notebook, case.output)
    if run.line is not None:
        found = notebook.at(run.line)
        run.line = found[1] if found is not None else None


def with_message(result: ExerciseResult, run: ExerciseRun, message: str) -> ExerciseResult:
    """``result`` with a notebook's own explanation (the cell that failed to define a name,
    or that hung) as the exercise's message and that of its visible cases that ended so."""
    if not message:
        return result
    cases = tuple(
        replace(c, message=message) if c.reason == run.error and not c.hidden else c
        for c in result.cases
    )
    return replace(result, message=message, cases=cases)


def _remap_output(notebook: Notebook, output: str) -> str:
    """Printed output that names a virtual line (a warning: ``nb.ipynb:16: RuntimeWarning``)
    names the cell and its line instead."""
    target = str(notebook.path)
    if target + ":" not in output:
        return output

    def cell_line(match: re.Match[str]) -> str:
        found = notebook.at(int(match.group(1)))
        if found is None:
            return match.group(0)
        cell, line = found
        return msg.t("line_ref", file=f"{target}, {cell.label}", line=line) + ":"

    return re.sub(re.escape(target) + r":(\d+):", cell_line, output)


def remap_info(notebook: Notebook, info: dict[str, Any]) -> dict[str, Any]:
    """Frames of the virtual numbering, turned into cells and lines the student can find."""
    frames = info.get("frames")
    if not isinstance(frames, list):
        return info
    mapped = []
    target = str(notebook.path)
    for frame in frames:
        if not isinstance(frame, dict) or frame.get("file") != target:
            continue
        found = notebook.at(int(frame.get("line") or 0))
        if found is None:
            continue
        cell, line = found
        code_lines = cell.source.splitlines()
        code = code_lines[line - 1].strip() if 0 < line <= len(code_lines) else ""
        mapped.append(
            {
                **frame,
                "file": f"{target}, {cell.label}",
                "line": line,
                "code": code[:300],
                "cell": cell.number,
            }
        )
    return {**info, "frames": mapped}


def shorten(source: str, keep: int = 5) -> str:
    """A long cell cut to its first and last ``keep`` lines."""
    lines = source.splitlines()
    if len(lines) <= 2 * keep + 1:
        return source
    skipped = len(lines) - 2 * keep
    return "\n".join([*lines[:keep], msg.tn("nb_lines_skipped", skipped), *lines[-keep:]])
