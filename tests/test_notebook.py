"""Notebook submissions without a kernel: reading, converting, running cells, messages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import UsageError
from grader.notebook import read_notebook, shorten, to_python
from tests.conftest import ROOT, RUBRICS, SOLUTIONS

NOTEBOOKS = Path(__file__).parent / "notebooks"


def _scores(report: dict) -> dict[str, tuple[float, float]]:
    return {e["id"]: (e["score"], e["max_score"]) for e in report["exercises"]}


def _full(run, *ids: str) -> None:
    scores = _scores(run.report)
    for exercise_id in ids:
        score, max_score = scores[exercise_id]
        assert max_score == score, exercise_id


def _short_rubrics(tmp_path: Path, seconds: int = 2) -> Path:
    """The repository's rubrics with a short time limit (for cells that hang)."""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    for path in RUBRICS.glob("*.yaml"):
        lines = [
            f"time_limit: {seconds}" if line.startswith("time_limit:") else line
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        (folder / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _notebook(path: Path, *sources: str, language: str = "python") -> Path:
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s}
        for s in sources
    ]
    meta = {"kernelspec": {"name": "python3", "language": language, "display_name": "x"}}
    path.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": meta, "cells": cells})
    )
    return path


# -- converting ---------------------------------------------------------------------------------


def test_plain_python_is_kept_as_written():
    """A cell that parses as Python is not touched and gets no note."""
    source = "import numpy as np\nx = np.arange(3)\n"
    assert (source, ()) == to_python(source, 1)


@pytest.mark.parametrize(
    ("source", "expected_call"),
    [
        pytest.param(
            "%matplotlib inline\nx = 1", "run_line_magic('matplotlib', 'inline')", id="line magic"
        ),
        pytest.param("!pip install numpy\nx = 1", "system('pip install numpy')", id="shell"),
        pytest.param("files = !ls\nx = 1", "getoutput('ls')", id="shell capture"),
        pytest.param("np.sum?\nx = 1", "run_line_magic('pinfo', 'np.sum')", id="help"),
    ],
)
def test_ipython_syntax_becomes_calls_on_the_stub(source, expected_call):
    """IPython's transformers turn magics into get_ipython() calls, each noted for the report."""
    code, notes = to_python(source, 4)
    assert expected_call in code
    assert code.rstrip().endswith("x = 1")
    assert 1 == len(notes)
    assert notes[0].startswith("cell 4: `")
    assert notes[0].endswith("was not run (magics and shell commands are ignored when grading)")


def test_time_cell_magic_runs_its_body_once():
    """%%time keeps its body as Python, one line down so line numbers still match."""
    code, notes = to_python("%%time\ndef f():\n    return 1\n", 2)
    assert "\ndef f():\n    return 1" == code.rstrip("\n")
    assert ("cell 2: ran the cell's code without `%%time`",) == notes


def test_other_cell_magics_skip_their_cell():
    """%%bash and %%writefile cells are not run at all."""
    assert ("", ("cell 3: `%%bash` cell was not run (only Python cells are graded)",)) == to_python(
        "%%bash\nrm -rf /\n", 3
    )


def test_shorten_keeps_first_and_last_lines():
    """A long cell shows its first and last five lines around a count of the rest."""
    source = "\n".join(f"line {i}" for i in range(1, 21))
    expected = "\n".join(
        [
            *(f"line {i}" for i in range(1, 6)),
            "... (10 lines) ...",
            *(f"line {i}" for i in range(16, 21)),
        ]
    )
    assert expected == shorten(source)


# -- reading ------------------------------------------------------------------------------------


def test_virtual_lines_map_back_to_cells():
    """Each code cell keeps its own line numbers; markdown cells still count in the numbering."""
    notebook = read_notebook(NOTEBOOKS / "errors.ipynb")
    cell, line = notebook.at(notebook.cells[4].offset + 3)
    assert (5, 3) == (cell.number, line)
    assert "cell 5 (defines `cosine_similarity`)" == cell.label
    assert 5 == notebook.defining("cosine_similarity").number


