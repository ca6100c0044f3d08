"""The child protocol: the job the grader sends a child, and the events the child answers with.

Both sides import this module: the grader builds every job here (`build_job`, from cases
made by `encode_case`), and the child reads it back (`Job.from_wire`), so neither side
spells a key of the wire format anywhere else. The wire format is JSON plus ``.npy`` blobs
(`grader.sandbox.transport`); the structures are immutable named tuples (no dataclasses:
the child imports this before it forks, and each import costs every run).

A job is trusted by the child (the grader made it); the child's events are not trusted by
the grader: `grader.execute` reads them through `grader.sandbox.transport`'s checks.

Imports only the standard library, NumPy and sibling modules (the child imports it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

if TYPE_CHECKING:
    from pathlib import Path

    from grader.plan import ExercisePlan, PlannedCase

__all__ = [
    "Arg",
    "Case",
    "Event",
    "Failure",
    "Frame",
    "Job",
    "Reason",
    "Section",
    "build_job",
    "combine",
    "encode_arg",
    "encode_case",
    "encode_job",
]

#: one argument as it travels: a tagged JSON object (``{"t": "array", "npy": 0, ...}``)
Arg = dict[str, Any]


class Event(StrEnum):
    """What a child's status message says (its ``event``)."""

    CONFINED = "confined"  # the child's report on its own confinement, before it reads its job
    GRADER_ERROR = "grader_error"  # the child could not set itself up (not the student's fault)
    SECTION = "section"  # a shared child begins the next exercise (``s``)
    IMPORT = "import"  # the student's file (or a section's) is being imported
    IMPORTED = "imported"  # imported, and every name is there (``line`` of the function)
    IMPORT_ERROR = "import_error"  # the import raised (an exception description)
    MISSING = "missing"  # a name the rubric needs is not defined (``name``)
    CASE = "case"  # a case begins (``i``)
    RESULT = "result"  # the case's value (``i``, ``value``, ``inputs``)
    EXCEPTION = "exception"  # the case raised (``i`` and an exception description)
    CELL = "cell"  # a notebook's driver begins cell ``n``
    CELLS_DONE = "cells_done"  # every cell ran
    DONE = "done"  # every case was answered


class Frame(TypedDict):
    """One frame of a student's traceback, as the child reports it."""

    file: str
    line: int
    function: str
    code: str


class Failure(TypedDict, total=False):
    """What the child reports of an exception (an ``import_error`` or ``exception`` event)."""

    type: str
    text: str
    frames: list[Frame]
    #: a SystemExit (``exit()``, ``sys.exit``)
    exit: bool
    #: a MemoryError (NumPy raises a subclass): the child ran out of memory
    memory: bool


class Reason(StrEnum):
    """Why a case (or an exercise) has no value: what scoring and the reports name."""

    EXCEPTION = "exception"
    NOT_IMPLEMENTED = "not_implemented"
    EXITED = "exited"
    MEMORY_LIMIT = "memory_limit"
    TIMEOUT = "timeout"
    IMPORT_TIMEOUT = "import_timeout"
    CPU_LIMIT = "cpu_limit"
    OUTPUT_LIMIT = "output_limit"
    CRASHED = "crashed"
    PROTOCOL = "protocol"
    IMPORT_ERROR = "import_error"
    MISSING_FUNCTION = "missing_function"
    MISSING_FILE = "missing_file"
    GRADER_ERROR = "grader_error"


class Case(NamedTuple):
    """One call the child makes (or one module attribute it reads)."""

    #: the case's number in its job (``i`` on the wire)
    number: int
    args: tuple[Arg, ...] = ()
    kwargs: Mapping[str, Arg] = {}
    #: read this module attribute instead of calling the function
    attribute: str = ""
    #: this case's own wall (and CPU) seconds, else the job's
    time_limit: float | None = None
    #: the section (exercise) of a shared child's job this case belongs to
    section: int | None = None

    def to_wire(self) -> dict[str, Any]:
        """The case as the child reads it."""
        item: dict[str, Any] = {"i": self.number}
        if self.time_limit is not None:
            item["time_limit"] = float(self.time_limit)
        if self.attribute:
            item["attribute"] = self.attribute
        else:
            item["args"] = list(self.args)
            item["kwargs"] = dict(self.kwargs)
        if self.section is not None:
            item["s"] = self.section
        return item

    @classmethod
    def from_wire(cls, item: Mapping[str, Any]) -> Case:
        """A case from its wire form (the grader made it: it is trusted)."""
        limit = item.get("time_limit")
        return cls(
            number=int(item["i"]),
            args=tuple(item.get("args", ())),
            kwargs=dict(item.get("kwargs", {})),
            attribute=str(item.get("attribute") or ""),
            time_limit=float(limit) if isinstance(limit, int | float) else None,
            section=item.get("s"),
        )

    def shifted(self, blobs: int, number: int, section: int) -> Case:
        """This case renumbered as ``number`` of ``section``, its arrays ``blobs`` further on."""
        return self._replace(
            number=number,
            section=section,
            args=tuple(_shift(a, blobs) for a in self.args),
            kwargs={k: _shift(v, blobs) for k, v in self.kwargs.items()},
        )


