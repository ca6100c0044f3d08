"""Attack: a million numbers where a list of three or four strings belongs; the grader made
an object per number, per case, before it compared the lengths (four million: 16 s and
800 MB of the grader's memory)."""


def symbols_in(formula):
    return [0.5] * 1_000_000
