"""The message catalogue: both languages complete, fallbacks, the .po format, --lang."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
from pathlib import Path

import pytest
import yaml

from grader import messages, po

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.fixture
def fresh_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the translations read so far, so a patched catalogue is read again."""
    monkeypatch.setattr(messages, "_tables", {})


def test_every_key_has_japanese() -> None:
    """Every catalogue key has a current Japanese translation (the list names the missing)."""
    missing = messages.missing_translations("ja")
    assert [] == missing, (
        f"{len(missing)} key(s) show English in Japanese runs: {', '.join(missing)}; "
        "run `uv run python -m grader.po` and translate them in "
        "grader/locale/ja/LC_MESSAGES/grader.po"
    )


def test_en_catalogue_matches_code() -> None:
    """The English .po file holds exactly the English of `CATALOGUE` (regenerate with grader.po)."""
    entries = po.read_po(po.catalogue_path("en"))
    assert messages.CATALOGUE == {e.context: e.msgid for e in entries if not e.plural}
    assert messages.PLURALS == {e.context: (e.msgid, e.plural) for e in entries if e.plural}


def test_ja_catalogue_has_no_unknown_keys() -> None:
    """The Japanese .po file translates only keys that exist, with their current English."""
    entries = po.read_po(po.catalogue_path("ja"))
    stale = [
        e.context
        for e in entries
        if (messages.PLURALS.get(e.context) if e.plural else messages.CATALOGUE.get(e.context))
        != ((e.msgid, e.plural) if e.plural else e.msgid)
    ]
    assert [] == stale


def _placeholder_mismatches(entries: list[po.PoEntry]) -> list[str]:
    """Keys whose translation (as written in the file) fills other {placeholders} than the
    English of the code."""
    return [
        e.context
        for e in entries
        if e.msgstr
        and e.context in messages.CATALOGUE
        and _fields(messages.CATALOGUE[e.context]) != _fields(e.msgstr)
    ]


def test_japanese_placeholders_match_english() -> None:
    """Every translation in the Japanese .po file, read raw (before the loader drops broken
    ones), fills in the same {placeholders} as the English, so format() never fails."""
    entries = po.read_po(po.catalogue_path("ja"))
    assert len([e for e in entries if e.msgstr]) > len(messages.CATALOGUE) // 2
    assert [] == _placeholder_mismatches(entries)


def test_placeholder_check_catches_a_broken_translation() -> None:
    """The check above fails on a translation with a misspelt placeholder."""
    english = messages.CATALOGUE["wrong_shape"]
    broken = po.PoEntry("wrong_shape", english, "形状 {expect} と {got}")
    assert ["wrong_shape"] == _placeholder_mismatches([broken])


def test_t_speaks_the_chosen_language() -> None:
    """`t` follows `set_language`."""
    messages.set_language("ja")
    assert "合計" == messages.t("total")
    messages.set_language("en")
    assert "total" == messages.t("total")


def test_missing_translation_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch, fresh_tables: None
) -> None:
    """A key added in English only is shown in English in a Japanese run, and listed as missing."""
    monkeypatch.setitem(messages.CATALOGUE, "brand_new", "a new sentence about {thing}")
    messages.set_language("ja")
    assert "a new sentence about x" == messages.t("brand_new", thing="x")
    assert ["brand_new"] == messages.missing_translations("ja")


def test_stale_translation_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch, fresh_tables: None
) -> None:
    """When the English of a key changes, its old translation is not shown any more."""
    monkeypatch.setitem(messages.CATALOGUE, "total", "grand total")
    messages.set_language("ja")
    assert "grand total" == messages.t("total")
    assert ["total"] == messages.missing_translations("ja")


