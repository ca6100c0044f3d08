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

Sentences with a count (`grader.messages.PLURALS`) are plural entries: ``msgid`` and
``msgid_plural`` hold the English singular and plural, ``msgstr[0]``, ``msgstr[1]``, ... the
forms of the language, chosen by the header's ``Plural-Forms`` (Japanese has one form).
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["LOCALE_DIR", "PLURAL_FORMS", "PoEntry", "catalogue_path", "read_po", "sync", "write_po"]

LOCALE_DIR = Path(__file__).with_name("locale")
_DOMAIN = "grader"
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
#: the gettext ``Plural-Forms`` of each language: how many forms, and which one a count takes
PLURAL_FORMS = {"en": "nplurals=2; plural=(n != 1);", "ja": "nplurals=1; plural=0;"}


class PoEntry:
    """One message: key (``msgctxt``), English (``msgid``), translation (``msgstr``).

    A plain class rather than a dataclass: building a dataclass costs about a millisecond
    of start-up, which every Japanese run would pay.
    """

    __slots__ = ("context", "forms", "fuzzy", "msgid", "msgstr", "plural", "previous")

    def __init__(
        self,
        context: str,
        msgid: str,
        msgstr: str = "",
        fuzzy: bool = False,
        previous: str = "",
        *,
        plural: str = "",
        forms: tuple[str, ...] = (),
    ) -> None:
        self.context = context
        self.msgid = msgid
        self.msgstr = msgstr
        self.fuzzy = fuzzy
        #: the English the translation was made from, when it is fuzzy (``#| msgid``)
        self.previous = previous
        #: a plural entry's English plural (``msgid_plural``) and its translated forms
        self.plural = plural
        self.forms = forms

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
            forms = tuple(fields[f"msgstr[{i}]"] for i in range(10) if f"msgstr[{i}]" in fields)
            entries.append(
                PoEntry(
                    context=fields.get("msgctxt", ""),
                    msgid=fields["msgid"],
                    msgstr=fields.get("msgstr", ""),
                    fuzzy="fuzzy" in flags,
                    previous=previous,
                    plural=fields.get("msgid_plural", ""),
                    forms=forms,
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
                if keyword not in ("msgctxt", "msgid", "msgstr", "msgid_plural") and not (
                    keyword.startswith("msgstr[") and keyword[7:-1].isdigit() and keyword[-1] == "]"
                ):
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
        "# msgctxt: the key in grader/catalogue.py; msgid: the English; msgstr: this language.",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: ml-lectures grader\\n"',
        '"Last-Translator: ml-lectures\\n"',
        '"Language-Team: ml-lectures\\n"',
        f'"Language: {lang}\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        f'"Plural-Forms: {PLURAL_FORMS.get(lang, PLURAL_FORMS["en"])}\\n"',
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
        if entry.plural:
            lines.append(f"msgid_plural {_quote(entry.plural)}")
            count = _nplurals(lang)
            forms = [*entry.forms, *[""] * count][:count]
            lines.extend(f"msgstr[{i}] {_quote(form)}" for i, form in enumerate(forms))
        else:
            lines.append(f"msgstr {_quote(entry.msgstr)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def _nplurals(lang: str) -> int:
    rule = PLURAL_FORMS.get(lang, PLURAL_FORMS["en"])
    return int(rule.split("nplurals=")[1].split(";")[0])


def sync(
    catalogue: dict[str, str],
    languages: tuple[str, ...],
    plurals: dict[str, tuple[str, str]] | None = None,
) -> dict[str, list[str]]:
    """Rewrite every catalogue from ``catalogue`` (the English); returns untranslated keys.

    ``plurals`` are the sentences with a count: (singular, plural) by key. ``en`` is
    regenerated whole. In other languages a key keeps its translation; when its English
    changed, the translation is kept but marked fuzzy (shown as English until reviewed); new
    keys are added untranslated; keys no longer in the code are dropped.
    """
    plurals = plurals or {}
    english = [PoEntry(key, text, text) for key, text in catalogue.items()]
    english += [
        PoEntry(key, one, plural=many, forms=(one, many)) for key, (one, many) in plurals.items()
    ]
    write_po(catalogue_path("en"), "en", english)
    missing: dict[str, list[str]] = {}
    for lang in languages:
        if lang == "en":
            continue
        path = catalogue_path(lang)
        old = {e.context: e for e in read_po(path)} if path.exists() else {}
        entries = []
        for source in english:
            key, text, many = source.context, source.msgid, source.plural
            entry = old.get(key)
            done = any(entry.forms) if entry is not None and many else bool(entry and entry.msgstr)
            if entry is None or not done:
                entries.append(PoEntry(key, text, plural=many))
            elif entry.msgid != text or entry.plural != many:
                before = entry.previous or entry.msgid
                entries.append(
                    PoEntry(
                        key,
                        text,
                        entry.msgstr,
                        fuzzy=True,
                        previous=before,
                        plural=many,
                        forms=entry.forms,
                    )
                )
            else:
                entries.append(entry)
        write_po(path, lang, entries)
        missing[lang] = [
            e.context
            for e in entries
            if e.fuzzy or not (all(e.forms) and e.forms if e.plural else e.msgstr)
        ]
    return missing


def main() -> int:
    """Regenerate the catalogues from `grader.messages.CATALOGUE` and list what is missing."""
    from grader import messages

    missing = sync(messages.CATALOGUE, messages.LANGUAGES, messages.PLURALS)
    for lang, keys in missing.items():
        if keys:
            print(f"{lang}: {len(keys)} key(s) need a translation: {', '.join(keys)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
