"""The adversarial suite: hostile submissions graded through the real CLI, in both modes.

Each file in ``tests/attacks/`` replaces ``cosine_similarity.py`` (or the file of the exercise
its entry names) in a copy of the reference solutions; most attack only the case "vectors of
very different magnitude" (the one call with two-element vectors). Every test asserts the
exact outcome: the attacked cases score zero with the named reason, every other case of every
exercise passes, the grader exits normally (code 1), the report names the mode that ran,
hidden cases echo nothing, and nothing outside the sandbox changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import seccomp

ROOT = Path(__file__).resolve().parents[1]
ATTACKS = Path(__file__).with_name("attacks")
V = "vectors of very different magnitude"
H = "hidden long vectors"
ALL = "*"


@dataclass(frozen=True)
class Attack:
    """One hostile file and what must come of it."""

    name: str
    #: case name (or ALL) -> reason
    expect: dict[str, str]
    #: "both", or "secure" where local mode promises nothing (docs/security.md)
    modes: str = "both"
    #: local mode relies on the seccomp filter to survive this attack
    needs_seccomp: bool = False
    #: which files must not appear outside the sandbox
    canary: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    #: the exercise whose file the attack replaces
    exercise: str = "cosine_similarity"


TABLE = [
    Attack("exit_in_function", {V: "exited"}),
    Attack("os_exit_in_function", {V: "exited"}),
    Attack("exit_at_import", {ALL: "exited"}),
    Attack("os_exit_at_import", {ALL: "exited"}),
    Attack("infinite_loop", {V: "timeout"}),
    Attack("sleep", {V: "timeout"}),
    Attack("ignore_sigterm", {V: "timeout"}),
    Attack("slow_import", {ALL: "import_timeout"}),
    Attack("memory_bomb_numpy", {V: "memory_limit"}),
    Attack("memory_bomb_grow", {V: "memory_limit"}),
    Attack("fork_bomb", {V: "exception"}, needs_seccomp=True),
    Attack("daemon", {V: "exception"}, needs_seccomp=True, canary=True),
    Attack("subprocess_shell", {V: "exception"}, needs_seccomp=True, canary=True),
    Attack("kill_grader", {V: "exception"}, needs_seccomp=True),
    Attack("stdout_flood", {V: "output_limit"}),
    Attack("stderr_flood", {V: "output_limit"}),
    Attack("forge_status", {V: "protocol"}),
    Attack("forge_garbage", {V: "protocol"}),
    Attack("forge_verdict", {V: "protocol"}),
    Attack("forge_own_answer", {V: "protocol"}),
    Attack("status_spam", {V: "protocol"}),
    Attack("extend_deadline", {V: "protocol"}),
    Attack("forge_import", {V: "protocol"}),
    Attack("leak_hidden_inputs", {V: "exception"}),
    Attack("leak_hidden_tmp", {V: "exception"}, modes="secure"),
    Attack("leak_hidden_proc", {V: "exception"}, modes="secure"),
    Attack("memfd", {V: "exception"}, needs_seccomp=True),
    Attack("fake_report", {V: "wrong"}),
    Attack("always_equal", {V: "bad_output_type"}),
    Attack("ndarray_subclass", {V: "wrong"}),
    Attack("array_function_duck", {V: "bad_output_type"}),
    Attack("pickle_reduce", {V: "bad_output_type"}, canary=True),
    Attack("monkeypatch_numpy", {V: "wrong"}),
    Attack("monkeypatch_builtins", {V: "protocol"}),
    Attack("steal_reference_gc", {V: "wrong"}),
    Attack("read_solutions", {V: "wrong"}, modes="secure"),
    Attack("read_rubrics", {V: "wrong"}, modes="secure", canary=True),
    Attack("network", {V: "wrong"}, needs_seccomp=True),
    Attack("tamper_grader", {V: "wrong"}, modes="secure"),
    Attack("mutate_inputs", {V: "inputs_modified"}),
    Attack("nan_output", {V: "non_finite"}),
    Attack("object_output", {V: "bad_output_type"}),
    Attack("complex_output", {V: "bad_output_type"}),
    Attack("huge_output", {V: "bad_output_type"}),
    Attack("many_parts", {V: "bad_output_type"}),
    Attack("string_output", {V: "bad_output_type"}),
    Attack("bidi_report", {V: "exception"}),
    Attack("latex_macro_bomb", {ALL: "latex_input"}, exercise="latex_formulas"),
    Attack("long_number_list", {ALL: "wrong_structure"}, exercise="symbols_in"),
    Attack("segfault", {V: "crashed"}),
    Attack("abort", {V: "crashed"}),
    Attack("fill_disk", {V: "exception"}, modes="secure"),
    Attack("symlink", {V: "wrong"}, modes="secure"),
    Attack("proc_mem", {V: "exception"}, modes="secure"),
    Attack("raise_leaks_hidden", {H: "exception"}),
    Attack("hardcode_visible", {"random vectors": "wrong", H: "wrong"}),
    Attack("import_error", {ALL: "import_error"}),
    Attack("missing_function", {ALL: "missing_function"}),
]


@pytest.fixture(scope="session")
def fast_rubrics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies of the rubrics with a 2 s time limit and 256 MiB of memory, beside solutions/."""
    base = tmp_path_factory.mktemp("course")
    (base / "rubrics").mkdir()
    for source in (ROOT / "rubrics").glob("*.yaml"):
        text = re.sub(
            r"^time_limit: .*$",
            "time_limit: 2\nmemory_limit_mb: 256",
            source.read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
        (base / "rubrics" / source.name).write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "solutions", base / "solutions")
    return base / "rubrics"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on the host's loopback that records whatever reaches it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                received.append(conn.recv(1024) or b"<connected>")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def _fingerprint(paths: list[Path]) -> dict[str, str]:
    out = {}
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" not in path.parts:
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _params() -> list[object]:
    params = []
    for attack in TABLE:
        for mode in ("local", "secure"):
            if attack.modes == "secure" and mode == "local":
                continue
            params.append(pytest.param(attack, mode, id=f"{attack.name}-{mode}"))
    return params


