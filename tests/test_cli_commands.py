"""The command line as a whole: commands, help, option spellings, exit codes (no grading)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from grader import cli, grade_command
from grader.cli import COMMANDS, ExitCode
from tests.conftest import RUBRICS, SOLUTIONS

ROOT = Path(__file__).resolve().parents[1]


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        cli.main(list(argv))
    assert 0 == stop.value.code
    return capsys.readouterr().out


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`grade --help` names each command with its summary, and `grade help` prints the same."""
    text = _help(capsys, "--help")
    for name, command in COMMANDS.items():
        assert re.search(rf"^\s+{re.escape(name)}\s+{re.escape(command.summary[:20])}", text, re.M)
    assert 0 == cli.main(["help"])
    assert text == capsys.readouterr().out


def test_help_of_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`grade help batch` is `grade batch --help`; an unknown command is a usage error."""
    text = _help(capsys, "batch", "--help")
    with pytest.raises(SystemExit):
        cli.main(["help", "batch"])
    assert text == capsys.readouterr().out
    assert text.startswith("usage: grade batch ")
    assert 2 == cli.main(["help", "nope"])
    assert "help: no command 'nope'" in capsys.readouterr().err


def _parsers() -> dict[str, argparse.ArgumentParser]:
    parser, parsers = cli._full_parser()
    return {"grade": parser, **parsers}


def _help_text(capsys: pytest.CaptureFixture[str], command: str) -> str:
    return _help(capsys, *([] if command == "grade" else [command]), "--help")


@pytest.mark.parametrize("command", ["grade", *COMMANDS])
def test_every_option_has_help_and_output_is_spelt_once(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each shown option of each command has help text, and no command shows `--out`; the
    commands that write one file or folder take `--output`, with `--out` accepted unshown."""
    text = _help_text(capsys, command)
    assert "--out " not in text
    assert "--out," not in text
    parser = _parsers()[command]
    if not parser._actions:  # a command with only main(argv): its own parser prints help
        assert text.startswith(f"usage: grade {command}")
        return
    shown = [a for a in parser._actions if a.help != argparse.SUPPRESS]
    assert [] == [a.option_strings or a.dest for a in shown if not a.help]
    if command in ("grade", "batch", "gradescope-bundle"):
        options = {o for a in parser._actions for o in a.option_strings}
        assert {"--output", "--out"} <= options
        out = next(a for a in parser._actions if "--out" in a.option_strings)
        assert argparse.SUPPRESS == out.help


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("grade", {"--lang", "--kernel"}),
        ("batch", {"--lang", "--assignment"}),
        ("export", {"--lang", "--assignment"}),
        ("gradescope-bundle", {"--lang"}),
    ],
)
def test_lang_assignment_and_kernel_where_they_apply(command: str, options: set[str]) -> None:
    """The language, assignment and kernel options exist on the commands they concern."""
    parser = _parsers()[command]
    assert options <= {o for a in parser._actions for o in a.option_strings}


def test_out_is_an_alias_of_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The old spelling still writes where it says."""
    target = tmp_path / "b.zip"
    assert 0 == cli.main(["gradescope-bundle", "--out", str(target), "--rubrics", str(RUBRICS)])
    assert target.is_file()


def test_kernel_on_a_python_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--kernel applies to notebooks only; on a .py file it is an error, not ignored."""
    code = cli.main([str(SOLUTIONS / "softmax.py"), "--kernel", "--rubrics", str(RUBRICS)])
    err = capsys.readouterr().err
    assert 2 == code
    assert "--kernel runs notebooks (.ipynb)" in err
    assert "softmax.py is not a notebook" in err


def test_batch_options_that_cannot_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`batch` without --output, or with --kernel (a kernel would run every student's code
    unconfined), is one clear error line, exit 2, and nothing graded."""
    assert 2 == cli.main(["batch", str(tmp_path)])
    assert "--output RESULTS is required" in capsys.readouterr().err
    code = cli.main(["batch", str(tmp_path), "--output", str(tmp_path / "r"), "--kernel"])
    err = capsys.readouterr().err
    assert 2 == code
    assert "--kernel: a batch grades notebooks as plain Python in the sandbox" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_list_columns_fit_long_ids_and_show_hidden_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each column starts at the same place on every line, and hidden points are named."""
    from grader.rubric import load_rubrics

    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    for source in RUBRICS.glob("*.yaml"):
        (rubrics / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    softmax = rubrics / "softmax.yaml"
    long_id = "softmax_with_a_very_long_identifier_indeed"
    softmax.write_text(
        softmax.read_text(encoding="utf-8").replace("id: softmax", f"id: {long_id}", 1),
        encoding="utf-8",
    )

    assert 0 == cli.main(["--list", "--rubrics", str(rubrics), "--no-cache"])

    lines = capsys.readouterr().out.splitlines()
    loaded = load_rubrics(rubrics, use_cache=False)
    rows = lines[: len(loaded)]
    for rubric, line in zip(loaded, rows, strict=True):
        hidden = sum(c.points for c in rubric.cases if c.hidden)
        visible = rubric.max_score - hidden
        expected = f"{visible:g} pts" + (f" + {hidden:g} hidden" if hidden else "")
        assert expected in line
    assert 1 == len({line.index(r.file) for r, line in zip(loaded, rows, strict=True)})
    assert 1 == len({line.index(" pts") - len(line.split(" pts")[0].split()[-1]) for line in rows})
    assert "hidden cases run only with --include-hidden" in lines[-1]


def test_every_exit_code_is_in_the_readme_table() -> None:
    """The README's one exit-code table has a row for every code the commands return."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("**Exit codes** (every command):")[1].split("\n\n")[1]
    codes = re.findall(r"^\| `(\d+)` \|", table, re.M)
    assert [str(int(code)) for code in ExitCode] == codes
    assert 5 == len({int(code) for code in ExitCode} - {0})


def test_interrupt_has_its_own_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C while grading exits 130, not the internal-error code, without a traceback."""

    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(grade_command, "run", interrupted)
    code = cli.main([str(SOLUTIONS), "--rubrics", str(RUBRICS)])
    err = capsys.readouterr().err
    assert 130 == code == ExitCode.INTERRUPTED
    assert "error: interrupted" == err.strip()


def test_a_command_with_only_main_is_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command module that provides only `main(argv)` receives the arguments after its name."""
    import sys
    import types

    seen: list[list[str]] = []
    module = types.ModuleType("grader_fake_release")
    module.main = lambda argv: seen.append(list(argv)) or 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "grader_fake_release", module)
    monkeypatch.setitem(COMMANDS, "release", cli.Command("grader_fake_release", "publish"))

    assert 7 == cli.main(["release", "--tag", "v1"])
    assert [["--tag", "v1"]] == seen
