"""A failing case shows what it printed during its own call, and the inputs it got."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.debugging import neutral, python_literal, shown_inputs
from grader.frozen import freeze
from grader.plan import plan_exercise
from grader.rubric import load_rubrics
from grader.sandbox.case_output import PREFIX, CaseOutput, mark
from tests.conftest import RUBRICS, SOLUTIONS
from tests.test_notebook import _notebook

RUBRIC_LIST = load_rubrics(RUBRICS, use_cache=False)
SOFTMAX = next(r for r in RUBRIC_LIST if r.id == "softmax")
SOFTMAX_PLAN = plan_exercise(SOFTMAX, SOLUTIONS, include_hidden=True)

#: prints what it was called with; no max shift (overflows) and no axis=0 (raises)
PRINTING = """\
import numpy as np

def softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    print("called with", z.shape, repr(float(z.ravel()[0])))
    if z.ndim == 2 and axis == 0:
        raise ValueError("columns are not done yet")
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)
"""
#: wrong on every case, visible or hidden, and prints on each
ALL_WRONG = """\
import numpy as np

def softmax(z, axis=-1):
    print("my secret debugging line")
    return np.exp(np.asarray(z, dtype=np.float64))
"""


def _line_for(args: tuple[Any, ...]) -> str:
    """The line PRINTING prints for a call with ``args``."""
    z = np.asarray(args[0], dtype=np.float64)
    return f"called with {z.shape} {float(z.ravel()[0])!r}"


def _graded(run_grade, submission, tmp_path: Path, mode: str, source: str, *extra: str):
    if mode == "file":
        folder = submission(softmax=source)
        return run_grade(str(folder / "softmax.py"), *extra)
    if mode == "folder":  # shared children answer the folder's exercises
        return run_grade(str(submission(softmax=source)), *extra)
    path = _notebook(tmp_path / "work.ipynb", source)
    return run_grade(str(path), *extra)


@pytest.mark.parametrize("mode", ["file", "folder", "notebook"])
def test_each_failing_case_shows_only_what_it_printed(run_grade, submission, tmp_path, mode):
    """A wrong value and an exception each show the print of their own call, not the others'."""
    run = _graded(run_grade, submission, tmp_path, mode, PRINTING)
    cases = {c["name"]: c for c in run.exercise("softmax")["cases"]}
    failing = [
        c for c in SOFTMAX_PLAN.cases if not c.spec.hidden and not cases[c.spec.name]["passed"]
    ]
    assert {"errored", "failed"} == {cases[c.spec.name]["outcome"] for c in failing}
    for case in failing:
        shown = cases[case.spec.name]["details"]["output"]
        printed = [line for line in shown.splitlines() if line.startswith("called with")]
        assert [_line_for(case.args)] == printed, case.spec.name


def test_a_warning_of_a_later_case_stays_with_that_case(run_grade, submission, tmp_path):
    """The overflow warning NumPy prints appears under the case that overflowed only."""
    run = _graded(run_grade, submission, tmp_path, "file", PRINTING)
    cases = run.exercise("softmax")["cases"]
    warned = [c["name"] for c in cases if "RuntimeWarning" in c["details"].get("output", "")]
    overflowing = [
        c.spec.name
        for c in SOFTMAX_PLAN.cases
        if not c.spec.hidden and c.args and np.max(np.abs(c.args[0])) > 700
    ]
    assert warned
    assert set(warned) <= set(overflowing)
    assert (
        "softmax.py:8: RuntimeWarning: overflow encountered in exp"
        in (next(c for c in cases if c["name"] == warned[0])["details"]["output"])
    )


def test_shown_inputs_rebuild_the_exact_inputs(run_grade, submission, tmp_path):
    """Every input shown for a failing case (in full, or by its rebuild line) is the input."""
    run = _graded(run_grade, submission, tmp_path, "file", ALL_WRONG)
    cases = {c["name"]: c for c in run.exercise("softmax")["cases"]}
    seen = {"value": 0, "rebuild": 0}
    for case in SOFTMAX_PLAN.cases:
        if case.spec.hidden:
            continue
        shown = cases[case.spec.name]["details"]["inputs"]
        given = list(case.args) + list(case.kwargs.values())
        assert len(given) == len(shown)
        for item, value in zip(shown, given, strict=True):
            kind = "value" if "value" in item else "rebuild"
            seen[kind] += 1
            rebuilt = eval(item[kind], {"np": np})  # noqa: S307 - the grader's own output
            assert np.array_equal(value, rebuilt), item
            assert np.asarray(value).dtype == np.asarray(rebuilt).dtype
            if kind == "rebuild":
                assert list(np.shape(value)) == item["shape"]
                assert str(np.asarray(value).dtype) == item["dtype"]
    assert seen["value"] > 0
    assert seen["rebuild"] > 0


def test_hidden_cases_show_no_inputs_and_no_output(run_grade, submission, tmp_path):
    """With hidden cases run, a failing hidden case shows neither its inputs nor its prints."""
    run = _graded(run_grade, submission, tmp_path, "file", ALL_WRONG, "--include-hidden")
    cases = run.exercise("softmax")["cases"]
    hidden = [c for c in cases if c["hidden"]]
    assert len(hidden) == sum(1 for c in SOFTMAX.cases if c.hidden)
    for case in hidden:
        assert not case["passed"]
        assert {} == case["details"]
        assert "my secret debugging line" not in json.dumps(case)
    visible = [c for c in cases if not c["hidden"]]
    assert all("my secret debugging line" in c["details"]["output"] for c in visible)
    assert all(c["details"]["inputs"] for c in visible)


