"""The command line under a Japanese locale: argparse's own words and `grade`'s help."""

from __future__ import annotations

import argparse
import re

import pytest

from grader import cli, cli_text, messages


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        cli.main([*argv, "--help"])
    assert 0 == done.value.code
    return capsys.readouterr().out


def _texts(parser: argparse.ArgumentParser) -> list[str]:
    """Every text a parser and its commands' parsers print in their help."""
    texts = [parser.usage or "", parser.description or "", parser.epilog or ""]
    texts += [a.help for a in parser._actions if a.help and a.help != argparse.SUPPRESS]
    texts += [g.title for g in parser._action_groups if g.title]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            texts += [c.help for c in action._choices_actions if c.help]
            for sub in action.choices.values():
                texts += _texts(sub)
    return [t for t in texts if t]


def test_every_option_of_every_command_has_japanese_help() -> None:
    """Each help text, description and heading of `grade` and its commands has Japanese."""
    messages.set_language("en")
    texts = _texts(cli._full_parser()[0])
    messages.set_language("ja")
    assert [] == [t for t in texts if cli_text.translate(t) == t]


def test_help_under_a_japanese_locale(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`grade --help` with LANG=ja_JP.UTF-8 is Japanese: usage, headings and every option."""
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    monkeypatch.setenv("COLUMNS", "80")
    text = _help(capsys)
    assert text.startswith("使い方：grade [PATH] [オプション]\n        grade COMMAND")
    assert "\n位置引数：\n" in text
    assert "\nオプション：\n" in text
    assert "  -h, --help            このヘルプを表示して終了します\n" in text
    assert "  --list                演習と、そのケースと点数" in text
    assert "\nコマンド：\n" in text
    for english in ("usage:", "show this help", "list the exercises", "options:"):
        assert english not in text


def test_japanese_help_fits_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Japanese help is wrapped by terminal columns (two per character), not by characters."""
    monkeypatch.setenv("COLUMNS", "60")
    text = _help(capsys, "--lang", "ja")
    widths = [messages.columns(line) for line in text.splitlines()]
    too_wide = [line for line in text.splitlines() if messages.columns(line) > 60]
    assert ([], True) == (too_wide, max(widths) > 40)
    assert not any(line.lstrip().startswith(("、", "。", "）")) for line in text.splitlines())


def test_usage_error_under_a_japanese_locale(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown option is a Japanese usage error (exit 2)."""
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    with pytest.raises(SystemExit) as done:
        cli.main(["--bogus"])
    err = capsys.readouterr().err
    assert 2 == done.value.code
    assert err.startswith("使い方：grade [PATH] [オプション]")
    assert err.endswith("grade：エラー：認識できない引数です：--bogus\n")


def test_bad_choice_under_a_japanese_locale(capsys: pytest.CaptureFixture[str]) -> None:
    """A value outside the choices is named in Japanese, with the choices."""
    with pytest.raises(SystemExit):
        cli.main(["--lang", "ja", "--sandbox", "nowhere"])
    err = capsys.readouterr().err.splitlines()[-1]
    expected = (
        "grade：エラー：引数 --sandbox：選べない値です：'nowhere'"
        "（'auto', 'local', 'secure' から選んでください）"
    )
    assert expected == err


def test_english_stays_english_after_a_japanese_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The argparse hook follows the language of each run: English after Japanese."""
    _help(capsys, "--lang", "ja")
    text = _help(capsys, "--lang", "en")
    assert text.startswith("usage: grade [PATH] [options]")
    assert "show this help message and exit" in text
    assert "使い方" not in text


def test_unknown_text_stays_as_written() -> None:
    """A text the catalogue does not know is shown unchanged, in any language."""
    messages.set_language("ja")
    assert "no such text" == cli_text.translate("no such text")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["--lang", "ja"], "ja", id="--lang ja"),
        pytest.param(["x", "--lang=en"], "en", id="--lang=en"),
        pytest.param(["--lang"], "ja", id="--lang without a value: the locale"),
        pytest.param(["--lang", "fr"], "ja", id="unknown language: the locale"),
    ],
)
def test_language_of_the_command_line(
    argv: list[str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--lang decides before the parser is built; otherwise the locale does."""
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert expected == cli_text.language_of(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["no-such-file.py"],
        ["exercises/", "--rubrics", "no-such-folder"],
        ["exercises/", "--solutions", "no-such-folder"],
        ["exercises/softmax.py", "--kernel", "--sandbox", "local"],
        ["exercises/unknown_name.py"],
        ["help", "no-such-command"],
    ],
)
def test_the_graders_own_errors_under_a_japanese_locale(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    argv: list[str],
) -> None:
    """What `grade` itself refuses (not only argparse) is said in Japanese, with the same
    exit code as in English."""
    from tests.conftest import ROOT

    folder = tmp_path_factory.mktemp("cwd")
    (folder / "exercises").mkdir()
    for name in ("softmax.py", "unknown_name.py"):
        (folder / "exercises" / name).write_text("x = 1\n", encoding="utf-8")
    (folder / "rubrics").symlink_to(ROOT / "rubrics")
    monkeypatch.chdir(folder)
    english_code = cli.main(argv)
    english = capsys.readouterr().err
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")

    code = cli.main(argv)

    err = capsys.readouterr().err.strip()
    assert (english_code, code) == (2, 2)
    assert english.startswith("error: ")
    assert err.startswith("エラー：")
    english_prose = r"[A-Za-z][a-z]+(?: [a-z]+){2,}"  # three words or more: a sentence
    assert english.strip() != err
    assert [] == re.findall(english_prose, re.sub(r"'[^']*'", "", err))
