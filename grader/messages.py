"""The one catalogue of student-facing text.

Every sentence a student reads goes through `t(key, **values)`, so that the same feedback can
be shown in another language by adding a catalogue, without touching the code that emits it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CATALOGUE", "t"]

CATALOGUE: dict[str, str] = {
    # numeric checks
    "tolerance": "rtol {rtol}, atol {atol}",
    "bad_type": "expected a number or a NumPy array, got {got}",
    "returned_none": "the function returned None; did you forget `return`?",
    "want_scalar": "expected a single number, got an array of shape {shape}",
    "wrong_shape": "expected shape {expected}, got {got}",
    "non_finite": "expected finite values, got {value} at {where} ({count} of {total} not finite)",
    "wrong_values": "values differ from the reference",
    "mismatch_stats": (
        "mismatched elements: {wrong} / {total} · max abs diff {abs} at {abs_at}"
        " · max rel diff {rel} at {rel_at}"
    ),
    "inputs_modified": (
        "the function changed its input {name!s}; work on a copy (e.g. `x = x.copy()`)"
        " or build a new array"
    ),
    "inputs_modified_hint": "return a new array instead of updating the argument in place",
    # running student code
    "not_implemented": "not implemented yet: replace `raise NotImplementedError` with your code",
    "raised": "{function} raised {type}: {text}",
    "raised_at": "{function} raised {type}: {text} ({file}, line {line})",
    "import_failed": "could not import {file}: {type}: {text}",
    "import_failed_at": "could not import {file}: {type}: {text} (line {line})",
    "syntax_error": "{file} has a syntax error at line {line}: {text}",
    "missing_file": "{file} was not found in {where}",
    "missing_function": "{file} does not define {name}",
    "timeout": "timed out after {seconds} s (does your loop terminate?)",
    "import_timeout": "importing {file} timed out after {seconds} s (does top-level code loop?)",
    "exited": "the code called exit ({code}); return a value instead",
    "crashed": "the process crashed (signal {signal})",
    "cpu_limit": "used more than its CPU time limit",
    "memory_limit": "ran out of memory (limit {limit})",
    "output_limit": "printed more than {limit}; remove print calls inside loops",
    "protocol": "the result could not be read back ({error})",
    "bad_output_type": "returned {got}, which is not a number or a numeric array",
    "grader_error": "the grader failed on this case (not your fault; please re-run): {error}",
    "hidden_case": "hidden case failed",
    "skipped_dependency": "skipped: needs {dependency} to pass first",
    "unchecked": "unchecked: {reason}",
    # report
    "total": "total",
    "hidden_not_run": "{count} hidden case(s) worth {points} point(s) not run (graded later)",
    "printed": "printed",
    "expected": "expected",
    "got": "got",
    "hint": "hint",
    "pts": "pts",
    # -- batch grading (grader/batch/) -----------------------------------------------------
    "batch_refused": "your submission was not graded: {reason}",
    "batch_unsafe_path": "the archive holds a path that leaves its folder ({name})",
    "batch_link": "the submission holds a link or special file ({name}); submit plain files",
    "batch_encrypted": "the archive holds an encrypted file ({name})",
    "batch_too_many_files": "the submission holds more than {limit} files",
    "batch_too_large": "the submission is larger than {limit}",
    "batch_zip_bomb": "the archive expands far more than ordinary files do (ratio {ratio})",
    "batch_bad_zip": "the archive cannot be read ({error})",
    "batch_unreadable": "the submission cannot be read ({error})",
}


def t(key: str, /, **values: Any) -> str:
    """The message ``key`` with ``values`` filled in."""
    template = CATALOGUE[key]
    return template.format(**values) if values else template
