"""Wrong implementations, graded through the real CLI: the score and the feedback they get."""

from __future__ import annotations

import pytest

from tests.conftest import SOLUTIONS

pytestmark = pytest.mark.slow  # every test here grades through the real CLI

SOFTMAX_NAIVE = """
import numpy as np
def softmax(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)
"""
SOFTMAX_GLOBAL_SUM = """
import numpy as np
def softmax(z, axis=-1):
    e = np.exp(z - np.max(z))
    return e / e.sum()
"""
SOFTMAX_NO_KEEPDIMS_AXIS0 = """
import numpy as np
def softmax(z, axis=-1):
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
SOFTMAX_IN_PLACE = """
import numpy as np
def softmax(z, axis=-1):
    z -= np.max(z, axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z
"""
SOFTMAX_UNNORMALISED = """
import numpy as np
def softmax(z, axis=-1):
    return np.exp(z - np.max(z, axis=axis, keepdims=True))
"""
CE_NO_EPS = """
import numpy as np
def cross_entropy(y_true, y_pred, eps=1e-12):
    return float(-np.sum(y_true * np.log(y_pred)))
"""
CE_MEAN = """
import numpy as np
def cross_entropy(y_true, y_pred, eps=1e-12):
    return float(-np.mean(y_true * np.log(y_pred + eps)))
"""
CE_NO_MINUS = """
import numpy as np
def cross_entropy(y_true, y_pred, eps=1e-12):
    return float(np.sum(y_true * np.log(y_pred + eps)))
"""
CE_RETURNS_ARRAY = """
import numpy as np
def cross_entropy(y_true, y_pred, eps=1e-12):
    return -y_true * np.log(y_pred + eps)
"""
COS_NO_NORM = """
import numpy as np
def cosine_similarity(a, b):
    return float(np.dot(a, b))
"""
COS_ABS = """
import numpy as np
def cosine_similarity(a, b):
    return float(abs(np.dot(a, b)) / (np.linalg.norm(a) * np.linalg.norm(b)))
"""
COS_SQUARED_NORMS = """
import numpy as np
def cosine_similarity(a, b):
    return float(np.dot(a, b) / (np.sum(a**2) * np.sum(b**2)))
"""
LOGPDF_VARIANCE = """
import numpy as np
def log_normal_pdf(x, mu, sigma):
    return -0.5 * (np.log(2 * np.pi * sigma) + (x - mu) ** 2 / sigma)
"""
LOGPDF_LOG_OF_PDF = """
import numpy as np
def log_normal_pdf(x, mu, sigma):
    pdf = np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)
    return np.log(pdf)
"""
LOGPDF_FLOAT_ONLY = """
import math
def log_normal_pdf(x, mu, sigma):
    return -0.5 * (math.log(2 * math.pi * sigma**2) + (x - mu) ** 2 / sigma**2)
"""
SGD_SUM = """
import numpy as np
def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    g = sum(grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch))
    return theta - alpha * g
"""
SGD_IN_PLACE = """
import numpy as np
def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    g = np.mean([grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)], axis=0)
    theta -= alpha * g
    return theta
"""
SGD_ASCENT = """
import numpy as np
def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    g = np.mean([grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)], axis=0)
    return theta + alpha * g
"""
SGD_FIRST_ONLY = """
import numpy as np
def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    return theta - alpha * grad_fn(theta, X_batch[0], y_batch[0])
"""
SGD_FIXED_ALPHA = """
import numpy as np
def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    g = np.mean([grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)], axis=0)
    return theta - 0.01 * g
