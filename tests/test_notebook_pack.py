"""The exercise pack as notebooks: generated from the .py files, and kept in sync."""

from __future__ import annotations

import importlib.util
import json

import pytest

from grader.rubric import Rubric, load_rubrics
from tests.conftest import ROOT


def _tool():
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", ROOT / "tools" / "make_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rubrics() -> list[Rubric]:
    return load_rubrics(ROOT / "rubrics")


@pytest.mark.parametrize("kind", ["exercises", "solutions"])
@pytest.mark.slow
def test_committed_notebooks_match_the_py_files(kind):
    """The committed notebook is what tools/make_notebooks.py builds (re-run it after edits)."""
    assert _tool().render(kind) == (ROOT / kind / "lecture01.ipynb").read_text(encoding="utf-8")


def test_every_exercise_is_explained_in_both_languages():
    """Each exercise's markdown has English and Japanese text and a display formula."""
    cells = json.loads((ROOT / "exercises" / "lecture01.ipynb").read_text(encoding="utf-8"))[
        "cells"
    ]
    headings = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    exercises = [h for h in headings if h.startswith("## Exercise")]
    assert sum(1 for r in _rubrics() if r.function) == len(exercises)
    for text in exercises:
        assert "### English" in text
        assert "### 日本語" in text
        assert "$$" in text


def test_stub_cells_raise_or_are_empty():
    """Stub code cells raise NotImplementedError or hold empty LaTeX strings."""
    cells = json.loads((ROOT / "exercises" / "lecture01.ipynb").read_text(encoding="utf-8"))[
        "cells"
    ]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    functions = [c for c in code if "def " in c]
    constants = [c for c in code if c.endswith('= r""')]
    rubrics = _rubrics()
    assert sum(1 for r in rubrics if r.function) == len(functions)
    assert all("raise NotImplementedError" in c for c in functions)
    assert sum(1 for r in rubrics for c in r.cases if c.attribute) == len(constants)


def _markdown_cells() -> list[str]:
    cells = json.loads((ROOT / "exercises" / "lecture01.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in cells["cells"] if c["cell_type"] == "markdown"]


def test_japanese_is_not_broken_across_lines():
    """No line break falls between two Japanese characters (Markdown would show a space)."""
    import unicodedata

    def wide(char: str) -> bool:
        return unicodedata.east_asian_width(char) in "WF"

    broken = [
        f"{a[-8:]} / {b[:8]}"
        for text in _markdown_cells()
        for a, b in zip(text.splitlines(), text.splitlines()[1:], strict=False)
        if a.strip()
        and b.strip()
        and not a.startswith("#")
        and wide(a.rstrip()[-1])
        and wide(b.lstrip()[0])
    ]
    assert [] == broken


def test_headings_and_check_lines_in_both_languages():
    """Each exercise heading carries its Japanese title, and a check line has its 確認 twin."""
    exercises = [h for h in _markdown_cells() if h.startswith("## Exercise")]
    titles = [h.splitlines()[0] for h in exercises]
    assert all(" / 演習：" in t for t in titles), titles
    for text in exercises:
        english, japanese = text.split("### 日本語")
        assert english.count("Check:") == japanese.count("確認：")