@pytest.mark.parametrize(
    ("source", "label"),
    [
        pytest.param(
            "import numpy as np\n\ndef softmax(z):\n    return z\n",
            "cell 1 (defines `softmax`)",
            id="a function after the imports",
        ),
        pytest.param(
            "def f():\n    pass\nclass G:\n    pass\nx = 1\n",
            "cell 1 (defines `f`, `G`)",
            id="functions and classes before assignments",
        ),
        pytest.param(
            "def a(): pass\ndef b(): pass\ndef c(): pass\ndef d(): pass\n",
            "cell 1 (defines `a`, `b`, `c`, ...)",
            id="at most three names",
        ),
        pytest.param(
            'CROSS_ENTROPY = r"-\\sum"\n', "cell 1 (defines `CROSS_ENTROPY`)", id="a constant"
        ),
        pytest.param(
            "import numpy as np\n# try it\n%matplotlib inline\nnp.seterr(all='raise')\nprint(1)\n",
            "cell 1 (`np.seterr(all='raise')`)",
            id="first line that is no import, comment or magic",
        ),
        pytest.param(
            "import numpy as np\nnp.allclose = None\n",
            "cell 1 (`np.allclose = None`)",
            id="patching an attribute defines nothing",
        ),
        pytest.param(
            "# only imports here\nimport numpy as np\n",
            "cell 1 (`# only imports here`)",
            id="no code",
        ),
    ],
)
def test_cells_are_named_by_what_they_define(tmp_path, source, label):
    """A cell is named by its functions, else the names it assigns, else its first meaningful
    line; never by an import the whole pack starts with."""
    notebook = read_notebook(_notebook(tmp_path / "n.ipynb", source))
    assert label == notebook.cells[0].label


def test_cell_names_in_japanese(tmp_path):
    """The cell's name reads in the report's language."""
    from grader import messages

    notebook = read_notebook(_notebook(tmp_path / "n.ipynb", "def softmax(z):\n    return z\n"))
    messages.set_language("ja")
    assert "セル 1（`softmax` を定義）" == notebook.cells[0].label


def test_truncated_json_is_named_with_line_and_column():
    """A file cut off while saving gets a one-line error with where the JSON stops."""
    with pytest.raises(UsageError) as caught:
        read_notebook(NOTEBOOKS / "truncated.ipynb")
    text = str(caught.value)
    assert text.startswith("tests/notebooks/truncated.ipynb: not a valid notebook: invalid JSON at")
    assert text.endswith("; the file looks truncated (was it saved completely?)")


def test_bad_field_is_named():
    """Valid JSON with a malformed cell names the cell and the field."""
    with pytest.raises(UsageError) as caught:
        read_notebook(NOTEBOOKS / "bad_source.ipynb")
    assert (
        "tests/notebooks/bad_source.ipynb: not a valid notebook: "
        "cells[1].source: must be a string or a list of strings"
    ) == str(caught.value)


def test_json_that_is_not_a_notebook(tmp_path):
    """A JSON list is refused with a message saying what a notebook looks like."""
    path = tmp_path / "list.ipynb"
    path.write_text("[1, 2]")
    with pytest.raises(UsageError, match="the file is JSON but not a notebook"):
        read_notebook(path)


def test_r_notebook_is_refused():
    """A notebook declared in another language is refused, not graded as Python."""
    with pytest.raises(UsageError) as caught:
        read_notebook(NOTEBOOKS / "r_kernel.ipynb")
    assert (
        "tests/notebooks/r_kernel.ipynb: the notebook's language is R; "
        "only Python notebooks can be graded"
    ) == str(caught.value)


@pytest.mark.slow
def test_v3_notebook_is_upgraded():
    """An nbformat v3 notebook (worksheets, input) is read through nbformat's upgrade."""
    notebook = read_notebook(NOTEBOOKS / "v3.ipynb")
    assert 3 == notebook.nbformat
    assert 1 == len(notebook.cells)
    assert "cosine_similarity" in notebook.cells[0].defines


# -- grading through the CLI --------------------------------------------------------------------


@pytest.mark.slow
def test_solution_notebook_scores_full_marks(run_grade):
    """The pack's solution notebook earns every point, like the .py solutions."""
    run = run_grade(str(SOLUTIONS / "lecture01.ipynb"))
    assert 0 == run.code
    assert run.report["max_score"] == run.report["score"]
    assert "python" == run.report["meta"]["notebook_mode"]


@pytest.mark.slow
def test_stub_notebook_scores_zero_with_friendly_message(run_grade):
    """The pack's stub notebook scores 0, each exercise saying what to do, never a traceback."""
    run = run_grade(str(ROOT / "exercises" / "lecture01.ipynb"))
    assert 1 == run.code
    assert 0 == run.report["score"]
    for exercise in run.report["exercises"]:
        assert exercise["message"] or all(c["message"] for c in exercise["cases"])
        assert "Traceback" not in json.dumps(exercise)
    softmax = run.exercise("softmax")
    assert (
        "not implemented yet: replace `raise NotImplementedError` with your code"
        == softmax["message"]
    )


