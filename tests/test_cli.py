"""The `grade` command: paths, options, exit codes, and failures that cost one exercise only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import cli
from grader.rubric import load_rubrics
from tests.conftest import RUBRICS, SOLUTIONS


def _schema_validator(name: str):
    import jsonschema

    schema = json.loads((Path(cli.__file__).parent / "schema" / name).read_text())
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.slow
def test_json_report_matches_its_schema(run_grade) -> None:
    """The JSON report validates against the shipped report schema."""
    result = run_grade(str(SOLUTIONS), "--include-hidden")
    errors = list(_schema_validator("report.schema.json").iter_errors(result.report))
    assert [] == errors
    assert result.report is not None
    assert result.report["max_score"] == result.report["score"]


@pytest.mark.slow
def test_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """`--format json` without `--output` prints only the JSON document."""
    code = cli.main([str(SOLUTIONS), "--rubrics", str(RUBRICS), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert 0 == code
    assert {"softmax", "cross_entropy", "cosine_similarity", "log_normal_pdf", "sgd_step"} <= {
        e["id"] for e in report["exercises"]
    }


@pytest.mark.slow
def test_hidden_cases_are_not_run_or_shown_without_the_flag(run_grade) -> None:
    """Without --include-hidden, hidden cases are absent and the report counts their points."""
    result = run_grade(str(SOLUTIONS))
    softmax = result.exercise("softmax")
    assert [] == [c for c in softmax["cases"] if c["hidden"]]
    assert 1 == softmax["hidden_not_run"]
    assert 2 == softmax["hidden_points_not_run"]
    assert "hidden" not in json.dumps([c["name"] for c in softmax["cases"]])


@pytest.mark.slow
def test_hidden_case_failure_shows_fixed_text(run_grade, submission) -> None:
    """A failing hidden case says only that it failed and why, never inputs or values."""
    source = (
        "import numpy as np\n"
        "def softmax(z, axis=-1):\n"
        "    z = np.asarray(z)\n"
        "    if z.shape == (6, 3):\n"
        "        print('secret', z)\n"
        "        return z\n"
        "    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n"
    )
    folder = submission(softmax=source)
    result = run_grade(str(folder / "softmax.py"), "--include-hidden")
    hidden = [c for c in result.exercise("softmax")["cases"] if c["hidden"]]
    assert 1 == len(hidden)
    assert "hidden case failed (wrong values)" == hidden[0]["message"]
    assert {} == hidden[0]["details"]
    assert "secret" not in json.dumps(result.report)


@pytest.mark.slow
def test_one_file_grades_only_its_exercise(run_grade) -> None:
    """PATH may be one exercise file; only that exercise is graded."""
    result = run_grade(str(SOLUTIONS / "softmax.py"))
    assert result.report is not None
    assert ["softmax"] == [e["id"] for e in result.report["exercises"]]


@pytest.mark.slow
def test_solutions_default_beside_rubrics(tmp_path: Path, monkeypatch, run_grade) -> None:
    """`--solutions` defaults to solutions/ beside the rubrics folder, from any directory."""
    monkeypatch.chdir(tmp_path)
    result = run_grade(str(SOLUTIONS))
    assert 0 == result.code


def test_list_shows_every_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    """`--list` names each exercise with its file and points, and exits 0."""
    code = cli.main(["--list", "--rubrics", str(RUBRICS)])
    out = capsys.readouterr().out
    assert 0 == code
    for name in ("softmax.py", "cross_entropy.py", "sgd_step.py"):
        assert name in out


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        pytest.param(["no/such/folder"], "no such file or folder", id="missing path"),
        pytest.param(
            [str(SOLUTIONS), "--rubrics", "nowhere"],
            "rubric folder not found",
            id="missing rubrics",
        ),
        pytest.param(
            [str(RUBRICS / "softmax.yaml")],
            "no rubric grades a file named",
            id="file no rubric grades",
        ),
        pytest.param(
            [str(SOLUTIONS), "--solutions", "nowhere"],
            "solutions folder not found",
            id="missing solutions",
        ),
    ],
)
def test_usage_errors_exit_two_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], text: str
) -> None:
    """Usage errors print one `error:` line, no traceback, and exit 2."""
    if "--rubrics" not in argv:
        argv = [*argv, "--rubrics", str(RUBRICS)]
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert 2 == code
    assert err.startswith("error: ")
    assert text in err
    assert "Traceback" not in err
    assert 1 == len(err.strip().splitlines())


@pytest.mark.slow
def test_terminal_report_has_points_and_total(capsys: pytest.CaptureFixture[str]) -> None:
    """The terminal report lists each exercise's points and a total line, without colour."""
    code = cli.main([str(SOLUTIONS), "--rubrics", str(RUBRICS)])
    out = capsys.readouterr().out
    rubrics = load_rubrics(RUBRICS)
    softmax = sum(c.points for r in rubrics if r.id == "softmax" for c in r.cases if not c.hidden)
    visible = sum(c.points for r in rubrics for c in r.cases if not c.hidden)
    assert 0 == code
    assert f"PASS softmax · Softmax ({softmax:g}/{softmax:g} pts)" in out
    assert f"total {visible:g}/{visible:g}" in out
    assert "\x1b[" not in out