"""

# (exercise, source, expected score of the visible cases, reasons that must appear,
#  text that must appear in some failing case's message or hint)
TABLE = [
    pytest.param(
        "softmax",
        SOFTMAX_NAIVE,
        8,
        {"non_finite"},
        "subtract max(z)",
        id="softmax without max shift",
    ),
    pytest.param(
        "softmax",
        SOFTMAX_GLOBAL_SUM,
        7,
        {"wrong"},
        "each row (along axis) must sum to 1",
        id="softmax normalised over the whole 2-D array",
    ),
    pytest.param(
        "softmax",
        SOFTMAX_NO_KEEPDIMS_AXIS0,
        11,
        {"wrong"},
        "axis argument",
        id="softmax ignoring axis",
    ),
    pytest.param(
        "softmax",
        SOFTMAX_IN_PLACE,
        0,
        {"inputs_modified"},
        "changed its input",
        id="softmax modifying its input",
    ),
    pytest.param(
        "softmax",
        SOFTMAX_UNNORMALISED,
        0,
        {"wrong"},
        "expected [",
        id="softmax without normalising",
    ),
    pytest.param(
        "cross_entropy",
        CE_NO_EPS,
        5,
        {"non_finite"},
        "add eps inside the log",
        id="cross-entropy without eps",
    ),
    pytest.param(
        "cross_entropy",
        CE_MEAN,
        0,
        {"wrong"},
        "abs diff",
        id="cross-entropy mean instead of sum",
    ),
    pytest.param(
        "cross_entropy",
        CE_NO_MINUS,
        0,
        {"wrong"},
        "expected 0.2231",
        id="cross-entropy missing minus",
    ),
    pytest.param(
        "cross_entropy",
        CE_RETURNS_ARRAY,
        0,
        {"wrong_shape"},
        "expected a single number",
        id="cross-entropy returning the terms",
    ),
    pytest.param(
        "cosine_similarity", COS_NO_NORM, 0, {"wrong"}, "norms", id="cosine without the norms"
    ),
    pytest.param("cosine_similarity", COS_ABS, 4, {"wrong"}, "expected -1", id="cosine with abs"),
    pytest.param(
        "cosine_similarity",
        COS_SQUARED_NORMS,
        0,
        {"wrong"},
        "rel diff",
        id="cosine with squared norms",
    ),
    pytest.param(
        "log_normal_pdf",
        LOGPDF_VARIANCE,
        4,
        {"wrong"},
        "standard deviation",
        id="log-pdf with sigma as variance",
    ),
    pytest.param(
        "log_normal_pdf",
        LOGPDF_LOG_OF_PDF,
        8,
        {"non_finite"},
        "write the log-density directly",
        id="log-pdf as log of the pdf",
    ),
    pytest.param(
        "log_normal_pdf",
        LOGPDF_FLOAT_ONLY,
        9,
        {"exception"},
        "raised TypeError",
        id="log-pdf with math instead of numpy",
    ),
    pytest.param(
        "sgd_step",
        SGD_SUM,
        0,
        {"wrong"},
        "not their mean: divide by the batch size",
        id="sgd with the sum of gradients",
    ),
    pytest.param(
        "sgd_step",
        SGD_IN_PLACE,
        0,
        {"inputs_modified"},
        "changed its input #1",
        id="sgd updating theta in place",
    ),
    pytest.param("sgd_step", SGD_ASCENT, 0, {"wrong"}, "theta - alpha", id="sgd gradient ascent"),
    pytest.param(
        "sgd_step", SGD_FIRST_ONLY, 0, {"wrong"}, "average", id="sgd with the first example only"
    ),
    pytest.param(
        "sgd_step", SGD_FIXED_ALPHA, 2, {"wrong"}, "max abs diff", id="sgd ignoring alpha"
    ),
]


@pytest.mark.parametrize(("exercise", "source", "score", "reasons", "text"), TABLE)
def test_wrong_implementation_feedback(
    run_grade,
    submission,
    exercise: str,
    source: str,
    score: float,
    reasons: set[str],
    text: str,
) -> None:
    """A known-wrong implementation gets its expected score and feedback that names the slip."""
    folder = submission(**{exercise: source})
    result = run_grade(str(folder / f"{exercise}.py"))
    graded = result.exercise(exercise)
    failing = [c for c in graded["cases"] if not c["passed"]]
    feedback = "\n".join(c["message"] + "\n" + c["hint"] for c in failing)
    assert 1 == result.code
    assert score == graded["score"]
    assert reasons <= {c["reason"] for c in failing}
    assert text in feedback


def test_wrong_everywhere_scores_zero_even_if_inputs_untouched(run_grade, submission) -> None:
    """Leaving inputs untouched earns nothing on its own: a function wrong everywhere gets 0."""
    source = "def softmax(z, axis=-1):\n    return z * 0 + 0.5\n"
    folder = submission(softmax=source)
    graded = run_grade(str(folder / "softmax.py")).exercise("softmax")
    assert 0 == graded["score"]


def _empty_answer_cases() -> tuple[list[str], float]:
    """The visible symbols_in cases whose reference answer is an empty list, and the visible
    points in all (from rubrics/ and the reference)."""
    from grader.plan import plan_exercise
    from grader.rubric import load_rubrics
    from tests.conftest import RUBRICS, SOLUTIONS

    (rubric,) = [r for r in load_rubrics(RUBRICS) if r.id == "symbols_in"]
    plan = plan_exercise(rubric, SOLUTIONS)
    empty = [c.spec.name for c in plan.cases if isinstance(c.expected, list) and not c.expected]
    return empty, sum(c.spec.points for c in plan.cases)


@pytest.mark.parametrize(
    ("instead", "got"),
    [("['x']", "got a list of 1 items"), ("None", "got None"), ("'none'", "got str")],
)
def test_an_empty_list_of_strings_is_named_as_one(
    run_grade, submission, instead: str, got: str
) -> None:
    """A symbols_in that returns something else where the reference finds no known symbol is
    told an empty list of strings was expected and shown what it returned instead (the empty
    answer was planned as an empty array: "expected a number or a NumPy array, got list")."""
    empty, total = _empty_answer_cases()
    assert empty  # the rubric has such a case
    reference = (SOLUTIONS / "symbols_in.py").read_text(encoding="utf-8")
    last = "    return [symbol for _, symbol in sorted(found)]"
    wrong = reference.replace(last, f"    if not found:\n        return {instead}\n{last}")
    assert wrong != reference
    graded = run_grade(str(submission(symbols_in=wrong) / "symbols_in.py")).exercise("symbols_in")
    failing = {c["name"]: c for c in graded["cases"] if not c["passed"]}
    assert sorted(empty) == sorted(failing)
    for case in failing.values():
        assert case["reason"] == "wrong_structure"
        first = case["message"].splitlines()[0]
        assert f"expected an empty list of strings, {got}" == first
        assert "[]" == case["details"]["expected"]
        assert case["details"]["actual"] == repr(eval(instead))  # noqa: S307 - a literal above
    lost = sum(c["max_score"] for c in failing.values())
    assert total - lost == graded["score"]


def test_the_reference_symbols_in_passes_its_empty_answer(run_grade) -> None:
    """The reference, which returns [] for a formula without known symbols, scores in full."""
    empty, total = _empty_answer_cases()
    graded = run_grade(str(SOLUTIONS / "symbols_in.py")).exercise("symbols_in")
    assert total == graded["score"]
    assert set(empty) <= {c["name"] for c in graded["cases"] if c["passed"]}