def test_every_attack_file_is_in_the_table() -> None:
    """Each file in tests/attacks/ is graded by this suite, and there are at least 30."""
    files = sorted(p.stem for p in ATTACKS.glob("*.py"))
    assert files == sorted(a.name for a in TABLE)
    assert len(files) >= 30


@pytest.mark.parametrize(("attack", "mode"), _params())
@pytest.mark.slow
def test_attack(
    attack: Attack,
    mode: str,
    run_grade: Callable[..., object],
    submission: Callable[..., Path],
    fast_rubrics: Path,
    secure_mode: str,
    listener: tuple[int, list[bytes]],
    tmp_path: Path,
) -> None:
    """The attacked cases score zero with the named reason; everything else is untouched."""
    if mode == "secure" and secure_mode:
        pytest.skip(f"secure mode cannot run here: {secure_mode}")
    if mode == "local" and attack.needs_seccomp and not seccomp.available():
        pytest.skip("local mode survives this attack only with a seccomp filter")
    port, received = listener
    outside = tmp_path / "outside"
    outside.mkdir()
    canary = outside / "canary"
    solutions = fast_rubrics.parent / "solutions"
    source = (ATTACKS / f"{attack.name}.py").read_text(encoding="utf-8")
    for key, value in {
        "__CANARY__": str(canary),
        "__SOLUTIONS__": str(solutions),
        "__RUBRICS__": str(fast_rubrics),
        "__ROOT__": str(ROOT),
        "__PORT__": str(port),
    }.items():
        source = source.replace(key, value)
    folder = submission(**{attack.exercise: source})
    watched = [ROOT / "grader", fast_rubrics, solutions, Path(np.__file__)]
    watched += [folder / f for f in ("softmax.py", "cosine_similarity.py")]
    before = _fingerprint(watched)

    result = run_grade(
        str(folder), "--rubrics", str(fast_rubrics), "--sandbox", mode, "--include-hidden"
    )

    assert result.code == 1, result.stderr  # type: ignore[attr-defined]
    report = result.report  # type: ignore[attr-defined]
    assert mode == report["sandbox"]
    for exercise in report["exercises"]:
        for case in exercise["cases"]:
            expected = None
            if exercise["id"] == attack.exercise:
                expected = attack.expect.get(case["name"], attack.expect.get(ALL))
            where = f"{exercise['id']}: {case['name']}: {case['message']}"
            if expected is None:
                assert case["passed"], where
                continue
            assert (expected, 0.0) == (case["reason"], case["score"]), where
            if case["hidden"]:
                assert case["details"] == {}, where
                assert case["message"].startswith("hidden case failed"), where
    text = json.dumps(report)
    assert "SECRET-INPUT" not in text
    assert "HIDDEN-IN-MEMORY" not in text
    assert before == _fingerprint(watched)
    assert not canary.exists()
    assert not received
    assert not list(outside.iterdir())


def test_the_suite_covers_every_outcome_of_the_issue() -> None:
    """Each outcome a submission can cause is the expected result of some attack."""
    reasons = {reason for attack in TABLE for reason in attack.expect.values()}
    issue = {
        "wrong",
        "timeout",
        "import_timeout",
        "memory_limit",
        "exited",
        "crashed",
        "output_limit",
        "bad_output_type",
        "exception",
        "missing_function",
        "import_error",
        "protocol",
    }
    assert issue == issue & reasons
