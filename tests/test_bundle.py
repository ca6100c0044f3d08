"""`grade gradescope-bundle` and the bundle's run_autograder, run against a fake /autograder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from grader import cli

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "grader" / "schema" / "gradescope.schema.json").read_text())

BROKEN_SOFTMAX = "import numpy as np\n\n\ndef softmax(z, axis=-1):\n    return np.exp(z)\n"


@pytest.fixture
def bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The autograder zip built from this checkout's rubrics and solutions."""
    out = tmp_path / "autograder.zip"
    code = cli.main(["gradescope-bundle", "--out", str(out), "--rubrics", str(ROOT / "rubrics")])
    capsys.readouterr()
    assert 0 == code
    return out


def _autograder(tmp_path: Path, bundle: Path) -> Path:
    """A fake /autograder: the zip in source/, run_autograder copied beside it (as Gradescope)."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    return root


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "AUTOGRADER_PYTHON": sys.executable,
        # the grader from the bundle, not the one installed in this environment
        "PYTHONPATH": str(root / "source"),
    }
    return subprocess.run(
        [str(root / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bundle_contents(bundle: Path) -> None:
    """The zip has setup.sh and an executable run_autograder at its root, grader, rubrics, refs."""
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        mode = archive.getinfo("run_autograder").external_attr >> 16
    assert {"setup.sh", "run_autograder", "pyproject.toml", "grader/cli.py"} <= names
    assert "rubrics/softmax.yaml" in names
    assert "solutions/softmax.py" in names
    assert not any("__pycache__" in name for name in names)
    assert 0o755 == mode & 0o777


@pytest.mark.slow
def test_bundle_is_reproducible(bundle: Path, tmp_path: Path, capsys) -> None:
    """Building twice gives the same bytes."""
    again = tmp_path / "again.zip"
    cli.main(["gradescope-bundle", "--out", str(again), "--rubrics", str(ROOT / "rubrics")])
    capsys.readouterr()
    assert bundle.read_bytes() == again.read_bytes()


@pytest.mark.slow
def test_run_autograder_grades_the_submission(tmp_path: Path, bundle: Path) -> None:
    """run_autograder grades a submission uploaded in a folder into a valid results.json."""
    root = _autograder(tmp_path, bundle)
    upload = root / "submission" / "lecture01"
    shutil.copytree(ROOT / "solutions", upload)
    (upload / "softmax.py").write_text(BROKEN_SOFTMAX, encoding="utf-8")
    done = _run(root)
    assert 0 == done.returncode, done.stderr
    results: dict[str, Any] = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    tests = {t["name"]: t for t in results["tests"]}
    assert "failed" == tests["softmax · lecture example [2.0, 1.0, 0.1]"]["status"]
    assert "passed" == tests["sgd_step · linear regression, batch of 4"]["status"]
    hidden = [t for t in results["tests"] if t["visibility"] != "visible"]
    assert hidden, "hidden cases run in the autograder"
    assert {"after_published"} == {t["visibility"] for t in hidden}
    full = sum(t["max_score"] for t in results["tests"])
    assert 0 < sum(t["score"] for t in results["tests"]) < full
    assert "score" not in results  # hidden points are not shown before publication


@pytest.mark.slow
def test_run_autograder_always_leaves_results(tmp_path: Path, bundle: Path) -> None:
    """When grading cannot start (no submission folder), results.json still explains why."""
    root = _autograder(tmp_path, bundle)
    (root / "submission").rmdir()
    done = _run(root)
    assert 0 == done.returncode
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert 0 == results["score"]
    assert "could not grade this submission" in results["output"]


def test_bundle_may_require_secure_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--sandbox secure` reaches run_autograder; the default leaves the grader's own choice."""
    scripts = {}
    for mode in ("auto", "secure"):
        out = tmp_path / f"{mode}.zip"
        assert 0 == cli.main(["gradescope-bundle", "--output", str(out), "--sandbox", mode])
        with zipfile.ZipFile(out) as archive:
            scripts[mode] = archive.read("run_autograder").decode()
    capsys.readouterr()
    assert "--sandbox" not in scripts["auto"]
    assert 'grader.bundle run "$root" --sandbox secure\n' in scripts["secure"]


@pytest.mark.slow
def test_run_autograder_in_secure_mode_grades_nothing_unconfined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where secure mode cannot start, a bundle that requires it grades nothing, and each
    result says why (the grader's own error), while the default falls back to local mode."""
    from grader import bundle as autograder
    from grader.sandbox import secure

    monkeypatch.setattr(secure, "unavailable", lambda: "")
    monkeypatch.setattr(secure, "command", lambda *args: ["/nonexistent/bwrap", "--"])
    root = tmp_path / "autograder"
    for name in ("rubrics", "solutions"):
        shutil.copytree(ROOT / name, root / "source" / name)
    shutil.copytree(ROOT / "solutions", root / "submission")
    results = root / "results" / "results.json"

    assert 0 == autograder.run_autograder(root, sandbox="secure")
    strict = json.loads(results.read_text(encoding="utf-8"))
    assert 0 == autograder.run_autograder(root)
    auto = json.loads(results.read_text(encoding="utf-8"))
    capsys.readouterr()

    jsonschema.validate(strict, SCHEMA)
    assert ([], 0) == (strict["tests"], strict["score"])
    assert "could not grade this submission" in strict["output"]
    assert "/nonexistent/bwrap" in strict["output"]
    assert "local" == auto["extra_data"]["sandbox"]
    assert auto["tests"]


@pytest.mark.slow
def test_setup_installs_the_bundled_lock_offline(tmp_path: Path) -> None:
    """setup.sh installs the grader from the bundled uv.lock (offline, from uv's cache) into a
    temporary root, and run_autograder then grades with that environment alone."""
    if shutil.which("uv") is None or shutil.which("bash") is None:
        pytest.skip("needs uv and bash on PATH")
    out = tmp_path / "autograder.zip"
    assert 0 == cli.main(["gradescope-bundle", "--output", str(out), "--lang", "ja"])
    root = _autograder(tmp_path, out)
    shutil.copytree(ROOT / "solutions", root / "submission", dirs_exist_ok=True)
    interpreter = shutil.which("python3") or sys.executable
    env = {
        key: value
        for key, value in os.environ.items()
        # the tests' own XDG_CACHE_HOME (conftest) would hide uv's cache of wheels
        if not key.startswith(("VIRTUAL_ENV", "UV_PROJECT", "PYTHON", "XDG_CACHE_HOME"))
    }
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON_VERSION=interpreter, UV_OFFLINE="1")

    setup = subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(root / "source" / "setup.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert 0 == setup.returncode, setup.stderr
    python = root / "venv" / "bin" / "python"
    lock = (root / "source" / "uv.lock").read_text(encoding="utf-8")
    numpy = subprocess.run(
        [str(python), "-c", "import numpy, grader; print(numpy.__version__, grader.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    ).stdout.split()
    assert f'name = "numpy"\nversion = "{numpy[0]}"' in lock
    assert str(root / "venv") in numpy[1]  # the installed copy, not this checkout
    graded = subprocess.run(
        [str(root / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert 0 == graded.returncode, graded.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, SCHEMA)
    assert "合計" in results["output"]  # --lang ja reached the students' results
    assert [] == [t["name"] for t in results["tests"] if t["status"] != "passed"]
