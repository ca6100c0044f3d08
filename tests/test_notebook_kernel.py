"""Notebook submissions in a Jupyter kernel (``--kernel``): same verdicts, same channel back."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from grader.sandbox import seccomp, secure
from tests.conftest import ROOT, SOLUTIONS
from tests.test_notebook import NOTEBOOKS, _full, _notebook, _scores, _short_rubrics

pytestmark = pytest.mark.slow  # every test here starts processes


def test_solution_notebook_scores_full_marks_in_a_kernel(run_grade):
    """The pack's solution notebook earns every point in kernel mode, and the report says so."""
    run = run_grade(str(SOLUTIONS / "lecture01.ipynb"), "--kernel", "--sandbox", "local")
    assert 0 == run.code
    assert run.report["max_score"] == run.report["score"]
    assert "kernel" == run.report["meta"]["notebook_mode"]
    assert "graded in a Jupyter kernel (ipykernel)" == run.report["meta"]["notes"][0]


def test_stub_notebook_scores_zero_in_a_kernel(run_grade):
    """The pack's stub notebook scores 0 in kernel mode with the friendly message."""
    run = run_grade(str(ROOT / "exercises" / "lecture01.ipynb"), "--kernel", "--sandbox", "local")
    assert 1 == run.code
    assert 0 == run.report["score"]
    softmax = run.exercise("softmax")
    assert (
        "not implemented yet: replace `raise NotImplementedError` with your code"
        == (softmax["message"])
    )


def test_kernel_mode_names_cells_and_lines(run_grade):
    """Errors in kernel mode read as in the default mode: cell, first line, line in the cell."""
    run = run_grade(str(NOTEBOOKS / "errors.ipynb"), "--kernel", "--sandbox", "local")
    _full(run, "softmax")
    assert (
        "cell 4 (defines `cross_entropy`): raised ZeroDivisionError: division by zero"
        " (line 1 of the cell); so cross_entropy was not defined"
    ) == run.exercise("cross_entropy")["message"]
    assert (
        "cosine_similarity raised ValueError: not yet (tests/notebooks/errors.ipynb, "
        "cell 5 (defines `cosine_similarity`), line 3)"
    ) == run.exercise("cosine_similarity")["cases"][0]["message"]
    assert (
        "cell 6 (`def log_normal_pdf(x, mu, sigma)`): raised SyntaxError: expected ':'"
        " (line 1 of the cell)"
    ) == run.report["meta"]["notebooks"][0]["cell_problems"][-1]


def test_kernel_hang_and_exit_cost_only_their_cells(run_grade, tmp_path):
    """A looping cell and a cell that kills the kernel are left out; the rest is graded."""
    rubrics = _short_rubrics(tmp_path)
    run = run_grade(
        str(NOTEBOOKS / "hang.ipynb"),
        "--kernel",
        "--sandbox",
        "local",
        "--rubrics",
        str(rubrics),
        "--solutions",
        str(SOLUTIONS),
    )
    _full(run, "softmax", "log_normal_pdf", "sgd_step")
    problems = run.report["meta"]["notebooks"][0]["cell_problems"]
    assert [
        "cell 2 (`while True:`): timed out after 2 s (does your loop terminate?)",
        "cell 4 (`os._exit(3)`): stopped the kernel (exit or crash); the cell was left out",
        "cell 6 (`sys.exit(2)`): called exit (2); the cells after it still ran",
    ] == problems


def test_kernel_never_runs_shell_commands(run_grade, tmp_path):
    """In kernel mode too, `!cmd`, %%bash and %%writefile do nothing."""
    copy = tmp_path / "magics.ipynb"
    shutil.copy(NOTEBOOKS / "magics.ipynb", copy)
    run = run_grade(str(copy), "--kernel", "--sandbox", "local")
    _full(run, "softmax", "sgd_step")
    assert [] == sorted(p.name for p in tmp_path.glob("ran_*"))
    assert 0 == _scores(run.report)["cross_entropy"][0]


@pytest.mark.parametrize("mode", ["secure", "auto"])
def test_kernel_mode_is_refused_where_secure_mode_is_asked_for_or_the_default(run_grade, mode: str):
    """A Jupyter kernel cannot run in the sandbox: --kernel with --sandbox secure, or with
    the default where secure mode works, exits 2 and says what to do instead."""
    if mode == "auto" and secure.unavailable():
        pytest.skip(f"auto runs locally here: {secure.unavailable()}")
    run = run_grade(str(SOLUTIONS / "lecture01.ipynb"), "--kernel", "--sandbox", mode)
    assert (2, None) == (run.code, run.report)
    assert "--kernel runs the notebook in a Jupyter kernel, which the sandbox cannot" in run.stderr
    assert "--sandbox local" in run.stderr


