"""A readable Unicode approximation of a LaTeX formula, for terminals and reports.

`to_unicode` never fails: unknown commands are kept as written. It is for reading only and
never decides a grade (equivalence is KaTeX's job, see `grader.latex.equivalence`).

    >>> to_unicode(r"\\theta^{(t+1)} = \\theta^{(t)} - \\alpha \\nabla_\\theta \\mathcal{L}")
    'θ⁽ᵗ⁺¹⁾ = θ⁽ᵗ⁾ − α ∇_θ ℒ'
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["SYMBOLS", "to_unicode"]

_GREEK = (
    "alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ vartheta ϑ "
    "iota ι kappa κ lambda λ mu μ nu ν xi ξ pi π varpi ϖ rho ρ varrho ϱ sigma σ varsigma ς "
    "tau τ upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω Gamma Γ Delta Δ Theta Θ Lambda Λ Xi Ξ "
    "Pi Π Sigma Σ Upsilon Υ Phi Φ Psi Ψ Omega Ω"
)
_OPERATORS = (
    "sum ∑ prod ∏ int ∫ oint ∮ partial ∂ nabla ∇ infty ∞ cdot ⋅ times × div ÷ pm ± mp ∓ "
    "leq ≤ le ≤ geq ≥ ge ≥ neq ≠ ne ≠ approx ≈ sim ∼ simeq ≃ equiv ≡ propto ∝ in ∈ notin ∉ "
    "subset ⊂ subseteq ⊆ cup ∪ cap ∩ forall ∀ exists ∃ to → rightarrow → leftarrow ← "
    "gets ← Rightarrow ⇒ mapsto ↦ | ‖ Vert ‖ parallel ∥ mid ∣ vert | top ⊤ intercal ⊺ "
    "odot ⊙ otimes ⊗ oplus ⊕ circ ∘ ast ∗ star ⋆ ldots … cdots ⋯ dots … langle ⟨ rangle ⟩ "
    "lVert ‖ rVert ‖ lvert | rvert | lfloor ⌊ rfloor ⌋ lceil ⌈ rceil ⌉ ell ℓ emptyset ∅ "
    "neg ¬ land ∧ lor ∨ star ⋆ prime ′ { { } } % %"
)
#: LaTeX command (without backslash) -> Unicode character
SYMBOLS: dict[str, str] = dict(zip(*[iter((_GREEK + " " + _OPERATORS).split())] * 2, strict=True))
_WORDS = {
    "log",
    "exp",
    "ln",
    "sin",
    "cos",
    "tan",
    "max",
    "min",
    "arg",
    "det",
    "lim",
    "sup",
    "inf",
    "tr",
    "softmax",
    "argmax",
    "argmin",
    "Pr",
    "dim",
    "ker",
}
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": "  ", "qquad": "   "}
_DROP = {
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "displaystyle",
    "textstyle",
    "limits",
    "nolimits",
    "middle",
}
_SUP = dict(
    zip("0123456789+-=()aeinorstuvxTijklmnpK−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵉⁱⁿᵒʳˢᵗᵘᵛˣᵀⁱʲᵏˡᵐⁿᵖᴷ⁻", strict=True)
)
_SUB = dict(zip("0123456789+-=()aeioruvxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₒᵣᵤᵥₓₕₖₗₘₙₚₛₜ", strict=True))
_ALPHABETS = {
    "mathbb": ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "𝔸𝔹ℂ𝔻𝔼𝔽𝔾ℍ𝕀𝕁𝕂𝕃𝕄ℕ𝕆ℙℚℝ𝕊𝕋𝕌𝕍𝕎𝕏𝕐ℤ"),
    "mathcal": ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "𝒜ℬ𝒞𝒟ℰℱ𝒢ℋℐ𝒥𝒦ℒℳ𝒩𝒪𝒫𝒬ℛ𝒮𝒯𝒰𝒱𝒲𝒳𝒴𝒵"),
    "mathbf": (
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "𝐀𝐁𝐂𝐃𝐄𝐅𝐆𝐇𝐈𝐉𝐊𝐋𝐌𝐍𝐎𝐏𝐐𝐑𝐒𝐓𝐔𝐕𝐖𝐗𝐘𝐙𝐚𝐛𝐜𝐝𝐞𝐟𝐠𝐡𝐢𝐣𝐤𝐥𝐦𝐧𝐨𝐩𝐪𝐫𝐬𝐭𝐮𝐯𝐰𝐱𝐲𝐳𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
    ),
}
_ALPHABETS["boldsymbol"] = _ALPHABETS["bm"] = _ALPHABETS["mathbf"]
_ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "bar": "\u0304",
    "overline": "\u0305",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
}
_UPRIGHT = {
    "text",
    "mathrm",
    "operatorname",
    "textrm",
    "mathit",
    "textit",
    "mathsf",
    "texttt",
    "mbox",
    "textbf",
    "mathtt",
    "textnormal",
}
_TOKEN = re.compile(r"\\([A-Za-z]+\*?|.)|\s+|.", re.DOTALL)
_MAX_DEPTH = 60


class _Reader:
    def __init__(self, source: str) -> None:
        self.tokens = [m.group() for m in _TOKEN.finditer(source)]
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str | None:
        tok = self.peek()
        self.i += tok is not None
        return tok

    def group(self, depth: int) -> str:
        """One argument: a braced group or a single tok, rendered."""
        while (tok := self.peek()) is not None and tok.isspace():
            self.i += 1
        tok = self.take()
        if tok is None:
            return ""
        if tok == "{":
            return self.sequence(depth + 1, "}")
        return self.atom(tok, depth + 1)

    def raw_group(self) -> str:
        """A braced group's source text, unrendered (for \\text)."""
        while (tok := self.peek()) is not None and tok.isspace():
            self.i += 1
        if self.peek() != "{":
            return self.take() or ""
        self.i += 1
        level, parts = 1, []
        while (tok := self.take()) is not None:
            level += {"{": 1, "}": -1}.get(tok, 0)
            if not level:
                break
            parts.append(tok)
        return "".join(parts)

    def sequence(self, depth: int, until: str | None = None) -> str:
        out: list[str] = []
        while (tok := self.take()) is not None:
            if tok == until:
                break
            if tok in ("^", "_"):
                out.append(_script(self.group(depth), _SUP if tok == "^" else _SUB, tok))
            else:
                out.append(self.atom(tok, depth))
        return "".join(out)

    def atom(self, tok: str, depth: int) -> str:
        if depth > _MAX_DEPTH:
            return tok
        if tok == "{":
            return self.sequence(depth + 1, "}")
        if tok.isspace():
            return " "
        if not tok.startswith("\\"):
            return {"-": " − ", "=": " = ", "+": " + ", "'": "′", "~": " "}.get(tok, tok)
        name = tok[1:]
        if name in SYMBOLS:
            glyph = SYMBOLS[name]
            return (
                f" {glyph} "
                if name in {"in", "approx", "leq", "geq", "neq", "to", "sim", "propto", "equiv"}
                else glyph
            )
        if name in _SPACES:
            return _SPACES[name]
        if name in _DROP:
            return ""
        if name.rstrip("*") in _WORDS:
            return name.rstrip("*")
        if name == "frac" or name in ("dfrac", "tfrac"):
            num, den = self.group(depth), self.group(depth)
            return f"{_wrap(num)}/{_wrap(den)}"
        if name == "sqrt":
            return "√" + _wrap(self.group(depth), always=True)
        if name in _ALPHABETS:
            plain, fancy = _ALPHABETS[name]
            table = dict(zip(plain, fancy, strict=True))
            return "".join(table.get(c, c) for c in self.group(depth))
        if name in _ACCENTS:
            inner = self.group(depth)
            return inner + _ACCENTS[name] if len(inner) == 1 else f"{inner}{_ACCENTS[name]}"
        if name in _UPRIGHT:
            return self.raw_group()
        if name in ("begin", "end"):
            self.raw_group()
            return ""
        if name == "\\":
            return "; "
        if name == "RR":
            return "ℝ"
        return tok


def _wrap(text: str, *, always: bool = False) -> str:
    text = text.strip()
    atomic = text.startswith(("(", "√(")) and text.endswith(")") and text.count("(") == 1
    if always or (len(text) > 1 and not atomic):
        return f"({text})"
    return text


def _script(text: str, table: dict[str, str], mark: str) -> str:
    text = text.strip()
    compact = text.replace(" ", "")
    if compact and all(c in table for c in compact):
        return "".join(table[c] for c in compact)
    if not text:
        return mark
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        return mark + text
    if len(text) == 1 and mark == "^" and text in "⊤⊺":
        return "ᵀ"
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


@functools.lru_cache(maxsize=4096)
def to_unicode(latex: str) -> str:
    """A one-line Unicode approximation of ``latex`` (θ for \\theta, √(x) for \\sqrt{x}, …)."""
    text = _Reader(latex).sequence(0)
    return unicodedata.normalize("NFC", re.sub(r" {2,}", " ", text).strip())
