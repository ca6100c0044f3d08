"""`grade batch` and `grade export`: gradebook, resume, hostile and unsafe submissions, exports."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader import cli
from grader.batch.gradebook import FILENAME, Gradebook
from grader.rubric import load_rubrics
from grader.sandbox.protocol import Job
from grader.sandbox.secure import unavailable

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"

RUBRIC_LIST = load_rubrics(RUBRICS, use_cache=False)
#: full marks and the number of cases (hidden included) over every rubric of the course
FULL = sum(r.max_score for r in RUBRIC_LIST)
CASES = sum(len(r.cases) for r in RUBRIC_LIST)
#: student code that kills the warm template (its parent): a grader-side failure
KILLER = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
WRONG_SOFTMAX = "import numpy as np\n\ndef softmax(z, axis=-1):\n    return np.exp(z)\n"


def make_folder(folder: Path, **files: str) -> Path:
    """A submission folder: the reference solutions with some files replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in SOLUTIONS.glob("*.py"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"))
    for name, text in files.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return folder


def make_zip(path: Path, prefix: str = "", **files: str) -> Path:
    """A zip of the reference solutions (with some files replaced) under ``prefix``."""
    contents = {p.name: p.read_text(encoding="utf-8") for p in SOLUTIONS.glob("*.py")}
    contents.update({f"{k}.py": v for k, v in files.items()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in contents.items():
            archive.writestr(prefix + name, text)
    return path


def batch(*argv: str) -> int:
    """Run `grade batch` in-process with the repository's rubrics."""
    return cli.main(["batch", *argv, "--rubrics", str(RUBRICS)])


def rows(results: Path) -> dict[str, dict[str, object]]:
    """The gradebook's submissions, by student."""
    with Gradebook(results / FILENAME) as book:
        return {r.student: r.__dict__ for r in book.rows()}


def read_csv(path: Path) -> list[list[str]]:
    """A CSV file as rows of cells."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def make_notebook(path: Path, **files: str) -> Path:
    """A notebook with one code cell per reference solution (some replaced)."""
    sources = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SOLUTIONS.glob("*.py"))}
    sources.update(files)
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s}
        for s in sources.values()
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@pytest.mark.slow
def test_batch_grades_folders_zips_and_notebooks(tmp_path: Path) -> None:
    """Folders, zips and notebooks are graded with hidden cases; a broken notebook is refused."""
    subs = tmp_path / "subs"
    make_folder(subs / "alice")
    make_folder(subs / "bob", softmax=WRONG_SOFTMAX)
    make_zip(subs / "carol.zip", prefix="carol/exercises/")
    (subs / "dave.ipynb").write_text("{}", encoding="utf-8")
    make_notebook(subs / "erin.ipynb")
    (subs / "notes.txt").write_text("not a submission", encoding="utf-8")
    out = tmp_path / "results"

    code = batch(str(subs), "--out", str(out))

    stored = rows(out)
    assert ["alice", "bob", "carol", "dave", "erin"] == sorted(stored)
    assert FULL == stored["alice"]["score"]
    assert FULL == stored["carol"]["score"]
    assert FULL == stored["erin"]["score"]
    assert stored["bob"]["score"] < FULL
    assert ("refused", 0.0) == (stored["dave"]["outcome"], stored["dave"]["score"])
    assert "not a valid notebook" in str(stored["dave"]["message"])
    assert 0 == code


@pytest.mark.slow
def test_total_equals_single_student_grade(tmp_path: Path, run_grade) -> None:
    """A student's batch total equals `grade PATH --include-hidden` on that submission alone."""
    subs = tmp_path / "subs"
    folder = make_folder(subs / "erin", softmax=WRONG_SOFTMAX, sgd_step="x = 1\n")
    batch(str(subs), "--out", str(tmp_path / "results"))

    alone = run_grade(str(folder), "--include-hidden")

    assert alone.report is not None
    stored = rows(tmp_path / "results")["erin"]
    assert alone.report["score"] == stored["score"]
    report = stored["report"]
    assert isinstance(report, dict)
    expected = {e["id"]: e["score"] for e in alone.report["exercises"]}
    assert expected == {e["id"]: e["score"] for e in report["exercises"]}


def _fast_rubrics(tmp_path: Path) -> Path:
    """The course's rubrics with a 1-second time limit, so that hostile code fails fast."""
    folder = tmp_path / "course" / "rubrics"
    folder.mkdir(parents=True)
    for path in RUBRICS.glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("time_limit: 5", "time_limit: 1")
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_hostile_submission_costs_only_its_student(tmp_path: Path) -> None:
    """An infinite loop, exits and a flood cost only their own cases, not the other students."""
    rubrics = _fast_rubrics(tmp_path)
    subs = tmp_path / "subs"
    make_folder(subs / "good1")
    make_folder(
        subs / "hostile",
        softmax="def softmax(z, axis=-1):\n    while True:\n        pass\n",
        cross_entropy="import sys\nsys.exit(3)\n",
        cosine_similarity=(
            "def cosine_similarity(a, b):\n    while True:\n        print('x' * 1000)\n"
        ),
        sgd_step="import os\nos._exit(0)\n",
    )
    make_folder(subs / "good2")
    out = tmp_path / "results"

    code = cli.main(
        [
            "batch",
            str(subs),
            "--out",
            str(out),
            "--rubrics",
            str(rubrics),
            "--solutions",
            str(SOLUTIONS),
        ]
    )

    stored = rows(out)
    assert 0 == code
    assert FULL == stored["good1"]["score"]
    assert FULL == stored["good2"]["score"]
    assert "graded" == stored["hostile"]["outcome"]
    report = stored["hostile"]["report"]
    assert isinstance(report, dict)
    scores = {e["id"]: e["score"] for e in report["exercises"]}
    assert {"softmax": 0, "cross_entropy": 0, "cosine_similarity": 0, "sgd_step": 0} == {
        k: scores[k] for k in ("softmax", "cross_entropy", "cosine_similarity", "sgd_step")
    }
    assert (
        next(r.max_score for r in RUBRIC_LIST if r.id == "log_normal_pdf")
        == scores["log_normal_pdf"]
    )


@pytest.mark.slow
def test_resume_skips_unchanged_and_regrades_changed_content(tmp_path: Path, capsys) -> None:
    """A rerun keeps unchanged submissions and regrades the one whose content changed."""
    subs = tmp_path / "subs"
    make_folder(subs / "alice")
    make_folder(subs / "bob")
    out = tmp_path / "results"
    batch(str(subs), "--out", str(out))
    before = rows(out)
    (subs / "bob" / "softmax.py").write_text(WRONG_SOFTMAX, encoding="utf-8")
    capsys.readouterr()

    batch(str(subs), "--out", str(out))

    after = rows(out)
    assert "2 submissions in" in capsys.readouterr().err
    assert before["alice"]["started"] == after["alice"]["started"]
    assert before["bob"]["started"] != after["bob"]["started"]
    assert after["bob"]["score"] < FULL


@pytest.mark.slow
def test_changed_rubric_regrades_everyone(tmp_path: Path, capsys) -> None:
    """Changing a rubric changes the rubric hash, and every submission is graded again."""
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    for path in RUBRICS.glob("*.yaml"):
        (rubrics / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    subs = tmp_path / "subs"
    make_folder(subs / "alice")
    make_folder(subs / "bob")
    out = tmp_path / "results"
    argv = ["batch", str(subs), "--out", str(out), "--rubrics", str(rubrics)]
    argv += ["--solutions", str(SOLUTIONS)]
    cli.main(argv)
    before = rows(out)
    capsys.readouterr()
    cli.main(argv)
    assert "0 to grade" in capsys.readouterr().err
    text = (rubrics / "softmax.yaml").read_text(encoding="utf-8")
    (rubrics / "softmax.yaml").write_text(text.replace("points: 2", "points: 3", 1))

    cli.main(argv)

    after = rows(out)
    assert "2 to grade" in capsys.readouterr().err
    assert before["alice"]["rubric_hash"] != after["alice"]["rubric_hash"]
    assert FULL + 1 == after["alice"]["score"]
    assert FULL + 1 == after["bob"]["score"]


@pytest.mark.slow
def test_grader_errors_are_graded_again(tmp_path: Path, capsys, monkeypatch) -> None:
    """A submission the grader failed on is retried by the next run, never kept as a zero."""
    import grader.grading
    from grader.errors import InternalError

    real = grader.grading.grade_submission

    def failing(submission, *args, **kwargs):
        """The grader fails on bob's submission only."""
        if (submission.folder / "bob.txt").exists():
            raise InternalError("the child process stopped answering")
        return real(submission, *args, **kwargs)

    subs = tmp_path / "subs"
    make_folder(subs / "alice")
    make_folder(subs / "bob")
    (subs / "bob" / "bob.txt").write_text("marker", encoding="utf-8")
    out = tmp_path / "results"
    monkeypatch.setattr(grader.grading, "grade_submission", failing)
    first = batch(str(subs), "--out", str(out))
    grades = read_csv(out / "grades.csv")
    monkeypatch.setattr(grader.grading, "grade_submission", real)
    capsys.readouterr()

    second = batch(str(subs), "--out", str(out))

    assert (4, 0) == (first, second)
    assert ["", "grader_error"] == next(r for r in grades if r[0] == "bob")[-3:-1]
    assert "1 to grade" in capsys.readouterr().err
    assert FULL == rows(out)["bob"]["score"]


def blocked_course(tmp_path: Path) -> Path:
    """Copies of the rubrics whose softmax waits up to 120 s, beside solutions/ (for BLOCKER)."""
    base = tmp_path / "course"
    (base / "rubrics").mkdir(parents=True)
    for source in RUBRICS.glob("*.yaml"):
        text = source.read_text(encoding="utf-8")
        if source.stem == "softmax":
            text = re.sub(r"^time_limit: .*$", "time_limit: 120", text, flags=re.MULTILINE)
        (base / "rubrics" / source.name).write_text(text, encoding="utf-8")
    shutil.copytree(SOLUTIONS, base / "solutions")
    return base / "rubrics"


def blocker(release: Path) -> str:
    """A softmax whose import waits until ``release`` exists (local mode sees the path)."""
    reference = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
    return (
        f"import os, time\nwhile not os.path.exists({str(release)!r}):\n    time.sleep(0.02)\n"
        + reference
    )


def start_blocked_batch(tmp_path: Path, count: int) -> tuple[subprocess.Popen[str], Path, Path]:
    """A batch of ``count`` students and one that blocks it until the test releases it.

    The batch cannot finish before the test acts (the blocked student waits for a file the
    test writes, within a 120 s limit), so interrupting it mid-way is not a race.
    """
    subs = tmp_path / "subs"
    release = tmp_path / "release"
    for i in range(count):
        make_folder(subs / f"s{i:03d}", **({"softmax": WRONG_SOFTMAX} if i % 3 == 0 else {}))
    make_folder(subs / "blocked", softmax=blocker(release))
    out = tmp_path / "results"
    command = [sys.executable, "-m", "grader", "batch", str(subs), "--output", str(out)]
    command += ["--rubrics", str(blocked_course(tmp_path)), "--workers", "1", "--no-export"]
    command += ["--sandbox", "local"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    return process, out / FILENAME, release


def wait_for_rows(process: subprocess.Popen[str], database: Path, wanted: int) -> int:
    """Poll the gradebook until it holds ``wanted`` submissions; returns how many it holds."""
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and process.poll() is None and done < wanted:
        time.sleep(0.05)
        if database.exists():
            try:
                with sqlite3.connect(database) as db:
                    done = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
    return done


@pytest.mark.slow
def test_kill_9_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    """SIGKILL in the middle of a batch, then a rerun: every student once, none lost."""
    count = 12
    process, database, release = start_blocked_batch(tmp_path, count)
    try:
        done = wait_for_rows(process, database, 5)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
    finally:
        release.touch()
    with sqlite3.connect(database) as db:
        kept = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        blocked = db.execute("SELECT COUNT(*) FROM submissions WHERE student = 'blocked'")
        blocked_kept = blocked.fetchone()[0]
    assert 5 <= done <= kept <= count
    assert 0 == blocked_kept

    rubrics = tmp_path / "course" / "rubrics"
    options = ["--rubrics", str(rubrics), "--sandbox", "local", "--no-export"]
    code = cli.main(["batch", str(tmp_path / "subs"), "--output", str(database.parent), *options])

    with sqlite3.connect(database) as db:
        students = [r[0] for r in db.execute("SELECT student FROM submissions")]
        cases = db.execute("SELECT student, COUNT(*) FROM cases GROUP BY student").fetchall()
        outcomes = {r[0] for r in db.execute("SELECT outcome FROM submissions")}
    assert 0 == code
    assert sorted(["blocked", *(f"s{i:03d}" for i in range(count))]) == sorted(students)
    assert {"graded"} == outcomes
    assert {CASES} == {n for _, n in cases}


@pytest.mark.slow
def test_roster_maps_entry_names_to_ids(tmp_path: Path) -> None:
    """A roster maps entry names (with or without extension) to student ids and LMS columns."""
    subs = tmp_path / "subs"
    make_folder(subs / "Tanaka Taro")
    subs.mkdir(exist_ok=True)
    make_zip(subs / "suzuki.zip")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,id,display_name,email\n"
        "Tanaka Taro,s1001,Taro Tanaka,taro@example.ac.jp\n"
        "suzuki.zip,s1002,Hanako Suzuki,hanako@example.ac.jp\n",
        encoding="utf-8",
    )
    out = tmp_path / "results"

    batch(str(subs), "--out", str(out), "--roster", str(roster))

    assert ["s1001", "s1002"] == sorted(rows(out))
    moodle = read_csv(out / "moodle.csv")
    assert ["ID number", "Email address", "Lecture exercises", "Feedback"] == moodle[0]
    assert ["s1001", "taro@example.ac.jp", f"{FULL:g}", f"{FULL:g}/{FULL:g}"] == moodle[1]
    canvas = read_csv(out / "canvas.csv")
    assert ["Taro Tanaka", "", "s1001", "s1001", "", f"{FULL:g}"] == canvas[2]


def test_roster_without_id_column_is_a_usage_error(tmp_path: Path, capsys) -> None:
    """A roster without an 'id' column is one clear error line and exit 2."""
    subs = tmp_path / "subs"
    make_folder(subs / "alice")
    roster = tmp_path / "roster.csv"
    roster.write_text("name,student\nalice,s1\n", encoding="utf-8")

    code = batch(str(subs), "--out", str(tmp_path / "r"), "--roster", str(roster))

    assert 2 == code
    assert "roster.csv: line 1: the roster needs a 'id' column" in capsys.readouterr().err


@pytest.mark.slow
def test_exports_match_the_gradebook(tmp_path: Path) -> None:
    """grades.csv, the LMS files, the reports and the summary agree with the gradebook."""
    subs = tmp_path / "subs"
    make_folder(subs / "alice")
    make_folder(subs / "bob", softmax=WRONG_SOFTMAX)
    make_folder(subs / "carol", cross_entropy="x = 1\n")
    out = tmp_path / "results"
    batch(str(subs), "--out", str(out), "--no-export")
    stored = rows(out)

    code = cli.main(["export", str(out), "--assignment", "Lecture 1"])

    assert 0 == code
    grades = read_csv(out / "grades.csv")
    header = grades[0]
    assert ["student", "entry"] == header[:2]
    assert ["total", "status", "on_roster"] == header[-3:]
    assert [r.id for r in RUBRIC_LIST] == header[2:-3]
    for line in grades[1:]:
        row = stored[line[0]]
        report = row["report"]
        assert isinstance(report, dict)
        per_exercise = {e["id"]: e["score"] for e in report["exercises"]}
        assert [f"{per_exercise[e]:g}" for e in header[2:-3]] == line[2:-3]
        assert [f"{row['score']:g}", "graded", ""] == line[-3:]
    canvas = read_csv(out / "canvas.csv")
    assert ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lecture 1"] == canvas[0]
    assert "Points Possible" == canvas[1][0].strip()
    assert f"{FULL:g}" == canvas[1][-1]
    assert {s: f"{r['score']:g}" for s, r in stored.items()} == {r[2]: r[5] for r in canvas[2:]}
    for student, row in stored.items():
        saved = json.loads((out / "reports" / student / "report.json").read_text())
        assert row["report"] == saved
        assert (out / "reports" / student / "report.txt").is_file()
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "3 submissions: 3 graded" in summary
    assert "| softmax |" in summary
    assert (out / "plots" / "score_histogram.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "plots" / "item_analysis.png").read_bytes()[:4] == b"\x89PNG"


def test_export_without_gradebook_is_a_usage_error(tmp_path: Path, capsys) -> None:
    """`grade export` on a folder without a gradebook says so and exits 2."""
    code = cli.main(["export", str(tmp_path)])

    assert 2 == code
    assert "no gradebook here" in capsys.readouterr().err


@pytest.mark.slow
def test_paths_in_messages_are_the_students_own(tmp_path: Path) -> None:
    """Messages name the student's file, not the grader's temporary folder."""
    subs = tmp_path / "subs"
    make_folder(subs / "alice", softmax="def softmax(z, axis=-1):\n    return 1 / 0\n")
    out = tmp_path / "results"

    batch(str(subs), "--out", str(out))

    report = rows(out)["alice"]["report"]
    assert isinstance(report, dict)
    text = json.dumps(report)
    assert "grade-batch-" not in text
    softmax = next(e for e in report["exercises"] if e["id"] == "softmax")
    assert "(softmax.py, line 2)" in softmax["cases"][0]["message"]


@pytest.mark.slow
def test_attacking_the_template_costs_only_that_student(tmp_path: Path) -> None:
    """Code that tries to kill the warm template never costs the other students anything."""
    subs = tmp_path / "subs"
    make_folder(subs / "good1")
    make_folder(subs / "killer", sgd_step=KILLER)
    make_folder(subs / "good2")
    out = tmp_path / "results"

    batch(str(subs), "--out", str(out), "--workers", "1")

    stored = rows(out)
    assert ("graded", FULL) == (stored["good1"]["outcome"], stored["good1"]["score"])
    assert ("graded", FULL) == (stored["good2"]["outcome"], stored["good2"]["score"])
    killer = stored["killer"]
    assert killer["outcome"] == "grader_error" or killer["score"] < FULL


def _prying(targets: list[Path], gradebook: Path) -> str:
    """A softmax that is right only if none of ``targets`` can be read and the gradebook
    can be neither read nor written (the exact files other students and the course hold)."""
    return (
        "import numpy as np\n"
        f"TARGETS = {[str(t) for t in targets]!r}\n"
        f"BOOK = {str(gradebook)!r}\n"
        "def _reads(path):\n"
        "    try:\n"
        "        with open(path, 'rb') as fh:\n"
        "            return bool(fh.read(1))\n"
        "    except OSError:\n"
        "        return False\n"
        "def _writes(path):\n"
        "    try:\n"
        "        with open(path, 'r+b') as fh:\n"
        "            fh.seek(0, 2)\n"
        "            fh.write(b'x')\n"
        "            return True\n"
        "    except OSError:\n"
        "        return False\n"
        "def softmax(z, axis=-1):\n"
        "    if any(_reads(t) for t in TARGETS) or _reads(BOOK) or _writes(BOOK):\n"
        "        return np.zeros_like(np.asarray(z, dtype=float))\n"
        "    e = np.exp(z - np.max(z, axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n"
    )


def _prying_batch(tmp_path: Path, mode: str) -> dict[str, dict[str, object]]:
    subs = tmp_path / mode / "subs"
    out = tmp_path / mode / "results"
    make_folder(subs / "alice")
    targets = [
        subs / "alice" / "softmax.py",
        SOLUTIONS / "softmax.py",
        RUBRICS / "softmax.yaml",
        subs / "mallory" / "softmax.py",  # its own original: the sandbox shows no folder at all
    ]
    make_folder(subs / "mallory", softmax=_prying(targets, out / FILENAME))
    make_folder(subs / "zed")
    assert 0 == batch(str(subs), "--out", str(out), "--sandbox", mode, "--no-export")
    return rows(out)


@pytest.mark.skipif(bool(unavailable()), reason=unavailable() or "secure mode available")
@pytest.mark.slow
def test_secure_batch_shows_no_submission_course_file_or_gradebook(tmp_path: Path) -> None:
    """In the default (secure) mode a child can read no other submission, no solution or
    rubric, not even its own files on disk, and can neither read nor write the gradebook;
    the same code run in local mode reads them (so the probe works)."""
    secure_rows = _prying_batch(tmp_path, "secure")
    local_rows = _prying_batch(tmp_path, "local")

    assert FULL == secure_rows["mallory"]["score"]
    assert FULL == secure_rows["alice"]["score"] == secure_rows["zed"]["score"]
    report = secure_rows["mallory"]["report"]
    assert isinstance(report, dict)
    assert "secure" == report["sandbox"]
    local_score = local_rows["mallory"]["score"]
    assert isinstance(local_score, float)
    assert local_score < FULL


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path: Path) -> None:
    """SIGINT mid-batch keeps what was graded, exits 130 (interrupted) and tells how to resume."""
    process, database, release = start_blocked_batch(tmp_path, 6)
    try:
        done = wait_for_rows(process, database, 3)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        release.touch()

    assert 3 <= done
    assert 130 == process.returncode
    assert "run the same command again to grade the rest" in err
    assert "Traceback" not in err
    with sqlite3.connect(database) as db:
        status = db.execute("SELECT status FROM runs ORDER BY id DESC").fetchone()[0]
        stored = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        blocked = db.execute("SELECT COUNT(*) FROM submissions WHERE student = 'blocked'")
        assert 0 == blocked.fetchone()[0]
    assert "interrupted" == status
    assert done <= stored < 7


def test_progress_line_counts_problems() -> None:
    """The progress line shows done/total and the running counts of problems."""
    from grader.batch.progress import Progress

    progress = Progress(4, enabled=False)
    for outcome in ("graded", "grader_error", "refused"):
        progress.update(outcome)

    line = progress.line()

    assert line.startswith("[" + "#" * 18 + "." * 6 + "] 3/4 ")
    assert line.endswith("· 1 grader errors, 1 refused")


@pytest.mark.slow
def test_demoter_slows_stuck_children_and_never_the_template(tmp_path: Path) -> None:
    """A child past its CPU allowance runs at idle priority; the template, whose forks would
    inherit that priority, never does (in secure mode it runs below two bwrap processes)."""
    from grader.batch.work import _Demoter, _start_template
    from grader.sandbox.runner import Limits

    stuck = tmp_path / "stuck.py"
    stuck.write_text("def f():\n    while True:\n        pass\n", encoding="utf-8")
    job = {
        "file": str(stuck),
        "module": "stuck",
        "function": "f",
        "names": ["f"],
        "cases": [{"i": 0, "args": [], "kwargs": {}}],
    }
    template = _start_template("auto")
    try:
        demoter = _Demoter(template)
        demoter.CPU_SECONDS = 0.0  # every child is past its allowance at once
        demoter.start()
        result = template.run(Job.from_wire(job), [], Limits(wall_seconds=1.0))
        host = template.host_pid()
        assert host is not None
        assert os.SCHED_OTHER == os.sched_getscheduler(host)
    finally:
        template.close()
    assert "timeout" == result.killed
    assert demoter.count >= 1


@pytest.mark.slow
def test_a_helper_module_of_the_student_is_importable_in_the_batch_sandbox(
    tmp_path: Path,
) -> None:
    """A submission's own module that no rubric names is imported as in `grade`."""
    subs = tmp_path / "subs"
    folder = make_folder(
        subs / "alice",
        softmax="from helpers import stable_softmax as softmax\n",
        helpers=(SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
        + "\nstable_softmax = softmax\n",
    )
    assert (folder / "helpers.py").is_file()
    out = tmp_path / "results"

    assert 0 == batch(str(subs), "--out", str(out), "--no-export")

    assert FULL == rows(out)["alice"]["score"]


def roster_file(tmp_path: Path) -> Path:
    """A roster naming lina, bob and carol (who submits nothing)."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,id,display_name\nlina,s012,Lina L\nbob.zip,s013,Bob B\ncarol,s014,Carol C\n",
        encoding="utf-8",
    )
    return roster


@pytest.mark.slow
def test_roster_run_then_plain_run_keeps_one_row_per_student(tmp_path: Path, capsys) -> None:
    """A rerun without --roster keeps the roster's ids: one row per student, nothing regraded;
    the roster student without a submission is in every CSV, the stranger in none of the LMS."""
    subs = tmp_path / "subs"
    make_folder(subs / "lina")
    make_zip(subs / "bob.zip", softmax=WRONG_SOFTMAX)
    make_folder(subs / "zed")
    out = tmp_path / "results"
    roster = roster_file(tmp_path)

    first = batch(str(subs), "--output", str(out), "--roster", str(roster))
    second = batch(str(subs), "--output", str(out))

    err = capsys.readouterr().err
    assert (0, 0) == (first, second)
    assert "0 to grade, 3 unchanged" in err
    assert ["s012", "s013", "zed"] == sorted(rows(out))
    grades = read_csv(out / "grades.csv")
    assert ["s012", "s013", "s014", "zed"] == [line[0] for line in grades[1:]]
    assert ["missing", "yes"] == grades[3][-2:]
    assert ["graded", "no"] == grades[4][-2:]
    canvas = read_csv(out / "canvas.csv")
    assert ["s012", "s013", "s014"] == [line[2] for line in canvas[2:]]
    assert "" == canvas[4][-1]
    moodle = read_csv(out / "moodle.csv")
    assert ["s012", "s013", "s014"] == [line[0] for line in moodle[1:]]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "3 submissions: 3 graded" in summary


@pytest.mark.slow
def test_plain_run_then_roster_run_moves_grades_to_the_roster_ids(tmp_path: Path, capsys) -> None:
    """Entries graded under their names first move to their roster ids, grades kept."""
    subs = tmp_path / "subs"
    make_folder(subs / "lina")
    make_zip(subs / "bob.zip")
    out = tmp_path / "results"
    batch(str(subs), "--output", str(out))
    assert (out / "reports" / "lina").is_dir()

    code = batch(str(subs), "--output", str(out), "--roster", str(roster_file(tmp_path)))

    err = capsys.readouterr().err
    assert 0 == code
    assert "0 to grade, 2 unchanged" in err
    assert ["s012", "s013"] == sorted(rows(out))
    assert not (out / "reports" / "lina").exists()
    assert (out / "reports" / "s012" / "report.json").is_file()
    with Gradebook(out / FILENAME) as book:
        assert ["s012", "s013"] == sorted({h.student for h in book.history()})


@pytest.mark.slow
def test_regrade_prints_who_changed_and_keeps_the_history(tmp_path: Path, capsys) -> None:
    """`--regrade` names each student whose score changed and by how much; history.csv holds
    every grading; --lang and --assignment are kept for later runs and exports."""
    subs = tmp_path / "subs"
    make_folder(subs / "alice")
    make_folder(subs / "bob", softmax=WRONG_SOFTMAX)
    out = tmp_path / "results"
    batch(str(subs), "--output", str(out), "--lang", "ja", "--assignment", "Lecture 1")
    wrong = rows(out)["bob"]["score"]
    assert isinstance(wrong, float)
    (subs / "bob" / "softmax.py").write_text(
        (SOLUTIONS / "softmax.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    capsys.readouterr()

    code = batch(str(subs), "--output", str(out), "--regrade")

    err = capsys.readouterr().err
    assert 0 == code
    # the batch's language (--lang ja, kept from the first run) is the console's too
    assert f"得点の変わった学生（1 名）：\n  bob: {wrong:g} -> {FULL:g} (+{FULL - wrong:g})" in err
    assert "alice" not in err
    history = read_csv(out / "history.csv")
    bob = [line for line in history[1:] if line[0] == "bob"]
    assert [["", ""], [f"{wrong:g}", f"+{FULL - wrong:g}"]] == [line[-2:] for line in bob]
    assert ["1", "2"] == [line[2] for line in bob]
    assert "Lecture 1" == read_csv(out / "canvas.csv")[0][-1]
    assert "合計" in (out / "reports" / "bob" / "report.txt").read_text(encoding="utf-8")


HOSTILE_TEXT = (
    "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
    "    raise ValueError('\\ud800 \\x1b[2J\\x1b]52;c;ZXZpbA==\\x07\\ntotal 63/63')\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["local", "secure"])
def test_what_students_name_and_write_reaches_no_terminal_spreadsheet_or_folder_raw(
    tmp_path: Path, capsys, mode: str
) -> None:
    """Control sequences, lone surrogates, formulas and look-alike names cost nobody: every
    submission is graded (none a grader error), the exports escape control characters and
    formulas, stderr carries no escape sequence, and every student has a report folder."""
    if mode == "secure" and unavailable():
        pytest.skip(unavailable())
    subs = tmp_path / "subs"
    names = ["alice", "alice.", "=HYPERLINK(x)", "esc\x1b[2Jname", "+SUM(1,2)", "-2+3", "@x"]
    for name in names:
        make_folder(subs / name, cross_entropy=HOSTILE_TEXT)
    with zipfile.ZipFile(subs / "zippy.zip", "w") as archive:
        archive.writestr("softmax.py", "x = 1\n")
        archive.writestr("softmax.py/inner.py", "x = 2\n")
    out = tmp_path / "results"

    code = batch(str(subs), "--output", str(out), "--sandbox", mode)

    err = capsys.readouterr().err
    assert 0 == code, err
    stored = rows(out)
    assert {"graded"} == {r["outcome"] for s, r in stored.items() if s != "zippy"}
    assert "refused" == stored["zippy"]["outcome"]
    assert "as a file and a folder" in str(stored["zippy"]["message"])
    assert "\x1b" not in err
    for name in ("grades.csv", "canvas.csv", "moodle.csv"):
        text = (out / name).read_text(encoding="utf-8")
        assert "\x1b" not in text, name
        cells = [cell for line in read_csv(out / name) for cell in line]
        assert not [c for c in cells if c.startswith(("=", "+", "@", "-"))], name
    assert "'=HYPERLINK(x)" in (out / "grades.csv").read_text(encoding="utf-8")
    folders = sorted(p.name for p in (out / "reports").iterdir())
    assert len(names) + 1 == len(folders)
    for folder in (out / "reports").iterdir():
        text = (folder / "report.txt").read_text(encoding="utf-8")
        assert "\x1b" not in text and "\x07" not in text, folder.name
    alice = (out / "reports" / "alice" / "report.txt").read_text(encoding="utf-8")
    assert "\\x1b[2J" in alice


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["local", "secure"])
def test_the_class_summary_shows_what_a_student_raised_as_text(tmp_path: Path, mode: str) -> None:
    """tests/attacks/bidi_report.py raises and prints a bidi override, NUL, ESC, HTML and a
    Markdown image: summary.md, where the most common failures quote it, shows it escaped."""
    if mode == "secure" and unavailable():
        pytest.skip(unavailable())
    attack = (ROOT / "tests" / "attacks" / "bidi_report.py").read_text(encoding="utf-8")
    subs = tmp_path / "subs"
    for name in ("bob", "carol"):
        make_folder(subs / name, cosine_similarity=attack)
    out = tmp_path / "results"

    assert 0 == batch(str(subs), "--output", str(out), "--sandbox", mode)

    text = (out / "summary.md").read_text(encoding="utf-8")
    assert "- 2 of 2 students: cosine_similarity raised fine\\\\u202eexcellent" in text
    assert [] == [c for c in ("\u202e", "\x00", "\x1b", "\u200b", "\u2029") if c in text]
    assert [] == re.findall(r"(?<!\\)(?:<|!\[|\]\()", text)  # HTML, images, links unescaped