def test_nothing_a_kernel_cell_starts_outlives_the_grading(run_grade, tmp_path: Path):
    """A cell that starts a daemon (fork, setsid, loop) cannot: the kernel makes no process;
    after grading no process of the notebook is left, and the report says --kernel ran
    unconfined."""
    if not seccomp.available():
        pytest.skip("libseccomp is not available here")
    marker = tmp_path / "daemon-alive"
    daemon = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    while True:\n"
        f"        open({str(marker)!r}, 'w').close()\n"
        "        time.sleep(0.1)\n"
    )
    solution = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
    notebook = _notebook(tmp_path / "daemon.ipynb", solution, daemon)
    run = run_grade(str(notebook), "--kernel", "--sandbox", "local")
    assert 1 == run.code
    assert "kernel" == run.report["sandbox"]
    problems = run.report["meta"]["notebooks"][0]["cell_problems"]
    assert any("PermissionError" in p for p in problems), problems
    time.sleep(0.5)
    assert not marker.exists()
    left = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                left.append(pid)
        except OSError:
            continue
    assert [] == left


def test_the_grader_does_not_block_on_a_kernel_output_file_replaced_by_a_fifo(tmp_path: Path):
    """A function that turns the kernel's output file into a FIFO (in a temporary folder of
    this test's own) costs its exercise; the grader never opens it blocking."""
    import json
    import subprocess
    import sys

    trap = (
        "import os, tempfile\n"
        "def softmax(z, axis=-1):\n"
        "    folder = tempfile.gettempdir()\n"
        "    for name in os.listdir(folder):\n"
        "        if name.startswith('ml-lectures-out-'):\n"
        "            os.unlink(os.path.join(folder, name))\n"
        "            os.mkfifo(os.path.join(folder, name))\n"
        "    return z\n"
    )
    (tmp_path / "submission").mkdir()
    notebook = _notebook(tmp_path / "submission" / "fifo.ipynb", trap)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "report.json"
    argv = [sys.executable, "-m", "grader", str(notebook), "--kernel", "--sandbox", "local"]
    argv += ["--rubrics", str(ROOT / "rubrics"), "--format", "json", "--output", str(out)]
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False, env=env)
    assert 1 == done.returncode, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    softmax = next(e for e in report["exercises"] if e["id"] == "softmax")
    assert 0 == softmax["score"]


