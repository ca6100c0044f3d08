"""`%load_ext grader` and `%grade` in a real Jupyter kernel, driven by nbclient."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from grader import messages
from grader.ipython_magic import history_notebook
from grader.rubric import load_rubrics, text_of
from tests.conftest import EXERCISES, RUBRICS, SOLUTIONS

RUBRIC_LIST = load_rubrics(RUBRICS, use_cache=False)
SOFTMAX = next(r for r in RUBRIC_LIST if r.id == "softmax")
VISIBLE = sum(c.points for c in SOFTMAX.cases if not c.hidden)
RIGHT = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
#: no max shift: overflows on large logits (a known slip of the rubric)
WRONG = """\
import numpy as np

def softmax(z, axis=-1):
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / e.sum(axis=axis, keepdims=True)
"""
#: everything a student might patch to make the check pass, in the kernel
PATCHES = """\
import sys
import numpy as np
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *x, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.isfinite = lambda x: np.ones(np.shape(x), dtype=bool)
sys.executable = "/bin/true"
import grader.ipython_magic, grader.scoring, grader.checks.numeric
grader.ipython_magic.history_notebook = lambda cells: b"{}"
grader.scoring.score_exercise = lambda *a, **k: None
grader.checks.numeric.allclose = lambda *a, **k: None
"""


def _run_cells(folder: Path, *sources: str) -> list[Any]:
    """Run ``sources`` as a notebook's cells in a real kernel started in ``folder``."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return list(notebook.cells)


def _shown(cell: Any) -> dict[str, str]:
    """What a cell displayed (one bundle: its MIME types and their text)."""
    bundles = [o["data"] for o in cell.outputs if o.get("output_type") == "display_data"]
    assert 1 == len(bundles), cell.outputs
    return dict(bundles[0])


@pytest.fixture(scope="module")
def session() -> list[Any]:
    """One kernel in the course's exercises/ folder: a right softmax, a wrong one, patches,
    a wrong formula, each followed by `%grade`."""
    return _run_cells(
        EXERCISES,
        "%load_ext grader",
        RIGHT,
        "%grade softmax",  # 3
        WRONG,
        "%grade softmax",  # 5
        PATCHES,
        "%grade softmax",  # 7
        "%grade softmax --lang ja",  # 8
        'CROSS_ENTROPY = r"-\\sum_{i=1}^{C} y_i \\log y_i"',
        "%grade latex_formulas",  # 10
        "%grade no_such_exercise",  # 11
        "%grade",  # 12
    )


def _headline(text: str, exercise: str) -> str:
    return next(line for line in text.splitlines() if f" {exercise} · " in line)


def test_a_right_softmax_shows_full_marks(session):
    """`%grade softmax` after a right softmax shows every visible point, as text and HTML."""
    shown = _shown(session[2])
    assert {"text/html", "text/plain"} == set(shown)
    assert f"PASS softmax · Softmax ({VISIBLE:g}/{VISIBLE:g} pts)" == _headline(
        shown["text/plain"], "softmax"
    )
    assert '<section class="card passed" id="ex-softmax">' in shown["text/html"]
    assert shown["text/html"].startswith('<div class="ml-grade" lang="en"><style>.ml-grade{')


def test_a_wrong_softmax_is_not_full_and_names_the_slip(session):
    """Redefining softmax without the max shift: fewer points, and the hint names the slip."""
    text = _shown(session[4])["text/plain"]
    assert _headline(text, "softmax").startswith("FAIL softmax · Softmax (")
    assert f"({VISIBLE:g}/{VISIBLE:g} pts)" not in _headline(text, "softmax")
    hints = [text_of(m["hint"], "en") for m in SOFTMAX.misconceptions]
    assert any(f"hint: {hint}" in text for hint in hints)


def test_patching_numpy_and_the_grader_in_the_kernel_changes_nothing(session):
    """After a cell patches NumPy, sys.executable and the grader's modules in the kernel,
    `%grade` still runs and gives the same verdict on the same wrong softmax."""
    before = _shown(session[4])["text/plain"]
    after = _shown(session[6])["text/plain"]
    assert _headline(before, "softmax") == _headline(after, "softmax")
    failed = [line for line in before.splitlines() if line.startswith("  FAIL")]
    assert failed == [line for line in after.splitlines() if line.startswith("  FAIL")]


def test_the_report_speaks_the_students_language(session):
    """`--lang ja` shows the report in Japanese, HTML and text."""
    shown = _shown(session[7])
    messages.set_language("ja")
    total = messages.t("total")
    assert any(line.startswith(total) for line in shown["text/plain"].splitlines())
    assert 'lang="ja"' in shown["text/html"]


def test_formulas_are_shown_as_mathml(session):
    """A wrong formula's card shows the student's formula and the reference as MathML."""
    html = _shown(session[9])["text/html"]
    assert "<math" in html
    assert "FAIL latex_formulas" in _shown(session[9])["text/plain"]


