"""Stub detection (grader/stubs.py): has the student worked on an exercise in this source?"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.rubric import load_rubrics
from grader.stubs import untouched, untouched_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("source", "names", "expected"),
    [
        pytest.param(
            'def f(x):\n    """Doc."""\n    raise NotImplementedError\n',
            ["f"],
            True,
            id="docstring and raise",
        ),
        pytest.param(
            "def f(x):\n    raise NotImplementedError('write me')\n",
            ["f"],
            True,
            id="raise with a message",
        ),
        pytest.param("def f(x):\n    pass\n", ["f"], True, id="pass"),
        pytest.param("def f(x):\n    ...\n", ["f"], True, id="ellipsis"),
        pytest.param("import numpy as np\n", ["f"], True, id="not defined at all"),
        pytest.param('A = r""\nB = ""\n', ["A", "B"], True, id="empty LaTeX constants"),
        pytest.param("A = None\n", ["A"], True, id="constant set to None"),
        pytest.param("def f(x):\n    return x\n", ["f"], False, id="implemented"),
        pytest.param(
            "def f(x):\n    if x:\n        raise NotImplementedError\n    return x\n",
            ["f"],
            False,
            id="raises only on one branch",
        ),
        pytest.param(
            'A = r"\\frac{a}{b}"\nB = ""\n', ["A", "B"], False, id="one of two constants written"
        ),
        pytest.param(
            "def f(x):\n    return x\n\ndef f(x):\n    raise NotImplementedError\n",
            ["f"],
            True,
            id="the last definition is the stub",
        ),
        pytest.param(
            "def f(x):\n    raise NotImplementedError\n\nf = len\n",
            ["f"],
            False,
            id="rebound after the stub",
        ),
        pytest.param("from mine import f\n", ["f"], False, id="imported from elsewhere"),
        pytest.param("def f(x:\n", ["f"], False, id="syntax error is work in progress"),
        pytest.param(
            "x = " + "(" * 100_000 + ")" * 100_000,
            ["f"],
            False,
            id="too deep to parse is not a stub",
        ),
    ],
)
def test_untouched(source: str, names: list[str], expected: bool) -> None:
    """A name is untouched when missing or bound to a placeholder; anything else is work."""
    assert expected == untouched(source, names)


def test_every_course_stub_is_untouched_and_every_reference_is_not() -> None:
    """For every rubric, the exercise stub counts as untouched and its reference as worked."""
    for rubric in load_rubrics(ROOT / "rubrics"):
        names = [rubric.function] if rubric.function else []
        names += [c.attribute for c in rubric.cases if c.attribute]
        assert untouched_file(ROOT / "exercises" / rubric.file, names), rubric.id
        assert not untouched_file(ROOT / "solutions" / rubric.file, names), rubric.id


def test_files_that_cannot_be_read_safely_count_as_worked(tmp_path: Path) -> None:
    """A link, a FIFO or an oversized file is never read as a stub (it is graded and fails)."""
    stub = tmp_path / "stub.py"
    stub.write_text("def f(x):\n    raise NotImplementedError\n")
    link = tmp_path / "link.py"
    link.symlink_to(stub)
    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    big = tmp_path / "big.py"
    big.write_text("def f(x):\n    raise NotImplementedError\n" + "#" * (2 << 20))
    assert [True, False, False, False] == [
        untouched_file(p, ["f"]) for p in (stub, link, fifo, big)
    ]
