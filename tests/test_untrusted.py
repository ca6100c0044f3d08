"""The one rule that shows a student's text: every character that controls, hides or spoofs
text is an escape, everything else (Japanese, emoji) is shown as it is."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from grader.debugging import neutral
from grader.untrusted import printable

#: Unicode's control, format, surrogate, line separator and paragraph separator categories
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_HIDDEN = [
    chr(code)
    for code in range(sys.maxunicode + 1)
    if unicodedata.category(chr(code)) in _HIDDEN_CATEGORIES
]

JAPANESE = "勾配降下法の一歩：θ ← θ − η∇L（学習率 η は小さく）。\u3000ソフトマックスは確率を返す！"


def _escape_of(char: str) -> str:
    """How Python writes ``char`` in a string literal, in the long form (``\\x0d``, not ``\\r``)."""
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


@pytest.mark.parametrize("lines", [True, False])
def test_every_control_format_surrogate_and_separator_character_is_an_escape(lines: bool) -> None:
    """Each character of the categories Cc, Cf, Cs, Zl and Zp (Python's Unicode database), a
    zero-width space, a soft hyphen, a tag or U+2028 as much as ESC, is shown as an escape
    that Python reads back as that character; only a newline and a tab stay, and only in
    multi-line text."""
    kept = {"\n", "\t"} if lines else set()
    wrong = [
        f"U+{ord(char):04X} {unicodedata.category(char)}"
        for char in _HIDDEN
        if printable(f"a{char}b", lines=lines) != f"a{char if char in kept else _escape_of(char)}b"
    ]
    assert [] == wrong
    assert all(_escape_of(c).encode().decode("unicode_escape") == c for c in _HIDDEN)
    assert len(_HIDDEN) > 2000  # the enumeration ran (2048 surrogates alone)


def test_japanese_text_emoji_and_ideographic_space_are_shown_as_they_are() -> None:
    """Kana, kanji, full-width punctuation, U+3000, mathematical symbols and emoji stay."""
    for text in (JAPANESE, "\u3000", "結果：合格（１１／１１点）", "✅ 🎉 ❤️ 👍🏽", "x² ≤ ∑ α_i"):
        assert text == printable(text)
        assert text == printable(text, lines=False)
        assert text == neutral(text)


def test_an_invisible_character_inside_a_word_shows() -> None:
    """A total or a name spoofed with invisible characters reads as what it is."""
    assert "to\\u200btal 63/63" == printable("to\u200btal 63/63")
    assert "soft\\xadmax\\u2028\\U000e0041" == printable("soft\xadmax\u2028\U000e0041")
    assert "\\ufeffsoftmax\\u2060" == printable("\ufeffsoftmax\u2060")


def test_neutral_is_printable_with_carriage_returns_as_line_ends() -> None:
    """Printed output follows the same rule, with CR LF and a lone CR as line ends."""
    assert "a\nb\nc\\u200b" == neutral("a\r\nb\rc\u200b")
    wrong = [f"U+{ord(c):04X}" for c in _HIDDEN if c != "\r" and neutral(c) != printable(c)]
    assert [] == wrong
