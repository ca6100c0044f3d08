"""Equivalence of two formulas, judged on KaTeX's own MathML, up to harmless differences.

Both formulas are rendered by KaTeX (`grader.latex.engine`) to MathML, which is parsed and
normalised into a tree of tuples: grouping (``mrow``, redundant braces), spacing (``\\,``,
``\\cdot``, invisible operators), styling of fences (``\\left(`` vs ``(``), the order of
sub- and superscript, ``K^T`` vs ``K^\\top`` and ``\\text``/``\\mathrm``/``\\operatorname``
for an upright word all vanish. Two formulas are equivalent when the trees are equal.

When they differ, `explain` walks both trees to the first difference and describes it in
LaTeX-like terms rebuilt from the student's tree ("the denominator has `d_k`; the reference
has `\\sqrt{d_k}`").
"""

from __future__ import annotations

import difflib
import functools
import re
import xml.etree.ElementTree as ET
from typing import Any

from grader import messages as msg
from grader.latex.render import SYMBOLS

__all__ = ["Node", "explain", "normalise", "to_tex"]

#: a normalised node: ("var", letter, variant) | ("word", text) | ("num", digits)
#: | ("sym", char) | (structure, (child sequence, ...))
Node = tuple[Any, ...]
Seq = tuple[Node, ...]

