"""Known-wrong symbol readers, named by `rubrics/symbols_in.yaml`."""

import re

SYMBOLS = (
    r"\theta", r"\phi", r"\mu", r"\sigma", r"\nabla", r"\mathcal{L}", r"\mathbb{E}", r"\sum",
    r"\prod", r"\partial", r"\alpha", r"\epsilon", r"\lambda", r"\mathbb{R}", r"\in",
    r"\forall", r"\exists", r"\sqrt", r"\frac", r"\log", r"\exp", r"\top", r"\text{softmax}",
)


def _at(symbol, formula):
    boundary = r"(?![A-Za-z])" if symbol[-1].isalpha() else ""
    match = re.search(re.escape(symbol) + boundary, formula)
    return None if match is None else match.start()


def table_order(formula):
    return [s for s in SYMBOLS if _at(s, formula) is not None]


def prefix_match(formula):
    found = [(formula.find(s), s) for s in SYMBOLS if s in formula]
    return [s for _, s in sorted(found)]


def every_occurrence(formula):
    found = []
    for symbol in SYMBOLS:
        boundary = r"(?![A-Za-z])" if symbol[-1].isalpha() else ""
        found.extend((m.start(), symbol) for m in re.finditer(re.escape(symbol) + boundary, formula))
    return [s for _, s in sorted(found)]


def alphabetical(formula):
    return sorted(s for s in SYMBOLS if _at(s, formula) is not None)


def substring_table_order(formula):
    return [s for s in SYMBOLS if s in formula]


def whole_tokens(formula):
    found = []
    for token in formula.split():
        if token in SYMBOLS and token not in found:
            found.append(token)
    return found


def word_boundary(formula):
    first = {}
    for symbol in SYMBOLS:
        match = re.search(re.escape(symbol) + r"\b", formula)
        if match is not None:
            first[symbol] = match.start()
    return sorted(first, key=first.__getitem__)
