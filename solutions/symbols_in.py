"""Reference solution: the known symbols of a formula, in order of first appearance."""

import re

SYMBOLS = (
    r"\theta", r"\phi", r"\mu", r"\sigma", r"\nabla", r"\mathcal{L}", r"\mathbb{E}", r"\sum",
    r"\prod", r"\partial", r"\alpha", r"\epsilon", r"\lambda", r"\mathbb{R}", r"\in",
    r"\forall", r"\exists", r"\sqrt", r"\frac", r"\log", r"\exp", r"\top", r"\text{softmax}",
)


def symbols_in(formula):
    found = []
    for symbol in SYMBOLS:
        # a command ends where its letters end: \in is not the start of \infty
        boundary = r"(?![A-Za-z])" if symbol[-1].isalpha() else ""
        match = re.search(re.escape(symbol) + boundary, formula)
        if match is not None:
            found.append((match.start(), symbol))
    return [symbol for _, symbol in sorted(found)]