_DROP_OPS = {"\u2061", "\u2062", "\u2063", "\u2064", "⋅", "", "\u200b"}
_SAME = {
    "⊤": "T",
    "⊺": "T",
    "ᵀ": "T",
    "∥": "‖",
    "∣": "|",
    "ˆ": "^",
    "−": "−",
    "-": "−",
    "ϵ": "ϵ",
    "∗": "*",
    "…": "…",
    "⋯": "…",
}
_VARIANTS = {None: "italic", "italic": "italic", "bold-italic": "bold", "bold": "bold"}
_SCRIPTS = {
    "msub": "sub",
    "munder": "sub",
    "msup": "sup",
    "msubsup": "subsup",
    "munderover": "subsup",
}
_SKIP = {"mspace", "annotation", "mphantom", "none"}
_SPLICE = {"mrow", "mstyle", "mpadded", "semantics", "math", "span", "menclose", "mprescripts"}
#: catalogue keys naming the parts of a construct, in KaTeX's MathML child order
_NAMES = {
    "frac": ("latex_part_numerator", "latex_part_denominator"),
    "sqrt": ("latex_part_sqrt",),
    "root": ("latex_part_root", "latex_part_root_index"),
    "sub": ("latex_part_base", "latex_part_subscript"),
    "sup": ("latex_part_base", "latex_part_superscript"),
    "subsup": ("latex_part_base", "latex_part_subscript", "latex_part_superscript"),
    "accent": ("latex_part_accented", "latex_part_accent"),
}
_TEX = {
    v: "\\" + k
    for k, v in SYMBOLS.items()
    if len(k) > 1 and k not in ("to", "gets", "le", "ge", "ne")
}
_TEX.update({"|": "|", "‖": "\\|", "−": "-", "T": "T", "(": "(", ")": ")", "[": "[", "]": "]"})
_RELATIONS = {"=", "<", ">", "\\leq", "\\geq", "\\approx", "\\neq", "\\in"}
_COMMAND_END = re.compile(r"\\[A-Za-z]+$")
_VARIANT_TEX = {
    "bold": "\\mathbf",
    "double-struck": "\\mathbb",
    "script": "\\mathcal",
    "fraktur": "\\mathfrak",
    "normal": "\\mathrm",
    "sans-serif": "\\mathsf",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@functools.lru_cache(maxsize=4096)
def normalise(mathml: str) -> Seq:
    """The normalised sequence of a KaTeX MathML string (``renderToString`` output).

    Memoised: a batch sees the same few formulas from hundreds of students, and the result
    is an immutable tuple.
    """
    root = ET.fromstring(mathml)  # noqa: S314 - KaTeX's own output, escaped by KaTeX
    return _merge_words(tuple(_nodes(root)))


def _nodes(elem: ET.Element) -> list[Node]:
    tag = _local(elem.tag)
    if tag in _SKIP:
        return []
    if tag in _SPLICE:
        return [n for child in elem for n in _nodes(child)]
    # KaTeX may put \operatorname's invisible function application inside a script element
    kids = [k for k in elem if not (_local(k.tag) == "mo" and "".join(k.itertext()) in _DROP_OPS)]
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        return _leaf(tag, "".join(elem.itertext()), elem.get("mathvariant"))
    if tag == "mfrac":
        return [("frac", tuple(_arg(k) for k in kids))]
    if tag == "msqrt":
        return [("sqrt", (_merge_words(tuple(n for k in kids for n in _nodes(k))),))]
    if tag == "mroot":
        return [("root", tuple(_arg(k) for k in kids))]
    if tag == "mover" and (
        elem.get("accent") == "true" or (len(kids) == 2 and _is_accent(kids[1]))
    ):
        return [("accent", tuple(_arg(k) for k in kids))]
    if tag == "mover":
        tag = "msup"
    if tag in _SCRIPTS:
        args = [_arg(k) for k in kids]
        kind = _SCRIPTS[tag]
        # {x_i}^2 is x_i^2: fold a subscripted base into one sub+superscript node
        if kind == "sup" and len(args[0]) == 1 and args[0][0][0] == "sub":
            base, sub = args[0][0][1]
            return [("subsup", (base, sub, args[1]))]
        return [(kind, tuple(args))]
    return [(tag, tuple(_arg(k) for k in kids))]


def _is_accent(elem: ET.Element) -> bool:
    return _local(elem.tag) == "mo" and "".join(elem.itertext()) in {
        "^",
        "ˆ",
        "~",
        "˜",
        "¯",
        "→",
        "˙",
        "¨",
        "‾",
    }


def _arg(elem: ET.Element) -> Seq:
    return _merge_words(tuple(_nodes(elem)))


def _leaf(tag: str, text: str, variant: str | None) -> list[Node]:
    text = text.strip().replace("\u2009", " ")
    if tag == "mo" and text in _DROP_OPS:
        return []
    if not text:
        return []
    text = _SAME.get(text, text)
    if tag == "mn":
        return [("num", text)]
    if tag in ("mtext", "ms") or (tag == "mi" and len(text) > 1):
        return [("word", text)]
    if tag == "mo" or not text.isalnum():
        return [("sym", text)]
    if text == "T":
        return [("var", "T", "italic")]
    return [("var", text, _VARIANTS.get(variant, variant))]


def _merge_words(seq: Seq) -> Seq:
    """Join runs of upright single letters (``\\mathrm{softmax}``) into one word."""
    out: list[Node] = []
    run: list[str] = []
    for node in [*seq, ("end",)]:
        if node[0] == "var" and node[2] == "normal" and node[1].isascii() and node[1].isalpha():
            run.append(node[1])
            continue
        if len(run) > 1:
            out.append(("word", "".join(run)))
        elif run:
            out.append(("var", run[0], "normal"))
        run = []
        if node[0] != "end":
            out.append(node)
    return tuple(out)


def to_tex(seq: Seq) -> str:
    """A LaTeX-like rendering of a normalised sequence, for messages."""
    parts: list[str] = []
    for node in seq:
        kind = node[0]
        if kind == "var":
            letter = _TEX.get(str(node[1]), str(node[1]))
            variant = _VARIANT_TEX.get(str(node[2]))
            parts.append(f"{variant}{{{letter}}}" if variant else letter)
        elif kind == "word":
            parts.append(
                f"\\{node[1]}"
                if node[1] in {"log", "exp", "max", "min"}
                else f"\\text{{{node[1]}}}"
            )
        elif kind == "num":
            parts.append(node[1])
        elif kind == "sym":
            glyph = _TEX.get(str(node[1]), str(node[1]))
            parts.append(f" {glyph} " if glyph in _RELATIONS else glyph)
        else:
            parts.append(_tex_struct(kind, [to_tex(a) for a in node[1]]))
    text = ""
    for part in parts:
        if (_COMMAND_END.search(text) or text[-1:].isalnum()) and part[:1].isalnum():
            text += " "
        text += part
    return text.strip()


def _brace(text: str) -> str:
    return text if len(text) == 1 else f"{{{text}}}"


def _tex_struct(kind: str, args: list[str]) -> str:
    if kind == "frac" and len(args) == 2:
        return f"\\frac{{{args[0]}}}{{{args[1]}}}"
    if kind == "sqrt":
        return f"\\sqrt{{{args[0]}}}"
    if kind == "root" and len(args) == 2:
        return f"\\sqrt[{args[1]}]{{{args[0]}}}"
    if kind == "sub" and len(args) == 2:
        return f"{args[0]}_{_brace(args[1])}"
    if kind == "sup" and len(args) == 2:
        return f"{args[0]}^{_brace(args[1])}"
    if kind == "subsup" and len(args) == 3:
        return f"{args[0]}_{_brace(args[1])}^{_brace(args[2])}"
    if kind == "accent" and len(args) == 2:
        return f"\\hat{{{args[0]}}}" if args[1] == "^" else f"{args[0]}{args[1]}"
    return " ".join(args)


def _where(path: list[str]) -> str:
    return path[-1] if path else msg.t("latex_where_formula")


def explain(student: Seq, reference: Seq) -> str:
    """One sentence naming the first difference between two normalised sequences."""
    return _explain(student, reference, [])


def _explain(student: Seq, reference: Seq, path: list[str]) -> str:
    where = _where(path)
    swapped = _swap(student, reference)
    if swapped is not None:
        start, first, second = swapped
        return msg.t(
            "latex_diff_swapped",
            a=to_tex(first),
            b=to_tex(second),
            where=_context(student, start, path),
        )
    if _unbracketed(student) == _unbracketed(reference):
        got, want = _trim(student, reference)
        if not want:
            return msg.t("latex_diff_extra", where=where, got=to_tex(got))
        return msg.t("latex_diff_replace", where=where, got=to_tex(got), want=to_tex(want))
    matcher = difflib.SequenceMatcher(None, student, reference, autojunk=False)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if not ops:
        return msg.t("latex_diff_unknown")
    tag, i1, i2, j1, j2 = ops[0]
    got, want = student[i1:i2], reference[j1:j2]
    if tag == "replace" and len(got) == len(want) == 1:
        inner = _inside(got[0], want[0], path)
        if inner:
            return inner
    italic = _italic_word(got)
    if italic and want == (("word", italic),):
        return msg.t("latex_diff_italic_word", word=italic, want=to_tex(want))
    if tag == "insert":
        if want == (("sym", "−"),):
            return msg.t("latex_diff_minus", where=where)
        if i1 == 0:
            return msg.t("latex_diff_missing_start", where=where, want=to_tex(want))
        return msg.t(
            "latex_diff_missing", where=where, want=to_tex(want), after=to_tex(student[:i1][-2:])
        )
    if tag == "delete":
        return msg.t("latex_diff_extra", where=where, got=to_tex(got))
    return msg.t("latex_diff_replace", where=where, got=to_tex(got), want=to_tex(want))


def _inside(got: Node, want: Node, path: list[str]) -> str:
    """Explain a difference inside two structures of the same kind, or ``""``."""
    kind = got[0]
    if kind != want[0] or not isinstance(got[1], tuple) or len(got[1]) != len(want[1]):
        return ""
    if kind == "frac" and got[1] == want[1][::-1]:
        return msg.t("latex_diff_frac_swapped", where=_where(path))
    names = _NAMES.get(kind, ())
    for index, (a, b) in enumerate(zip(got[1], want[1], strict=True)):
        if a == b:
            continue
        if index == 0 and kind in ("sub", "sup", "subsup", "accent"):
            return _explain(a, b, path)
        name = msg.t(names[index]) if index < len(names) else msg.t("latex_where_part", n=index + 1)
        base = to_tex(got[1][0]) if kind in ("sub", "sup", "subsup") else ""
        label = (
            msg.t("latex_where_of", part=name, of=base)
            if base
            else msg.t("latex_where_the", part=name)
        )
        return _explain(a, b, [*path, label])
    return ""


_BRACKETS = {"(", ")", "[", "]"}


def _trim(student: Seq, reference: Seq) -> tuple[Seq, Seq]:
    """Both sequences without their common beginning and end."""
    start = 0
    while start < min(len(student), len(reference)) and student[start] == reference[start]:
        start += 1
    end = 0
    while end < min(len(student), len(reference)) - start and (
        student[-1 - end] == reference[-1 - end]
    ):
        end += 1
    return student[start : len(student) - end], reference[start : len(reference) - end]


def _unbracketed(seq: Seq) -> Seq:
    return tuple(n for n in seq if not (n[0] == "sym" and n[1] in _BRACKETS))


def _italic_word(seq: Seq) -> str:
    """The word spelt by a run of italic single letters (``softmax`` without ``\\text``)."""
    if len(seq) > 1 and all(n[0] == "var" and n[2] == "italic" for n in seq):
        return "".join(str(n[1]) for n in seq)
    return ""


def _swap(student: Seq, reference: Seq) -> tuple[int, Seq, Seq] | None:
    """When the student's sequence is the reference with two parts exchanged around a
    separator (``q \\| p`` vs ``p \\| q``) or next to each other: (start, first, second)."""
    if len(student) != len(reference) or student == reference:
        return None
    diff = [k for k, (a, b) in enumerate(zip(student, reference, strict=True)) if a != b]
    first, last = diff[0], diff[-1] + 1
    for start in range(first, -1, -1):
        for end in range(last, len(student) + 1):
            middle, target = student[start:end], reference[start:end]
            for gap in (1, 0):
                for cut in range(1, len(middle) - gap):
                    one, sep, two = middle[:cut], middle[cut : cut + gap], middle[cut + gap :]
                    if two + sep + one == target:
                        return start, one, two
    return None


def _where_in(path: list[str]) -> str:
    return msg.t("latex_where_in", where=_where(path))


def _context(seq: Seq, index: int, path: list[str]) -> str:
    """Where position ``index`` sits: inside the brackets after `name`, or in ``path``."""
    level = 0
    for k in range(index - 1, -1, -1):
        text = seq[k][1] if seq[k][0] == "sym" else ""
        if text in (")", "]"):
            level += 1
        elif text in ("(", "[") and level:
            level -= 1
        elif text in ("(", "[") and k > 0:
            return msg.t("latex_where_inside", name=to_tex(seq[k - 1 : k]))
    return _where_in(path)