@pytest.mark.slow
def test_internal_error_exits_three_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug in the grader becomes one line and exit 3, never a bare traceback."""
    import grader.grading

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(grader.grading, "grade_submission", explode)
    code = cli.main([str(SOLUTIONS), "--rubrics", str(RUBRICS)])
    err = capsys.readouterr().err
    assert 3 == code
    assert "internal error: RuntimeError: boom" in err
    assert "Traceback" not in err


# -- failures that cost one exercise only ------------------------------------------------------

FAILURES = [
    pytest.param(
        "softmax",
        "import numpy as np\ndef softmax(z, axis=-1)\n    return z\n",
        "import_error",
        "has a syntax error at line 2",
        id="syntax error",
    ),
    pytest.param(
        "softmax",
        "import numpy as np\nimport no_such_module\n",
        "import_error",
        "No module named 'no_such_module'",
        id="import error",
    ),
    pytest.param(
        "softmax",
        "import numpy as np\n",
        "missing_function",
        "does not define softmax",
        id="missing function",
    ),
    pytest.param(
        "softmax",
        "import time\nwhile True:\n    pass\n",
        "import_timeout",
        "timed out after 1 s",
        id="hang at import",
    ),
    pytest.param("softmax", "import sys\nsys.exit(3)\n", "exited", "exit", id="exit at import"),
]


@pytest.fixture
def fast_rubrics(tmp_path: Path) -> Path:
    """The real rubrics with a one-second time limit."""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    for rubric in RUBRICS.glob("*.yaml"):
        text = rubric.read_text(encoding="utf-8").replace("time_limit: 5", "time_limit: 1")
        (folder / rubric.name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("exercise", "source", "reason", "text"), FAILURES)
@pytest.mark.slow
def test_broken_file_costs_its_exercise_only(
    run_grade, submission, fast_rubrics: Path, exercise: str, source: str, reason: str, text: str
) -> None:
    """A file that cannot be graded scores zero with a clear message; the others are graded."""
    folder = submission(**{exercise: source})
    result = run_grade(str(folder), "--rubrics", str(fast_rubrics), "--solutions", str(SOLUTIONS))
    assert result.report is not None
    broken = result.exercise(exercise)
    others = [e for e in result.report["exercises"] if e["id"] != exercise]
    assert 1 == result.code
    assert 0 == broken["score"]
    assert {reason} == {c["reason"] for c in broken["cases"]}
    assert text in broken["message"]
    assert all(e["score"] == e["max_score"] for e in others)


@pytest.mark.slow
def test_missing_file_scores_zero_with_message(run_grade, submission) -> None:
    """A missing exercise file scores zero and says where it was looked for."""
    folder = submission()
    (folder / "cosine_similarity.py").unlink()
    result = run_grade(str(folder))
    missing = result.exercise("cosine_similarity")
    assert 0 == missing["score"]
    assert "cosine_similarity.py was not found in" in missing["message"]
    assert 0 == missing["score"]
    assert result.exercise("softmax")["score"] == result.exercise("softmax")["max_score"]


@pytest.mark.slow
def test_case_that_hangs_costs_that_case_only(run_grade, submission, fast_rubrics: Path) -> None:
    """A case that loops forever times out; the cases after it are still graded."""
    source = (
        "import numpy as np\n"
        "def softmax(z, axis=-1):\n"
        "    z = np.asarray(z)\n"
        "    if z.max() > 500:\n"
        "        while True:\n"
        "            pass\n"
        "    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n"
    )
    folder = submission(softmax=source)
    result = run_grade(
        str(folder / "softmax.py"), "--rubrics", str(fast_rubrics), "--solutions", str(SOLUTIONS)
    )
    cases = {c["name"]: c for c in result.exercise("softmax")["cases"]}
    assert "timeout" == cases["large logits [1000, 1001, 1002]"]["reason"]
    assert "timed out after 1 s" in cases["large logits [1000, 1001, 1002]"]["message"]
    assert cases["2-D input, each row separately"]["passed"]
    assert cases["very negative logits [-1000, -999, -998]"]["passed"]


@pytest.mark.slow
def test_exception_names_student_file_and_line(run_grade, submission) -> None:
    """An exception in student code names the exception and the student's own file and line."""
    source = "import numpy as np\n\ndef softmax(z, axis=-1):\n    return 1 / 0\n"
    folder = submission(softmax=source)
    case = run_grade(str(folder / "softmax.py")).exercise("softmax")["cases"][0]
    assert "exception" == case["reason"]
    assert "softmax raised ZeroDivisionError: division by zero" in case["message"]
    assert "softmax.py, line 4)" in case["message"]