def test_broken_placeholder_falls_back_to_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_tables: None
) -> None:
    """A translation whose placeholders differ from the English is not used."""
    path = tmp_path / "ja" / "LC_MESSAGES" / "grader.po"
    english = messages.CATALOGUE["wrong_shape"]
    po.write_po(path, "ja", [po.PoEntry("wrong_shape", english, "形状 {expect} と {got}")])
    monkeypatch.setattr(po, "LOCALE_DIR", tmp_path)
    assert {} == messages.translations("ja")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({"LANG": "ja_JP.UTF-8"}, "ja", id="LANG ja"),
        pytest.param({"LANG": "en_US.UTF-8"}, "en", id="LANG en"),
        pytest.param({}, "en", id="nothing set"),
        pytest.param({"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja", id="LC_ALL wins"),
        pytest.param({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en", id="LC_ALL C wins"),
        pytest.param({"LC_MESSAGES": "ja_JP", "LANG": "C"}, "ja", id="LC_MESSAGES over LANG"),
        pytest.param({"LC_ALL": "", "LANG": "ja"}, "ja", id="empty LC_ALL ignored"),
    ],
)
def test_language_from_env(environ: dict[str, str], expected: str) -> None:
    """The locale variables choose Japanese when they start with ja, in POSIX order."""
    assert expected == messages.language_from_env(environ)


def test_set_language_rejects_unknown() -> None:
    """An unsupported language is a clear error."""
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        messages.set_language("fr")


def test_pad_counts_wide_characters() -> None:
    """Padding counts a Japanese character as two terminal columns."""
    assert "期待値  " == messages.pad("期待値", 8)
    assert "got     " == messages.pad("got", 8)


def test_po_round_trip(tmp_path: Path) -> None:
    """Quotes, backslashes, tabs and newlines survive writing and reading a .po file."""
    path = tmp_path / "x.po"
    text = 'say "hi"\\ then\ttab\nsecond line\n'
    po.write_po(path, "ja", [po.PoEntry("k", text, "訳\n二行目", fuzzy=True, previous="old")])
    [entry] = po.read_po(path)
    assert ("k", text, "訳\n二行目", True, "old") == (
        entry.context,
        entry.msgid,
        entry.msgstr,
        entry.fuzzy,
        entry.previous,
    )


def test_po_reader_names_the_bad_line(tmp_path: Path) -> None:
    """A malformed .po file is reported with its line number."""
    path = tmp_path / "bad.po"
    path.write_text('msgctxt "k"\nmsgid "a"\nmsgtxt "b"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.po:3: unknown keyword 'msgtxt'"):
        po.read_po(path)


def test_sync_keeps_translations_and_marks_changed_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Syncing adds new keys untranslated and marks a changed English as fuzzy."""
    monkeypatch.setattr(po, "LOCALE_DIR", tmp_path)
    po.write_po(
        po.catalogue_path("ja"), "ja", [po.PoEntry("a", "one", "一"), po.PoEntry("b", "two", "二")]
    )
    missing = po.sync({"a": "one", "b": "TWO", "c": "three"}, ("en", "ja"))
    entries = {e.context: e for e in po.read_po(po.catalogue_path("ja"))}
    assert {"ja": ["b", "c"]} == missing
    assert (False, True, "two", "") == (
        entries["a"].fuzzy,
        entries["b"].fuzzy,
        entries["b"].previous,
        entries["c"].msgstr,
    )


def _texts(value: object) -> list[object]:
    """Every bilingual text mapping ({en: ..}) inside a rubric."""
    found: list[object] = []
    if isinstance(value, dict):
        if "en" in value:
            found.append(value)
        for child in value.values():
            found.extend(_texts(child))
    elif isinstance(value, list):
        for child in value:
            found.extend(_texts(child))
    return found


@pytest.mark.parametrize("path", sorted(RUBRICS.glob("*.yaml")), ids=lambda p: p.stem)
def test_rubric_texts_are_bilingual(path: Path) -> None:
    """Titles (exercise and case), hints and misconception hints are in English and Japanese."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = [data["title"], data.get("hint", {}), *_texts(data.get("cases"))]
    texts += [m["hint"] for m in data.get("misconceptions", [])]
    incomplete = [t for t in texts if not (isinstance(t, dict) and t.get("en") and t.get("ja"))]
    untitled = [c["name"] for c in data["cases"] if "title" not in c]
    assert ([], []) == (incomplete, untitled)


def _broken_softmax(submission) -> Path:  # type: ignore[no-untyped-def]
    return submission(
        softmax="import numpy as np\n"
        "def softmax(z, axis=-1):\n"
        "    e = np.exp(z)\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n"
    )


def _total(english: str) -> str:
    """The ``SCORE/MAX`` of an English terminal report (the rubrics decide the numbers)."""
    found = re.search(r"^total (\d+(?:\.\d+)?/\d+(?:\.\d+)?)$", english, re.MULTILINE)
    assert found is not None, english
    return found.group(1)


@pytest.mark.slow
def test_cli_lang_ja_reports_in_japanese(run_grade, submission) -> None:  # type: ignore[no-untyped-def]
    """`--lang ja` shows the report's labels, messages, titles and hints in Japanese."""
    folder = _broken_softmax(submission)
    run = run_grade(str(folder), "--lang", "ja", json_report=False)
    assert 1 == run.code
    total = _total(run_grade(str(folder), "--lang", "en", json_report=False).stdout)
    japanese = ("不合格 softmax · ソフトマックス", f"合計 {total} 点", "正しい値", "あなたの値")
    for text in (*japanese, "ヒント："):
        assert text in run.stdout
    for text in ("total", "expected", "hint:", "pts)", "hidden", "points"):
        assert text not in run.stdout


@pytest.mark.slow
def test_locale_chooses_japanese_and_lang_en_overrides(
    run_grade,  # type: ignore[no-untyped-def]
    submission,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LANG=ja_JP.UTF-8 gives Japanese by default; --lang en gives English."""
    folder = _broken_softmax(submission)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    japanese = run_grade(str(folder), json_report=False)
    english = run_grade(str(folder), "--lang", "en", json_report=False)
    total = _total(english.stdout)
    assert f"合計 {total}" in japanese.stdout
    assert f"total {total}" in english.stdout
    assert "ヒント" not in english.stdout


@pytest.mark.slow
def test_stub_report_is_all_japanese(run_grade, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Grading the stubs under a Japanese locale prints no English sentence."""
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    run = run_grade(str(EXERCISES), "--solutions", str(SOLUTIONS), json_report=False)
    english = [messages.CATALOGUE["not_implemented"], "total ", " pts)", "hidden case"]
    assert [] == [e for e in english if e in run.stdout]
    assert "まだ実装されていません" in run.stdout


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt not installed")
@pytest.mark.parametrize("lang", messages.LANGUAGES)
def test_catalogue_passes_msgfmt_check(lang: str, tmp_path: Path) -> None:
    """GNU msgfmt accepts each catalogue, placeholders included (python-brace-format)."""
    msgfmt = shutil.which("msgfmt") or "msgfmt"
    done = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "out.mo"), str(po.catalogue_path(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
