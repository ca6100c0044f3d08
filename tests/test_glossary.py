"""Japanese that reads like one product: one name per concept, one register, Japanese punctuation.

Every Japanese text a student reads is checked here against ``grader/locale/ja/glossary.yaml``
and a few rules of Japanese typesetting: the message catalogue (each entry with its English),
the rubrics' titles and hints, and the explanations in the exercise files.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader import messages, po

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "grader" / "locale" / "ja" / "glossary.yaml"
_CJK = "\u3040-\u30ff\u4e00-\u9fff"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _terms() -> list[dict[str, Any]]:
    return list(yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))["terms"])


def _catalogue() -> list[tuple[str, str, str]]:
    """(where, English, Japanese) for every catalogue entry and every plural form."""
    out = []
    for entry in po.read_po(po.catalogue_path("ja")):
        if entry.plural:
            out.extend((f"grader.po:{entry.context}", entry.plural, form) for form in entry.forms)
        else:
            out.append((f"grader.po:{entry.context}", entry.msgid, entry.msgstr))
    return out


def _rubric_texts(value: Any, where: str) -> list[tuple[str, str, str]]:
    out = []
    if isinstance(value, dict):
        if isinstance(value.get("ja"), str):
            out.append((where, str(value.get("en", "")), value["ja"]))
        for key, child in value.items():
            out.extend(_rubric_texts(child, f"{where}.{key}"))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.extend(_rubric_texts(child, f"{where}[{index}]"))
    return out


def _exercise_texts() -> list[tuple[str, str, str]]:
    """(where, the whole docstring, its Japanese lines) for each docstring of the exercises."""
    out = []
    for path in sorted((ROOT / "exercises").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                doc = node.value.value
                if isinstance(doc, str):
                    japanese = [ln for ln in doc.splitlines() if re.search(f"[{_CJK}]", ln)]
                    if japanese:
                        where = f"exercises/{path.name}:{node.lineno}"
                        out.append((where, doc, "".join(ln.strip() for ln in japanese)))
    return out


def _texts() -> list[tuple[str, str, str]]:
    texts = _catalogue()
    for path in sorted((ROOT / "rubrics").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts.extend(_rubric_texts(data, f"rubrics/{path.name}"))
    return texts + _exercise_texts()


TEXTS = _texts()


def _forbidden(name: str, japanese: str) -> bool:
    if name.startswith("re:"):
        return re.search(name[3:], japanese) is not None
    return name in japanese


def test_glossary_names_each_concept_once() -> None:
    """No Japanese name is given to two concepts, and no concept forbids its own name."""
    names: dict[str, str] = {}
    clashes = []
    for term in _terms():
        for name in (n.strip() for n in term["ja"].split("/")):
            if name in names:
                clashes.append((name, names[name], term["concept"]))
            names[name] = term["concept"]
            if any(_forbidden(bad, name) for bad in term.get("not", [])):
                clashes.append((name, "forbidden by itself", term["concept"]))
    assert [] == clashes


def test_japanese_uses_no_other_name_for_a_concept() -> None:
    """No Japanese text calls a concept by a name the glossary rules out."""
    found = []
    for term in _terms():
        allowed = term.get("allowed_if")
        for where, english, japanese in TEXTS:
            if allowed and re.search(allowed, english):
                continue
            for bad in term.get("not", []):
                if _forbidden(bad, japanese):
                    found.append(f"{where}: {bad!r} in {japanese!r} ({term['concept']})")
    assert [] == found


def test_japanese_uses_the_glossary_name_where_the_english_names_the_concept() -> None:
    """Where the English names a glossary concept, the Japanese uses the glossary's name."""
    found = []
    for term in _terms():
        pattern = term.get("en")
        if not pattern:
            continue
        names = [n.strip() for n in term["ja"].split("/")]
        for where, english, japanese in TEXTS:
            if re.search(pattern, _PLACEHOLDER.sub("X", english)) and not any(
                n in japanese for n in names
            ):
                found.append(f"{where}: {japanese!r} lacks {term['ja']!r}")
    assert [] == found


@pytest.mark.parametrize(
    ("rule", "pattern"),
    [
        # (a reST role such as :math:`x` is markup, not punctuation)
        pytest.param("half-width colon after Japanese", f"[{_CJK}）」]:(?!math:)", id="colon"),
        pytest.param(
            "half-width parentheses around Japanese", f"\\([^()]*[{_CJK}][^()]*\\)", id="paren"
        ),
        pytest.param("space between two Japanese words", f"[{_CJK}] [{_CJK}]", id="space"),
        pytest.param(
            "plain form (use です/ます)",
            "(?:(?<![まで])した|(?<!で)だ|である|する|ない|なる|いる|ある)(?:。|$)",
            id="register",
        ),
        pytest.param("half-width full stop after Japanese", f"[{_CJK}]\\.(?:\\s|$)", id="stop"),
    ],
)
def test_japanese_typesetting(rule: str, pattern: str) -> None:
    """Japanese is set with full-width punctuation, no stray spaces, in one register."""
    found = [
        f"{where}: {japanese!r}"
        for where, _, japanese in TEXTS
        if re.search(pattern, _PLACEHOLDER.sub("X", japanese))
    ]
    assert [] == found, rule


def test_every_concept_of_the_glossary_is_used() -> None:
    """Each glossary name appears in some Japanese text (a stale entry is removed)."""
    everything = "\n".join(japanese for _, _, japanese in TEXTS)
    unused = [
        term["concept"]
        for term in _terms()
        if not any(n.strip() in everything for n in term["ja"].split("/"))
    ]
    assert [] == unused


def test_the_catalogue_is_checked_at_all() -> None:
    """The checks above see the whole catalogue, every rubric and every exercise."""
    places = {where.split(":")[0].split(".yaml")[0] for where, _, _ in TEXTS}
    rubrics = {f"rubrics/{p.stem}" for p in (ROOT / "rubrics").glob("*.yaml")}
    exercises = {f"exercises/{p.name}" for p in (ROOT / "exercises").glob("*.py")}
    catalogue = len(messages.CATALOGUE) + len(messages.PLURALS)
    assert catalogue <= sum(1 for where, _, _ in TEXTS if where.startswith("grader.po:"))
    assert {"grader.po", *rubrics, *exercises} <= places