@pytest.fixture(scope="session")
def _matplotlib_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A matplotlib config/cache folder whose font list is built once, before any grading."""
    folder = str(tmp_path_factory.mktemp("matplotlib"))
    subprocess.run(
        [sys.executable, "-c", "import matplotlib.font_manager"],
        env={**os.environ, "MPLCONFIGDIR": folder},
        check=True,
    )
    return folder


@pytest.mark.slow
def test_jupyterlab_notebook_with_plots_and_display(
    run_grade, tmp_path, monkeypatch, _matplotlib_cache
):
    """A JupyterLab notebook with plots and display() is graded; its stored outputs are not."""
    # matplotlib is imported by every run's child: a built font cache and generous limits keep
    # this test about grading, not about a loaded machine
    monkeypatch.setenv("MPLCONFIGDIR", _matplotlib_cache)
    rubrics = _short_rubrics(tmp_path, seconds=60)
    run = run_grade(
        str(NOTEBOOKS / "jupyterlab.ipynb"),
        "--rubrics",
        str(rubrics),
        "--solutions",
        str(SOLUTIONS),
    )
    _full(run, "softmax", "cross_entropy")
    # a stored output claims "All tests passed! 100/100": only the code counts
    assert (0.0, 7.0) == _scores(run.report)["cosine_similarity"]
    assert [
        "graded without a kernel (cells run as plain Python)",
        "cell 2: `%matplotlib inline` was not run"
        " (magics and shell commands are ignored when grading)",
    ] == run.report["meta"]["notes"]


@pytest.mark.slow
def test_vscode_notebook_with_pip_install(run_grade):
    """A VS Code notebook with `!pip install` grades its functions and never runs pip."""
    run = run_grade(str(NOTEBOOKS / "vscode.ipynb"))
    _full(run, "cosine_similarity", "log_normal_pdf")
    assert (
        "cell 1: `!pip install numpy` was not run"
        " (magics and shell commands are ignored when grading)"
    ) in run.report["meta"]["notes"]


@pytest.mark.slow
def test_magics_and_shell_never_run(run_grade, tmp_path):
    """Shell lines and %%bash/%%writefile cells leave no trace; %%time bodies still define."""
    copy = tmp_path / "magics.ipynb"
    shutil.copy(NOTEBOOKS / "magics.ipynb", copy)
    run = run_grade(str(copy))
    _full(run, "softmax", "sgd_step")
    assert [] == sorted(p.name for p in tmp_path.glob("ran_*"))


@pytest.mark.slow
def test_venv_kernel_name_is_graded(run_grade):
    """A kernel named after a virtual environment is still a Python notebook."""
    run = run_grade(str(NOTEBOOKS / "venv_kernel.ipynb"))
    _full(run, "softmax")


@pytest.mark.slow
def test_v3_notebook_is_graded(run_grade):
    """An nbformat v3 notebook grades like a new one."""
    run = run_grade(str(NOTEBOOKS / "v3.ipynb"))
    _full(run, "cosine_similarity")


@pytest.mark.parametrize("name", ["truncated", "bad_source", "r_kernel"])
@pytest.mark.slow
def test_unreadable_notebook_is_a_usage_error(run_grade, name):
    """A notebook that cannot be graded exits 2 with one error line and no traceback."""
    run = run_grade(str(NOTEBOOKS / f"{name}.ipynb"))
    assert 2 == run.code
    assert run.stderr.startswith(f"error: tests/notebooks/{name}.ipynb: ")
    assert 1 == len(run.stderr.strip().splitlines())


@pytest.mark.slow
def test_cell_errors_name_cell_and_line(run_grade):
    """A raising cell is named with its first line and the line in it; later cells still count."""
    run = run_grade(str(NOTEBOOKS / "errors.ipynb"))
    _full(run, "softmax")
    assert (
        "cell 4 (defines `cross_entropy`): raised ZeroDivisionError: division by zero"
        " (line 1 of the cell); so cross_entropy was not defined"
    ) == run.exercise("cross_entropy")["message"]
    case = run.exercise("cosine_similarity")["cases"][0]
    assert (
        "cosine_similarity raised ValueError: not yet (tests/notebooks/errors.ipynb, "
        "cell 5 (defines `cosine_similarity`), line 3)"
    ) == case["message"]
    assert [
        "cell 2 (`print(undefined_name)`): raised NameError: name 'undefined_name' is not defined"
        " (line 1 of the cell)",
        "cell 4 (defines `cross_entropy`): raised ZeroDivisionError: division by zero"
        " (line 1 of the cell)",
        "cell 6 (`def log_normal_pdf(x, mu, sigma)`): raised SyntaxError: expected ':'"
        " (line 1 of the cell)",
    ] == run.report["meta"]["notebooks"][0]["cell_problems"]
    assert (
        "no code cell of tests/notebooks/errors.ipynb defines log_normal_pdf"
        == run.exercise("log_normal_pdf")["message"]
    )


@pytest.mark.slow
def test_hanging_and_exiting_cells_cost_only_themselves(run_grade, tmp_path):
    """Cells that loop, call os._exit or call sys.exit are named; the other cells are graded."""
    rubrics = _short_rubrics(tmp_path)
    run = run_grade(
        str(NOTEBOOKS / "hang.ipynb"), "--rubrics", str(rubrics), "--solutions", str(SOLUTIONS)
    )
    _full(run, "softmax", "log_normal_pdf", "sgd_step")
    assert [
        "cell 2 (`while True:`): timed out after 2 s (does your loop terminate?)",
        "cell 4 (`os._exit(3)`): the code called exit (3); return a value instead",
        "cell 6 (`sys.exit(2)`): called exit (2); the cells after it still ran",
    ] == run.report["meta"]["notebooks"][0]["cell_problems"]


@pytest.mark.slow
def test_cells_that_together_outlast_the_limit_cost_a_bounded_number_of_runs(
    run_grade, tmp_path, monkeypatch
):
    """Twelve cells of 0.3 s each under a 1 s limit: at most `MAX_LEFT_OUT` cells are left out
    (each a run of the cells before it), then every exercise takes the timeout without running
    again; leaving out one cell per run took one run per cell (hours for a long notebook)."""
    from grader import notebook_grader

    runs = []
    real = notebook_grader._Progress.run

    def counted(self, job, blobs, limits):
        runs.append(1)
        return real(self, job, blobs, limits)

    monkeypatch.setattr(notebook_grader._Progress, "run", counted)
    rubrics = _short_rubrics(tmp_path, seconds=1)
    softmax = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
    path = _notebook(tmp_path / "nb.ipynb", softmax, *["import time\ntime.sleep(0.3)"] * 12)
    run = run_grade(str(path), "--rubrics", str(rubrics), "--solutions", str(SOLUTIONS))
    assert len(runs) <= 5  # MAX_LEFT_OUT (4) runs that leave a cell out, one that gives up
    problems = run.report["meta"]["notebooks"][0]["cell_problems"]
    assert 4 == len(problems)
    softmax_result = run.exercise("softmax")
    assert 0 == softmax_result["score"]
    assert "timed out after 1 s" in softmax_result["message"]


@pytest.mark.slow
def test_function_defined_only_in_a_hanging_cell(run_grade, tmp_path):
    """An exercise defined in the cell that hangs is charged to that cell, by name."""
    rubrics = _short_rubrics(tmp_path)
    path = _notebook(
        tmp_path / "nb.ipynb",
        "import numpy as np",
        "def softmax(z, axis=-1):\n    return z\nwhile True:\n    pass",
    )
    run = run_grade(str(path), "--rubrics", str(rubrics), "--solutions", str(SOLUTIONS))
    assert (
        "cell 2 (defines `softmax`): timed out after 2 s (does your loop terminate?);"
        " the cell was left out, and softmax is defined only there"
    ) == run.exercise("softmax")["message"]


@pytest.mark.slow
def test_last_definition_wins(run_grade, tmp_path):
    """As in Python, a later cell's definition replaces an earlier one."""
    wrong = "import numpy as np\ndef softmax(z, axis=-1):\n    return z"
    right = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
    run = run_grade(str(_notebook(tmp_path / "a.ipynb", wrong, right)))
    _full(run, "softmax")
    run = run_grade(str(_notebook(tmp_path / "b.ipynb", right, wrong)))
    assert 0 == _scores(run.report)["softmax"][0]