def test_printed_output_is_neutralised_and_capped(run_grade, submission, tmp_path):
    """Escape sequences and direction overrides are shown escaped; a long print is cut, with
    how much there was."""
    source = (
        "import numpy as np\n\ndef softmax(z, axis=-1):\n"
        "    print('\\x1b[2J\\u202eevil\\x07' + 'y' * 10000)\n"
        "    return np.zeros_like(np.asarray(z, dtype=float))\n"
    )
    run = _graded(run_grade, submission, tmp_path, "file", source)
    output = run.exercise("softmax")["cases"][0]["details"]["output"]
    assert output.startswith("\\x1b[2J\\u202eevil\\x07yyy")
    assert "\x1b" not in output
    assert "\u202e" not in output
    assert output.endswith("... (9.8 KiB printed in all; the first part is shown)")
    assert len(output) < 2100


def test_a_scalar_difference_has_no_position(run_grade, submission):
    """A wrong number reads 'abs diff ... · rel diff ...', never 'at []'."""
    source = (SOLUTIONS / "cross_entropy.py").read_text(encoding="utf-8")
    source += "\n_right = cross_entropy\ncross_entropy = lambda *a, **k: _right(*a, **k) + 0.5\n"
    folder = submission(cross_entropy=source)
    run = run_grade(str(folder / "cross_entropy.py"))
    messages = [c["message"] for c in run.exercise("cross_entropy")["cases"] if not c["passed"]]
    assert messages
    for message in messages:
        assert "at []" not in message
        assert "abs diff 0.5 · rel diff" in message


def test_a_release_rebuilds_large_inputs_from_their_values():
    """A frozen input (a release keeps no seed) is rebuilt by writing its values out."""
    case = next(c for c in SOFTMAX_PLAN.cases if c.args and np.size(c.args[0]) > 10)
    frozen = replace(case, spec=replace(case.spec, args=({"frozen": freeze(case.args[0])},)))
    (shown,) = shown_inputs(frozen, SOFTMAX.id)
    assert shown.rebuild.startswith("np.array(")
    assert np.array_equal(case.args[0], eval(shown.rebuild, {"np": np}))  # noqa: S307
    (course,) = shown_inputs(case, SOFTMAX.id)
    assert course.rebuild.startswith("np.random.default_rng(")


def test_inputs_made_by_a_data_function_are_written_out():
    """Inputs a course data function made (not the rubric's) are rebuilt from their values."""
    case = next(c for c in SOFTMAX_PLAN.cases if c.args and np.size(c.args[0]) > 10)
    made = replace(case, spec=replace(case.spec, args=(), data={"function": "make"}))
    (shown,) = shown_inputs(made, SOFTMAX.id)
    assert np.array_equal(case.args[0], eval(shown.rebuild, {"np": np}))  # noqa: S307


def test_literals_rebuild_special_values():
    """nan, infinities, integers and tuples are written as Python that rebuilds them."""
    array = np.array([np.nan, np.inf, -np.inf, 0.1])
    assert "np.array([np.nan, np.inf, -np.inf, 0.1])" == python_literal(array)
    assert "np.array([1, 2], dtype=np.int64)" == python_literal(np.array([1, 2], dtype=np.int64))
    assert "(1.5,)" == python_literal((1.5,))


def test_neutral_keeps_line_ends_and_escapes_the_rest():
    """Tabs and line ends stay; a carriage return ends a line; other controls are escaped."""
    assert "a\tb\nc\nd\\x1b[0m\\u2066" == neutral("a\tb\r\nc\rd\x1b[0m\u2066")


def test_case_marks_split_the_stream_wherever_the_pipe_cuts_it():
    """Output split at any byte boundary is attributed to the case whose mark preceded it."""
    stream = b"import\n" + mark(3) + b"three\n" + mark(None) + b"between\n" + mark(5) + b"five"
    for size in (1, 2, 7, len(stream)):
        split = CaseOutput(kept=100, cases=frozenset({3, 5}))
        plain = b"".join(split.feed(stream[i : i + size]) for i in range(0, len(stream), size))
        plain += split.finish()
        assert b"import\nthree\nbetween\nfive" == plain
        assert {3: "three\n", 5: "five"} == split.texts()


def test_forged_or_unknown_marks_keep_nothing_extra():
    """A mark for a case outside the job ends the running case; a broken mark is output."""
    split = CaseOutput(kept=4, cases=frozenset({1}))
    plain = split.feed(mark(1) + b"abcdef" + mark(99) + b"zz" + PREFIX + b"x\x00!")
    assert b"abcdefzz" + PREFIX + b"x\x00!" == plain + split.finish()
    assert {1: "abcd"} == split.texts()
    assert {1: 6} == split.printed


def test_notebook_warnings_name_the_cell(run_grade, tmp_path):
    """A warning printed from a notebook cell names the cell and its line, not a virtual line."""
    path = _notebook(tmp_path / "warn.ipynb", "import numpy as np", PRINTING)
    run = run_grade(str(path))
    outputs = [c["details"].get("output", "") for c in run.exercise("softmax")["cases"]]
    warned = [o for o in outputs if "RuntimeWarning" in o]
    assert warned
    assert "warn.ipynb, cell 2 (defines `softmax`), line 8: RuntimeWarning" in warned[0]


def test_marks_are_not_counted_as_printed_output(template, tmp_path):
    """What a child printed counts the student's bytes only: the case marks are taken out."""
    from grader.execute import run_exercise
    from grader.sandbox.runner import Limits

    file = tmp_path / "softmax.py"
    file.write_text("def softmax(z, axis=-1):\n    print('abc')\n    return z\n", encoding="utf-8")
    run = run_exercise(template, SOFTMAX_PLAN, file, Limits())
    visible = [c for c in SOFTMAX_PLAN.cases if not c.spec.hidden]
    assert 4 * len(visible) == run.printed
    assert {"abc\n"} == {run.cases[c.spec.index].output for c in visible}