class Section(NamedTuple):
    """One exercise of a shared child's job (a file of its own, or a notebook's names)."""

    names: tuple[str, ...]
    module: str = ""
    file: str = ""
    #: the file's text, for a child that sees no submission folder
    source: str | None = None
    #: (name, the notebook cell that defines it): the cell's error explains a missing name
    needed: tuple[tuple[str, int], ...] = ()

    def to_wire(self) -> dict[str, Any]:
        """The section as the child reads it."""
        item: dict[str, Any] = {"names": list(self.names)}
        if self.module:
            item["module"] = self.module
        if self.file:
            item["file"] = self.file
        if self.source is not None:
            item["source"] = self.source
        if self.needed:
            item["needed"] = [list(pair) for pair in self.needed]
        return item

    @classmethod
    def from_wire(cls, item: Mapping[str, Any]) -> Section:
        """A section from its wire form."""
        source = item.get("source")
        return cls(
            names=tuple(str(n) for n in item.get("names") or ()),
            module=str(item.get("module", "")),
            file=str(item.get("file", "")),
            source=source if isinstance(source, str) else None,
            needed=tuple((str(n), int(c)) for n, c in item.get("needed", ())),
        )


class Job(NamedTuple):
    """What one child runs: a file (or notebook code) and the cases to answer from it."""

    file: str
    module: str
    cases: tuple[Case, ...]
    #: the names the file must define; the first is the function the cases call
    names: tuple[str, ...] = ()
    function: str = ""
    #: the file's text (a notebook's made code, or a file a detached child cannot see)
    source: str | None = None
    #: a shared child's exercises, answered in turn (None: one exercise)
    sections: tuple[Section, ...] | None = None
    #: each section is a file of its own, imported in turn (else: names of one notebook run)
    files: bool = False
    #: where a notebook's driver leaves the exceptions of its cells
    errors_name: str = ""
    #: how many progress notes (one per notebook cell, and one after the last) may come
    progress: int = 0
    #: module name -> text of the ``.py`` files beside the file (a detached child)
    modules: Mapping[str, str] | None = None
    #: the limits the child applies to itself (`grader.sandbox.runner.Limits.child_limits`)
    limits: Mapping[str, int] | None = None
    #: "require" or "try": the child's seccomp filter
    seccomp: str = ""

    @property
    def imports(self) -> int:
        """How many files the child imports in turn (each a phase with a time limit)."""
        return len(self.sections or ()) if self.files else 0

    @property
    def case_limits(self) -> list[float]:
        """The time limits of the cases that have their own."""
        return [c.time_limit for c in self.cases if c.time_limit is not None]

    def to_wire(self) -> dict[str, Any]:
        """The job as the child reads it (keys left out where they hold their default)."""
        job: dict[str, Any] = {
            "file": self.file,
            "module": self.module,
            "function": self.function,
            "names": list(self.names),
            "cases": [c.to_wire() for c in self.cases],
        }
        optional: dict[str, Any] = {
            "source": self.source,
            "sections": _wire_list(self.sections),
            "files": self.files,
            "errors_name": self.errors_name,
            "progress": self.progress,
            "modules": _wire_dict(self.modules),
            "limits": _wire_dict(self.limits),
            "seccomp": self.seccomp,
        }
        job.update({k: v for k, v in optional.items() if v not in (None, False, "", 0)})
        return job

    @classmethod
    def from_wire(cls, job: Mapping[str, Any]) -> Job:
        """A job from its wire form (the child reads what the grader made: it is trusted)."""
        sections = job.get("sections")
        modules = job.get("modules")
        return cls(
            file=str(job.get("file", "")),
            module=str(job.get("module", "")),
            cases=tuple(Case.from_wire(c) for c in job.get("cases", ())),
            names=tuple(str(n) for n in job.get("names") or ()),
            function=str(job.get("function", "")),
            source=job.get("source") if isinstance(job.get("source"), str) else None,
            sections=(
                tuple(Section.from_wire(s) for s in sections)
                if isinstance(sections, list)
                else None
            ),
            files=bool(job.get("files")),
            errors_name=str(job.get("errors_name", "")),
            progress=int(job.get("progress", 0)),
            modules=dict(modules) if isinstance(modules, dict) else None,
            limits=dict(job.get("limits") or {}),
            seccomp=str(job.get("seccomp", "")),
        )


