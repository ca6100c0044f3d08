"""`grade --watch`: grade again on every save with one warm template; Ctrl-C exits 0."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from grader import cli
from grader.sandbox import runner
from tests.conftest import ROOT, RUBRICS, SOLUTIONS

RIGHT = (SOLUTIONS / "softmax.py").read_text(encoding="utf-8")
WRONG = "import numpy as np\n\ndef softmax(z, axis=-1):\n    return np.exp(z)\n"


def _saves(count: int, folder: Path, files: list[str]) -> Iterator[set[tuple[int, str]]]:
    """A stand-in for watchfiles.watch: ``count`` saves (each rewriting the next file of
    ``files`` into ``folder``), then Ctrl-C."""
    for number in range(count):
        (folder / "softmax.py").write_text(files[number % len(files)], encoding="utf-8")
        yield {(2, str(folder / "softmax.py"))}
    raise KeyboardInterrupt


@pytest.fixture
def fake_watchfiles(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, int]]:
    """watchfiles replaced by `_saves`; records what was watched."""
    watched: list[tuple[Path, int]] = []
    saves: dict[str, object] = {"count": 3, "files": [WRONG, RIGHT]}

    def watch(folder: Path, **options: object) -> Iterator[set[tuple[int, str]]]:
        watched.append((Path(folder), int(options["step"])))
        return _saves(saves["count"], Path(folder), saves["files"])

    real = pytest.importorskip("watchfiles")
    fake = types.SimpleNamespace(watch=watch, DefaultFilter=real.DefaultFilter, Change=real.Change)
    monkeypatch.setitem(sys.modules, "watchfiles", fake)
    return watched


def test_every_save_is_graded_by_the_same_warm_template(
    tmp_path, fake_watchfiles, monkeypatch, capsys
):
    """Three saves give four reports from one template, which is closed at Ctrl-C (exit 0)."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "softmax.py").write_text(RIGHT, encoding="utf-8")
    started: list[runner.Template] = []
    original = runner.Template.__init__

    def counting(self: runner.Template, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(runner.Template, "__init__", counting)
    code = cli.main(["--watch", str(folder / "softmax.py"), "--rubrics", str(RUBRICS)])
    out = capsys.readouterr().out
    assert 0 == code
    assert 1 == len(started)
    assert started[0]._proc.poll() is not None  # closed when watching stopped
    heads = [line.split(" (")[0] for line in out.splitlines() if " softmax · " in line]
    assert ["PASS softmax · Softmax", "FAIL softmax · Softmax"] * 2 == heads
    assert 4 == out.count("watching ")
    assert out.rstrip().endswith("stopped watching")
    assert [(folder, 30)] == fake_watchfiles


def test_the_screen_is_cleared_before_each_run_on_a_terminal(
    tmp_path, fake_watchfiles, monkeypatch, capsys
):
    """On a terminal each run starts on a clear screen; in a pipe nothing is cleared."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "softmax.py").write_text(RIGHT, encoding="utf-8")
    argv = ["--watch", str(folder), "--rubrics", str(RUBRICS), "--sandbox", "local"]
    cli.main(argv)
    assert "\x1b[2J" not in capsys.readouterr().out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    cli.main(argv)
    assert 4 == capsys.readouterr().out.count("\x1b[H\x1b[2J\x1b[3J")


def test_an_error_in_one_run_does_not_stop_watching(tmp_path, fake_watchfiles, capsys):
    """A notebook saved half-written is an error for that run; the next save grades again."""
    folder = tmp_path / "work"
    folder.mkdir()
    notebook = folder / "work.ipynb"
    notebook.write_text('{"nbformat": 4, "cells": [', encoding="utf-8")
    code = cli.main(["--watch", str(notebook), "--rubrics", str(RUBRICS), "--sandbox", "local"])
    captured = capsys.readouterr()
    assert 0 == code
    assert 4 == captured.err.count("error: ")
    assert "not a valid notebook" in captured.err
    assert 4 == captured.out.count("watching ")


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--watch", "--list"], "cannot be used with --list"),
        (["--watch", "no/such/folder"], "no/such/folder: no such file or folder"),
    ],
)
def test_watch_usage_errors_exit_2(argv, problem, capsys):
    """What cannot be watched is a usage error before anything runs."""
    assert 2 == cli.main([*argv, "--rubrics", str(RUBRICS)])
    assert problem in capsys.readouterr().err


def test_without_watchfiles_the_error_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    """watchfiles is optional: without it --watch exits 2 and names the extra to install."""
    monkeypatch.setitem(sys.modules, "watchfiles", None)
    assert 2 == cli.main(["--watch", str(tmp_path), "--rubrics", str(RUBRICS)])
    assert "uv sync --extra watch" in capsys.readouterr().err


def _lines(stream: IO[str]) -> queue.Queue[str]:
    """The lines of ``stream`` as they come (read on a thread of their own; "" at the end)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        with contextlib.suppress(ValueError):  # the stream was closed after the process ended
            for line in stream:
                lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    return lines


def _until(lines: queue.Queue[str], marker: str, timeout: float = 60.0) -> str:
    """Lines up to one that starts with ``marker``."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = ""
        if not line:
            raise AssertionError(f"no {marker!r} line; got:\n{''.join(seen)}")
        seen.append(line)
        if line.startswith(marker):
            return "".join(seen)


def test_a_real_save_regrades_and_ctrl_c_exits_cleanly(tmp_path):
    """`grade --watch` in its own process: a save in the editor's way (write a new file, then
    rename it over the old) is graded; SIGINT ends it with exit 0 and no traceback."""
    pytest.importorskip("watchfiles")
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "softmax.py").write_text(RIGHT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    with subprocess.Popen(
        [sys.executable, "-m", "grader", "--watch", str(folder), "--rubrics", str(RUBRICS)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "LANG": "C.UTF-8"},
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        lines = _lines(process.stdout)
        try:
            first = _until(lines, "watching ")
            assert "PASS softmax" in first
            time.sleep(0.2)
            (folder / ".softmax.py.tmp").write_text(WRONG, encoding="utf-8")
            (folder / ".softmax.py.tmp").replace(folder / "softmax.py")
            second = _until(lines, "watching ")
            assert "FAIL softmax" in second
        finally:
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=60)
        assert "stopped watching" in _until(lines, "stopped watching")
        assert "Traceback" not in process.stderr.read()
    assert 0 == code
