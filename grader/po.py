"""The gettext ``.po`` format: read and write the translation catalogues in ``grader/locale/``.

Entries are keyed the gettext way for a catalogue addressed by key: ``msgctxt`` is the key of
`grader.messages.CATALOGUE`, ``msgid`` the English text, ``msgstr`` the translation. Keeping
the English as ``msgid`` lets any gettext tool (Poedit, msgfmt, Weblate) show translators the
source, and lets the grader notice a stale translation: when the English changes, the old
``msgid`` no longer matches and the English is shown until someone re-translates.

The reader is a small parser rather than compiled ``.mo`` files: it needs no build step and
no binary files in git. Reading and checking the Japanese catalogue takes about 0.6 ms and
importing this module 1-2 ms, against ~1 ms for gettext with a ``.mo`` file: nothing a
whole `grade` run can measure (``bench/messages_speed.py``). English runs read no file.
``python -m grader.po`` regenerates ``en`` and adds new keys to every other language after
`CATALOGUE` changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["LOCALE_DIR", "PoEntry", "catalogue_path", "read_po", "sync", "write_po"]

LOCALE_DIR = Path(__file__).with_name("locale")
_DOMAIN = "grader"
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


class PoEntry:
    """One message: key (``msgctxt``), English (``msgid``), translation (``msgstr``).

    A plain class rather than a dataclass: building a dataclass costs about a millisecond
    of start-up, which every Japanese run would pay.
    """

    __slots__ = ("context", "fuzzy", "msgid", "msgstr", "previous")

    def __init__(
        self, context: str, msgid: str, msgstr: str = "", fuzzy: bool = False, previous: str = ""
    ) -> None:
        self.context = context
        self.msgid = msgid
        self.msgstr = msgstr
        self.fuzzy = fuzzy
        #: the English the translation was made from, when it is fuzzy (``#| msgid``)
        self.previous = previous

    def __repr__(self) -> str:
        return f"PoEntry({self.context!r}, {self.msgid!r}, {self.msgstr!r})"


def catalogue_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{_DOMAIN}.po"


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"expected a quoted string, got {text[:40]!r}")
    body = text[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def read_po(path: Path) -> list[PoEntry]:
    """The entries of a ``.po`` file (the header entry, with an empty ``msgid``, left out)."""
    entries: list[PoEntry] = []
    fields: dict[str, str] = {}
    flags = ""
    previous = ""
    current = ""

    def flush() -> None:
        nonlocal flags, previous
        if fields.get("msgid"):
            entries.append(
                PoEntry(
                    context=fields.get("msgctxt", ""),
                    msgid=fields["msgid"],
                    msgstr=fields.get("msgstr", ""),
                    fuzzy="fuzzy" in flags,
                    previous=previous,
                )
            )
        fields.clear()
        flags = previous = ""

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        try:
            if not line:
                continue
            if line.startswith("#,"):
                if "msgid" in fields:
                    flush()
                flags += line[2:]
            elif line.startswith("#| msgid "):
                previous = _unquote(line[len("#| msgid ") :])
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += _unquote(line)
            else:
                keyword, _, rest = line.partition(" ")
                if keyword not in ("msgctxt", "msgid", "msgstr"):
                    raise ValueError(f"unknown keyword {keyword!r}")
                if keyword in ("msgctxt", "msgid") and "msgid" in fields:
                    flush()
                current = keyword
                fields[keyword] = _unquote(rest)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    flush()
    return entries


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    parts = escaped.split("\n")
    if len(parts) == 1:
        return f'"{escaped}"'
    pieces = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{p}"' for p in pieces)


def write_po(path: Path, lang: str, entries: list[PoEntry]) -> None:
    """Write ``entries`` as the catalogue of ``lang``."""
    lines = [
        "# Student-facing messages of the ml-lectures grader.",
        "# msgctxt: the key in grader/messages.py; msgid: the English; msgstr: this language.",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: ml-lectures grader\\n"',
        '"Last-Translator: ml-lectures\\n"',
        '"Language-Team: ml-lectures\\n"',
        f'"Language: {lang}\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        "",
    ]
    for entry in entries:
        if entry.fuzzy:
            lines.append("#, fuzzy, python-brace-format")
            if entry.previous:
                lines.append(f"#| msgid {_quote(entry.previous)}")
        elif "{" in entry.msgid:
            lines.append("#, python-brace-format")
        lines.append(f"msgctxt {_quote(entry.context)}")
        lines.append(f"msgid {_quote(entry.msgid)}")
        lines.append(f"msgstr {_quote(entry.msgstr)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def sync(catalogue: dict[str, str], languages: tuple[str, ...]) -> dict[str, list[str]]:
    """Rewrite every catalogue from ``catalogue`` (the English); returns untranslated keys.

    ``en`` is regenerated whole. In other languages a key keeps its translation; when its
    English changed, the translation is kept but marked fuzzy (shown as English until
    reviewed); new keys are added untranslated; keys no longer in the code are dropped.
    """
    write_po(
        catalogue_path("en"),
        "en",
        [PoEntry(key, text, text) for key, text in catalogue.items()],
    )
    missing: dict[str, list[str]] = {}
    for lang in languages:
        if lang == "en":
            continue
        path = catalogue_path(lang)
        old = {e.context: e for e in read_po(path)} if path.exists() else {}
        entries = []
        for key, text in catalogue.items():
            entry = old.get(key)
            if entry is None:
                entries.append(PoEntry(key, text))
            elif entry.msgid != text and entry.msgstr:
                before = entry.previous or entry.msgid
                entries.append(PoEntry(key, text, entry.msgstr, fuzzy=True, previous=before))
            else:
                entries.append(PoEntry(key, text, entry.msgstr, entry.fuzzy, entry.previous))
        write_po(path, lang, entries)
        missing[lang] = [e.context for e in entries if not e.msgstr or e.fuzzy]
    return missing


def main() -> int:
    """Regenerate the catalogues from `grader.messages.CATALOGUE` and list what is missing."""
    from grader import messages

    missing = sync(messages.CATALOGUE, messages.LANGUAGES)
    for lang, keys in missing.items():
        if keys:
            print(f"{lang}: {len(keys)} key(s) need a translation: {', '.join(keys)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