@pytest.mark.slow
def test_cells_run_once_for_visible_and_once_for_hidden_cases(run_grade, monkeypatch):
    """One child answers every exercise's visible cases, another every hidden one."""
    from grader.sandbox.runner import Template

    jobs: list[int] = []
    real_run = Template.run

    def counting(self, job, blobs, limits):
        jobs.append(len(job.cases))
        return real_run(self, job, blobs, limits)

    monkeypatch.setattr(Template, "run", counting)
    run = run_grade(str(SOLUTIONS / "lecture01.ipynb"), "--include-hidden")
    assert run.report["max_score"] == run.report["score"]
    assert 2 == len(jobs)


@pytest.mark.slow
def test_a_case_that_stops_the_shared_child_costs_only_itself(run_grade, tmp_path):
    """A function that exits or hangs costs its own cases; other exercises are still graded."""
    rubrics = _short_rubrics(tmp_path)
    sources = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SOLUTIONS.glob("*.py"))}
    sources["cosine_similarity"] = "def cosine_similarity(a, b):\n    import os\n    os._exit(3)"
    sources["cross_entropy"] = "def cross_entropy(*args, **kwargs):\n    while True:\n        pass"
    path = _notebook(tmp_path / "nb.ipynb", *sources.values())
    run = run_grade(
        str(path), "--rubrics", str(rubrics), "--solutions", str(SOLUTIONS), "--include-hidden"
    )
    _full(run, "softmax", "log_normal_pdf", "sgd_step", "latex_formulas")
    assert {"exited"} == {c["reason"] for c in run.exercise("cosine_similarity")["cases"]}
    assert {"timeout"} == {c["reason"] for c in run.exercise("cross_entropy")["cases"]}