def build_job(
    *,
    file: str,
    cases: Sequence[Case],
    module: str = "",
    names: Sequence[str] = (),
    source: str | None = None,
    sections: Sequence[Section] | None = None,
    files: bool = False,
    errors_name: str = "",
) -> Job:
    """The one builder of a job: one exercise's (``names``), or a shared child's (``sections``).

    The function is the first name; the limits and the seccomp choice are added by the
    template that runs the job (`grader.sandbox.runner.Template.run`), the modules beside the
    file by a detached template (`grader.sandbox.secure.inline_sources`).
    """
    return Job(
        file=file,
        module=module,
        cases=tuple(cases),
        names=tuple(names),
        function=names[0] if names else "",
        source=source,
        sections=None if sections is None else tuple(sections),
        files=files,
        errors_name=errors_name,
    )


def encode_arg(value: Any, blobs: list[bytes]) -> Arg:
    """Tag one input for the child; arrays travel as `.npy`, functions by name."""
    import numpy as np

    from grader.sandbox import transport
    from grader.sandbox.callables import CALLABLES

    if callable(value):
        for name, fn in CALLABLES.items():
            if fn is value:
                return {"t": "callable", "name": name}
        raise ValueError("only registered callables can be passed to student code")
    if isinstance(value, np.ndarray):
        blobs.append(transport.encode_npy(value))
        return {"t": "array", "npy": len(blobs) - 1, "origin": "ndarray"}
    if isinstance(value, float) and not np.isfinite(value):
        blobs.append(transport.encode_npy(np.asarray(value)))
        return {"t": "array", "npy": len(blobs) - 1, "origin": "float"}
    if value is None:
        return {"t": "none"}
    return {"t": "py", "v": value}


def encode_case(
    index: int,
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    blobs: list[bytes],
    *,
    attribute: str | None = None,
    time_limit: float | None = None,
) -> Case:
    """A case for the child: its inputs tagged (`encode_arg`), arrays appended to ``blobs``."""
    if attribute:
        return Case(index, attribute=attribute, time_limit=time_limit)
    return Case(
        index,
        args=tuple(encode_arg(a, blobs) for a in args),
        kwargs={k: encode_arg(v, blobs) for k, v in kwargs.items()},
        time_limit=time_limit,
    )


def encode_job(
    plan: ExercisePlan, file: Path, cases: Sequence[PlannedCase], *, source: str | None = None
) -> tuple[Job, list[bytes]]:
    """The job for a child that runs ``cases`` of ``plan`` on ``file``, and its blobs."""
    blobs: list[bytes] = []
    encoded = [
        encode_case(
            case.spec.index,
            case.args,
            case.kwargs,
            blobs,
            attribute=case.spec.attribute,
            time_limit=None if case.spec.time_limit is None else float(case.spec.time_limit),
        )
        for case in cases
    ]
    rubric = plan.rubric
    names = [rubric.function] if rubric.function else []
    job = build_job(file=str(file), module=rubric.stem, names=names, cases=encoded, source=source)
    return job, blobs


def combine(
    parts: Sequence[tuple[Section, Sequence[Case], Sequence[bytes]]],
) -> tuple[list[Section], list[Case], list[bytes], dict[int, tuple[int, int]]]:
    """One shared child's sections, cases and blobs from several exercises' own.

    Cases are renumbered in order, and the returned map takes each new number back to
    (section, the exercise's own case number).
    """
    sections: list[Section] = []
    cases: list[Case] = []
    blobs: list[bytes] = []
    where: dict[int, tuple[int, int]] = {}
    for number, (section, own, own_blobs) in enumerate(parts):
        sections.append(section)
        for case in own:
            where[len(cases)] = (number, case.number)
            cases.append(case.shifted(len(blobs), len(cases), number))
        blobs.extend(own_blobs)
    return sections, cases, blobs, where


def _wire_list(sections: Sequence[Section] | None) -> list[dict[str, Any]] | None:
    return None if sections is None else [s.to_wire() for s in sections]


def _wire_dict(mapping: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if mapping is None else dict(mapping)


def _shift(arg: Arg, offset: int) -> Arg:
    if arg.get("t") == "array" and isinstance(arg.get("npy"), int):
        return {**arg, "npy": arg["npy"] + offset}
    return arg