@pytest.mark.slow
def test_exit_in_function_costs_that_case(run_grade, submission) -> None:
    """`os._exit` inside the function ends that case with 'exited'; other cases still run."""
    source = (
        "import os\nimport numpy as np\n"
        "def softmax(z, axis=-1):\n"
        "    z = np.asarray(z)\n"
        "    if z.ndim == 2:\n"
        "        os._exit(4)\n"
        "    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n"
    )
    folder = submission(softmax=source)
    cases = run_grade(str(folder / "softmax.py")).exercise("softmax")["cases"]
    by_dim = {c["name"]: c for c in cases}
    assert "exited" == by_dim["2-D input, each row separately"]["reason"]
    assert "exit (4)" in by_dim["2-D input, each row separately"]["message"]
    assert by_dim["large logits [1000, 1001, 1002]"]["passed"]


@pytest.mark.slow
def test_output_flood_is_stopped(run_grade, submission) -> None:
    """A function that prints without end is stopped at the output limit."""
    from grader.sandbox.runner import Limits

    source = "def softmax(z, axis=-1):\n    while True:\n        print('x' * 10000)\n"
    folder = submission(softmax=source)
    cases = run_grade(str(folder / "softmax.py")).exercise("softmax")["cases"]
    assert {"output_limit"} == {c["reason"] for c in cases}
    kept = f"{Limits().output_kept >> 10} KiB"
    expected = (
        f"printed without end and was stopped (the report keeps the first {kept}); remove"
        " print calls inside loops"
    )
    assert expected == cases[0]["message"]


@pytest.mark.slow
def test_debug_prints_at_import_keep_their_marks(run_grade, submission) -> None:
    """A correct file that prints 11 MB at import gets every mark; the report says what was kept."""
    from grader.sandbox.runner import Limits

    loop = "for i in range(110_000):\n    print('debug', i, 'x' * 90)\n"
    reference = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
    folder = submission(softmax=reference + loop)
    run = run_grade(str(folder), json_report=True)
    graded = run.exercise("softmax")
    printed = sum(len(f"debug {i} {'x' * 90}\n") for i in range(110_000))
    assert printed > 10 << 20
    assert (graded["max_score"], 0) == (graded["score"], run.code)
    kept = f"{Limits().output_kept >> 10} KiB"
    note = (
        f"your code printed {printed / (1 << 20):.1f} MiB; the report keeps the first {kept}"
        " and the rest was dropped (grading went on; printing less makes grading faster)"
    )
    assert [note] == graded["notes"]
    assert f"  {note}" in run.stdout.splitlines()


@pytest.mark.slow
def test_function_that_always_hangs_times_out_on_every_case(
    run_grade, submission, fast_rubrics: Path
) -> None:
    """After one timeout the other cases run side by side, with the same verdict each."""
    source = (
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    while True:\n"
        "        pass\n"
    )
    folder = submission(sgd_step=source)
    result = run_grade(
        str(folder / "sgd_step.py"),
        "--rubrics",
        str(fast_rubrics),
        "--solutions",
        str(SOLUTIONS),
        "--include-hidden",
    )
    cases = result.exercise("sgd_step")["cases"]
    assert {"timeout"} == {c["reason"] for c in cases}
    assert len(next(r for r in load_rubrics(RUBRICS) if r.id == "sgd_step").cases) == len(cases)
    assert 0 == result.exercise("sgd_step")["score"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param("print('x' * 200)", "output_limit", id="prints too slowly for the cap"),
        pytest.param("pass", "timeout", id="prints nothing"),
    ],
)
def test_a_loop_out_of_time_is_a_print_loop_only_if_it_printed(
    run_grade, submission, fast_rubrics: Path, line: str, reason: str
) -> None:
    """A loop stopped by the clock after printing more than is kept is a print loop (as if
    the output cap had stopped it); one that printed nothing is a timeout."""
    source = (
        "import time\n\ndef cosine_similarity(a, b):\n    while True:\n"
        f"        {line}\n        time.sleep(0.001)\n"
    )
    folder = submission(cosine_similarity=source)
    file = str(folder / "cosine_similarity.py")
    run = run_grade(file, "--rubrics", str(fast_rubrics), "--solutions", str(SOLUTIONS))
    graded = run.exercise("cosine_similarity")
    assert {reason} == {c["reason"] for c in graded["cases"]}


def test_the_grader_itself_runs_one_blas_thread_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`grade` sets one BLAS thread before NumPy loads (its pool would take the core the child
    template needs); a value the user set is kept."""
    import os

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")

    cli.main(["help"])

    assert ("1", "3") == (os.environ["OPENBLAS_NUM_THREADS"], os.environ["OMP_NUM_THREADS"])