@pytest.mark.slow
def test_folder_with_a_notebook_and_py_files(run_grade, submission):
    """In a folder, .py files win and a notebook supplies the exercises they lack."""
    folder = submission()
    (folder / "softmax.py").unlink()
    (folder / "cosine_similarity.py").write_text("def cosine_similarity(a, b):\n    return 0.0\n")
    shutil.copy(NOTEBOOKS / "vscode.ipynb", folder / "work.ipynb")
    run = run_grade(str(folder))
    scores = _scores(run.report)
    assert 0 == scores["softmax"][0]  # no .py and no notebook cell defines it
    assert 0 == scores["cosine_similarity"][0]  # the .py file wins over the notebook
    _full(run, "cross_entropy", "log_normal_pdf", "sgd_step", "latex_formulas")


@pytest.mark.slow
def test_py_path_does_not_import_the_notebook_stack():
    """Grading .py files imports neither nbformat, jsonschema's notebook use, nor IPython."""
    code = (
        "import sys\nfrom grader import cli\n"
        f"cli.main([{str(SOLUTIONS)!r}, '--rubrics', {str(RUBRICS)!r}])\n"
        "print(sorted(m for m in ('nbformat', 'nbclient', 'IPython', 'matplotlib')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert "[]" == out.stdout.strip().splitlines()[-1]


def test_v4_notebook_does_not_import_nbformat():
    """A v4 notebook without magics is read without nbformat or IPython (start-up time)."""
    code = (
        "import sys\nfrom grader.notebook import read_notebook\nfrom pathlib import Path\n"
        f"read_notebook(Path({str(SOLUTIONS / 'lecture01.ipynb')!r}))\n"
        "print(sorted(m for m in ('nbformat', 'jsonschema', 'IPython') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert "[]" == out.stdout.strip()


@pytest.mark.slow
def test_report_shows_long_failing_cells_cut_short(run_grade, tmp_path):
    """The report's entry for a failing cell keeps its first and last five lines."""
    long_cell = "\n".join(f"x{i} = {i}" for i in range(30)) + "\nraise RuntimeError('late')"
    run = run_grade(str(_notebook(tmp_path / "long.ipynb", long_cell)))
    (entry,) = run.report["meta"]["notebooks"][0]["cells"]
    assert 1 == entry["cell"]
    assert 31 == entry["line"]
    assert "RuntimeError" == entry["kind"]
    assert (
        "\n".join(
            [
                "x0 = 0",
                "x1 = 1",
                "x2 = 2",
                "x3 = 3",
                "x4 = 4",
                "... (21 lines) ...",
                "x26 = 26",
                "x27 = 27",
                "x28 = 28",
                "x29 = 29",
                "raise RuntimeError('late')",
            ]
        )
        == entry["excerpt"]
    )


@pytest.mark.slow
def test_notebook_report_matches_the_report_schema(run_grade):
    """A notebook's JSON report, meta included, follows grader/schema/report.schema.json."""
    from tests.test_cli import _schema_validator

    run = run_grade(str(NOTEBOOKS / "errors.ipynb"))
    assert [] == list(_schema_validator("report.schema.json").iter_errors(run.report))
    assert {"notebook_mode", "notebooks", "notes"} == set(run.report["meta"])


@pytest.mark.slow
def test_cell_over_the_memory_limit_raises_memoryerror(run_grade, tmp_path):
    """A cell asking for more memory than the limit fails alone; the next cell's function passes."""
    solution = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
    path = _notebook(tmp_path / "mem.ipynb", "x = bytearray(3 << 30)", solution)
    run = run_grade(str(path))
    _full(run, "softmax")
    assert ["cell 1 (defines `x`): raised MemoryError (line 1 of the cell)"] == (
        run.report["meta"]["notebooks"][0]["cell_problems"]
    )


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "github"])
@pytest.mark.slow
def test_notebook_notes_appear_in_every_report(run_grade, tmp_path, fmt):
    """What was not run in a notebook is said in the Markdown and HTML reports too."""
    import html

    out = tmp_path / f"report.{fmt}"
    run_grade(
        str(NOTEBOOKS / "vscode.ipynb"), "--format", fmt, "--output", str(out), json_report=False
    )
    assert "`!pip install numpy` was not run" in html.unescape(out.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["local", "secure"])