def test_a_kernel_that_sends_huge_outputs_does_not_fill_the_graders_memory(tmp_path: Path):
    """Two 150 MB displays from one cell (within the kernel's own memory limit) leave the
    grader's own peak memory under 400 MB, and cost nothing else."""
    import json
    import subprocess
    import sys

    solution = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
    flood = (
        "from IPython.display import display\n"
        "s = 'y' * (150 << 20)\n"
        "for _ in range(2):\n"
        "    display({'text/plain': s}, raw=True)\n"
        "del s\n"
    )
    notebook = _notebook(tmp_path / "flood.ipynb", solution, flood)
    report = tmp_path / "report.json"
    argv = [str(notebook), "--kernel", "--sandbox", "local", "--format", "json"]
    script = (
        "import resource\n"
        "from grader import cli\n"
        f"cli.main({[*argv, '--output', str(report)]!r})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    peak_mb = int(done.stdout.split()[-1]) / 1024
    scores = _scores(json.loads(report.read_text(encoding="utf-8")))
    assert scores["softmax"][0] == scores["softmax"][1]
    assert peak_mb < 400, f"the grader's peak memory was {peak_mb:.0f} MB"


def test_a_kernel_cell_with_one_output_over_the_bound_is_named_and_left_out(
    run_grade, tmp_path: Path
):
    """One print larger than a kernel message may be (64 MiB, the output limit) costs its
    cell, with a sentence saying so; the notebook's other cells are graded as usual."""
    solutions = {
        name: (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")
        for name in ("softmax", "cross_entropy", "cosine_similarity")
    }
    flood = solutions["cross_entropy"] + "print('y' * (65 << 20))\n"
    notebook = _notebook(
        tmp_path / "flood.ipynb", solutions["softmax"], flood, solutions["cosine_similarity"]
    )
    run = run_grade(str(notebook), "--kernel", "--sandbox", "local")
    _full(run, "softmax", "cosine_similarity")
    too_much = (
        "printed or displayed too much output at once (more than 64 MiB in one output);"
        " print or display a summary or a slice instead"
    )
    cell = "cell 2 (defines `cross_entropy`)"
    assert [f"{cell}: {too_much}"] == run.report["meta"]["notebooks"][0]["cell_problems"]
    assert "output_limit" == run.report["meta"]["notebooks"][0]["cells"][0]["kind"]
    assert (
        f"{cell}: {too_much}; the cell was left out, and cross_entropy is defined only there"
    ) == run.exercise("cross_entropy")["message"]


def _cosine_only(tmp_path: Path, **extra: str) -> Path:
    """A rubrics folder with cosine_similarity alone, its top-level settings replaced."""
    import re

    text = (ROOT / "rubrics" / "cosine_similarity.yaml").read_text(encoding="utf-8")
    for key, value in extra.items():
        text = re.sub(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.MULTILINE)
    folder = tmp_path / "rubrics"
    folder.mkdir()
    (folder / "cosine_similarity.yaml").write_text(text, encoding="utf-8")
    return folder


_COSINE = (
    "import numpy as np\n"
    "def cosine_similarity(a, b):\n"
    "    {slip}\n"
    "    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))\n"
)


@pytest.mark.parametrize("kernel", [False, True], ids=["worker", "kernel"])
def test_running_out_of_memory_reads_the_same_in_a_kernel(run_grade, tmp_path, kernel: bool):
    """A MemoryError in the student's function is "ran out of memory" in both notebook modes."""
    slip = "if len(a) == 2: np.ones(1 << 47)"
    notebook = _notebook(tmp_path / "memory.ipynb", _COSINE.format(slip=slip))
    rubrics = _cosine_only(tmp_path, time_limit="5\nmemory_limit_mb: 256")
    args = ["--rubrics", str(rubrics), "--solutions", str(SOLUTIONS), "--sandbox", "local"]
    run = run_grade(str(notebook), *args, *(["--kernel"] if kernel else []))
    case = next(
        c
        for c in run.exercise("cosine_similarity")["cases"]
        if c["name"] == "vectors of very different magnitude"
    )
    assert ("memory_limit", "ran out of memory (limit 256 MiB)") == (
        case["reason"],
        case["message"].splitlines()[0],
    )


@pytest.mark.parametrize("kernel", [False, True], ids=["worker", "kernel"])
def test_a_case_s_own_time_limit_holds_in_a_kernel(run_grade, tmp_path, kernel: bool):
    """A case with a time limit of its own above the exercise's may use it, in both modes."""
    import re

    slip = "if len(a) == 2: __import__('time').sleep(2.5)"
    notebook = _notebook(tmp_path / "slow.ipynb", _COSINE.format(slip=slip))
    rubrics = _cosine_only(tmp_path, time_limit="1")
    path = rubrics / "cosine_similarity.yaml"
    text = re.sub(
        r"(  - name: vectors of very different magnitude\n)",
        r"\1    time_limit: 6\n",
        path.read_text(encoding="utf-8"),
    )
    path.write_text(text, encoding="utf-8")
    args = ["--rubrics", str(rubrics), "--solutions", str(SOLUTIONS), "--sandbox", "local"]
    run = run_grade(str(notebook), *args, *(["--kernel"] if kernel else []))
    graded = run.exercise("cosine_similarity")
    assert [] == [c["message"] for c in graded["cases"] if not c["passed"]]


def test_hidden_cases_run_in_a_kernel_of_their_own(run_grade, tmp_path):
    """With hidden cases, the kernel whose output reaches the visible feedback never runs a
    hidden case (a second kernel does), and neither kernel's connection outlives the grading."""
    import gc
    import re
    import warnings

    import zmq

    counting = (
        "CALLS = []\n"
        "def cosine_similarity(a, b):\n"
        "    CALLS.append(1)\n"
        "    raise ValueError(f'calls in this kernel: {len(CALLS)}')\n"
    )
    notebook = _notebook(tmp_path / "counting.ipynb", counting)
    rubrics = _cosine_only(tmp_path)
    args = ["--rubrics", str(rubrics), "--solutions", str(SOLUTIONS), "--sandbox", "local"]
    run = run_grade(str(notebook), *args, "--kernel", "--include-hidden")
    cases = run.exercise("cosine_similarity")["cases"]
    visible = [c["message"] for c in cases if not c["hidden"]]
    assert len(visible) < len(cases), "the rubric needs a hidden case"
    counts = [int(n) for n in re.findall(r"calls in this kernel: (\d+)", "\n".join(visible))]
    assert list(range(1, len(visible) + 1)) == sorted(counts), visible
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        gc.collect()
    assert [] == [o for o in gc.get_objects() if isinstance(o, zmq.Socket) and not o.closed]