def test_an_unknown_exercise_is_a_clear_error(session):
    """`%grade` with an exercise no rubric defines names the known ones."""
    text = _shown(session[10])["text/plain"]
    assert text.startswith("error: no exercise 'no_such_exercise'; known: ")
    assert all(r.id in text for r in RUBRIC_LIST)


def test_grade_alone_grades_every_exercise(session):
    """`%grade` without an exercise grades them all; those never defined say so."""
    text = _shown(session[11])["text/plain"]
    assert [r.id for r in RUBRIC_LIST] == [
        line.split(" · ")[0].split()[-1]
        for line in text.splitlines()
        if " · " in line and not line.startswith(" ")
    ]
    assert _headline(text, "softmax") == _headline(_shown(session[4])["text/plain"], "softmax")


def test_the_history_keeps_cell_numbers_and_drops_the_magics():
    """Cell N of the graded notebook is In[N]; the extension's own lines are blank; the cell
    running %grade keeps only its lines before the magic."""
    history = ["", "%load_ext grader", "x = 1\n%reload_ext grader", "y = 2\n%grade softmax\nz = 3"]
    cells = json.loads(history_notebook(history))["cells"]
    assert ["", "x = 1\n", "y = 2"] == [c["source"] for c in cells]
    assert [1, 2, 3] == [c["execution_count"] for c in cells]


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to install a release (the README's set-up)")
    return uv


@pytest.mark.slow
def test_grade_magic_in_a_student_release(tmp_path):
    """In an installed student release (no solutions/, frozen expected values), the release's
    own kernel grades with its own grader and rubrics: a right softmax scores every visible
    point, a wrong one does not and its failing cases rebuild their inputs from values."""
    from grader.release.build import Course, build_release

    release = tmp_path / "student-repo"
    build_release(Course.beside(RUBRICS), release)
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_RUN_RECURSION_DEPTH")
    }
    subprocess.run([_uv(), "sync", "--quiet"], cwd=release, env=env, check=True, timeout=600)
    assert not list(release.rglob("solutions"))
    script = tmp_path / "drive.py"
    script.write_text(
        "import json, sys\nimport nbformat\nfrom nbclient import NotebookClient\n"
        "nb = nbformat.v4.new_notebook()\n"
        "nb.cells = [nbformat.v4.new_code_cell(s) for s in json.loads(sys.argv[2])]\n"
        "NotebookClient(nb, timeout=300, kernel_name='python3', allow_errors=True,\n"
        "               resources={'metadata': {'path': sys.argv[1]}}).execute()\n"
        "print(json.dumps([[o['data'] for o in c.outputs if o.get('output_type') ==\n"
        "                   'display_data'] for c in nb.cells]))\n",
        encoding="utf-8",
    )
    unnormalised = "import numpy as np\ndef softmax(z, axis=-1):\n    return np.exp(z)\n"
    cells = ["%load_ext grader", RIGHT, "%grade softmax", unnormalised, "%grade softmax"]
    python = release / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(python), str(script), str(release / "exercises"), json.dumps(cells)],
        capture_output=True,
        text=True,
        env={**env, "LANG": "C.UTF-8"},
        timeout=600,
        check=True,
    )
    shown = json.loads(done.stdout)
    right, wrong = shown[2][0]["text/plain"], shown[4][0]["text/plain"]
    assert f"PASS softmax · Softmax ({VISIBLE:g}/{VISIBLE:g} pts)" == _headline(right, "softmax")
    assert "release" in right  # the release's own grader and fingerprint graded it
    assert _headline(wrong, "softmax").startswith("FAIL softmax")
    assert "np.random.default_rng" not in wrong  # a release knows no seeds...
    assert "rebuild: np.array([[" in wrong  # ...so a large input is rebuilt from its values


@pytest.mark.parametrize(
    ("session_name", "expected"),
    [
        (None, ("here", "kernel.ipynb")),
        ("{there}/lecture01.ipynb", ("there", "lecture01.ipynb")),
        ("exercises/lecture01.ipynb", ("here", "lecture01.ipynb")),
        ("{there}/notes.txt", ("here", "kernel.ipynb")),
    ],
)
def test_the_notebook_is_found_where_jupyter_says(tmp_path, monkeypatch, session_name, expected):
    """A full notebook path in JPY_SESSION_NAME names the folder; a relative one (older
    servers) only the name, the folder being the kernel's; without one, the kernel's folder."""
    from types import SimpleNamespace

    from grader.ipython_magic import notebook_location

    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    monkeypatch.chdir(here)
    if session_name is None:
        monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    else:
        monkeypatch.setenv("JPY_SESSION_NAME", session_name.format(there=there))
    folder, name = notebook_location(SimpleNamespace(user_ns={}))
    assert (tmp_path / expected[0], expected[1]) == (folder, name)