def test_the_grader_opens_no_file_a_notebook_cell_could_replace(
    tmp_path: Path, mode: str, secure_mode: str
) -> None:
    """A cell that turns every file in /tmp it can into a FIFO, then hangs: the grader reads
    which cell ran from the status pipe, so it neither blocks nor reads another file, and
    names the cell that hung."""
    if mode == "secure" and secure_mode:
        pytest.skip(secure_mode)
    solution = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
    # the trap scrubs the child's temporary folder: in secure mode the sandbox's own /tmp, in
    # local mode (no confinement) a TMPDIR of this test's, never the machine's shared /tmp
    trap = (
        "import os, tempfile\n"
        "for name in os.listdir(tempfile.gettempdir()):\n"
        "    path = os.path.join(tempfile.gettempdir(), name)\n"
        "    try:\n"
        "        if os.path.isfile(path) and not os.path.islink(path):\n"
        "            os.unlink(path)\n"
        "            os.mkfifo(path)\n"
        "    except OSError:\n"
        "        pass\n"
        "while True:\n"
        "    pass\n"
    )
    (tmp_path / "submission").mkdir()
    notebook = _notebook(tmp_path / "submission" / "fifo.ipynb", solution, trap)
    out = tmp_path / "report.json"
    argv = [
        sys.executable,
        "-m",
        "grader",
        str(notebook),
        "--rubrics",
        str(_short_rubrics(tmp_path)),
    ]
    argv += [
        "--solutions",
        str(SOLUTIONS),
        "--sandbox",
        mode,
        "--format",
        "json",
        "--output",
        str(out),
    ]
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False, env=env)
    assert 1 == done.returncode, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    softmax = next(e for e in report["exercises"] if e["id"] == "softmax")
    assert softmax["score"] == softmax["max_score"]
    assert any("cell 2" in str(note) for note in report["meta"]["notes"]), report["meta"]


def test_a_notebook_nested_too_deeply_is_a_clear_error(tmp_path: Path) -> None:
    """JSON nested 100000 levels deep (RecursionError in the parser) is the student's error."""
    path = tmp_path / "deep.ipynb"
    path.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(UsageError, match="nested too deeply"):
        read_notebook(path)


def test_lone_surrogates_in_a_notebook_reach_no_report_raw(tmp_path: Path, run_grade) -> None:
    """A cell whose first line holds a lone surrogate (valid JSON) is named in the report,
    which still encodes as UTF-8."""
    notebook = _notebook(tmp_path / "nb.ipynb", "# caf\ud800\nraise ValueError('boom')\n")
    assert "\\ud800" in notebook.read_text(encoding="utf-8")  # a JSON escape, not a character
    result = run_grade(str(notebook), "--format", "terminal", json_report=False)
    assert 1 == result.code, result.stderr
    result.stdout.encode("utf-8")
