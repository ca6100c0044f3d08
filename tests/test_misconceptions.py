"""Feedback that names the mistake: misconceptions and signatures, in English and Japanese.

Each wrong implementation below is written independently of the variants in
``solutions/misconceptions/`` (loops, other NumPy calls), runs through the real pipeline
(child process, checks, scoring) and must be told the one misconception or signature given
in its row, in both languages. Correct implementations written other ways are never told
anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import messages, misconceptions, signatures
from grader.model import CaseResult, ExerciseResult, Outcome
from grader.plan import ExercisePlan, plan_exercise
from grader.rubric import Rubric, load_rubrics

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
SOLUTIONS = ROOT / "solutions"


def _visible_failures(result: ExerciseResult) -> list[CaseResult]:
    return [c for c in result.cases if c.outcome is Outcome.FAILED and not c.hidden]


# -- the table: wrong implementations and what the feedback must name --------------------------

M, S = "misconception", "signature"

TABLE = [
    # softmax
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    return np.apply_along_axis(lambda r: np.exp(r) / np.exp(r).sum(), axis, z)\n",
        M,
        "no_max_shift",
        id="softmax: per-row exp/sum without max shift",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n    e = np.exp(z - z.max())\n    return e / e.sum()\n",
        M,
        "whole_array",
        id="softmax: normalises over the whole array",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    return z - np.logaddexp.reduce(z, axis=axis, keepdims=True)\n",
        M,
        "log_softmax",
        id="softmax: returns log-softmax via logaddexp",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    return np.power(np.e, z - z.max(axis=axis, keepdims=True))\n",
        M,
        "not_normalised",
        id="softmax: forgets to normalise",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    e = np.exp(z - np.max(z))\n"
        "    return e / np.sum(e, axis=axis, keepdims=True)\n",
        M,
        "global_max",
        id="softmax: subtracts the global max",
    ),
    pytest.param(
        "softmax",
        "def _one(r):\n"
        "    m = max(r)\n"
        "    e = [math.exp(v - m) for v in r]\n"
        "    return [v / sum(e) for v in e]\n"
        "def softmax(z, axis=-1):\n"
        "    if z.ndim == 1:\n"
        "        return np.array(_one(z))\n"
        "    return np.array([_one(row) for row in z])\n",
        M,
        "ignores_axis",
        id="softmax: loops over rows, ignores axis",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    if z.ndim == 1:\n"
        "        e = np.exp(z - z.max())\n"
        "        return e / e.sum()\n"
        "    zt = np.moveaxis(z, axis, 0)\n"
        "    e = np.exp(zt - zt.max(axis=0))\n"
        "    return e / e.sum(axis=0)\n",
        S,
        "transposed",
        id="softmax: 2-D result transposed",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
        "    return (e / e.sum(axis=axis, keepdims=True)).ravel()\n",
        S,
        "flattened",
        id="softmax: result flattened",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    if z.ndim == 1:\n"
        "        e = np.exp(z - z.max())\n"
        "    else:\n"
        "        e = np.exp(z)\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n",
        S,
        "overflow",
        id="softmax: max shift on 1-D only",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    e = np.exp(z - z.max(axis=0, keepdims=True))\n"
        "    return e / e.sum(axis=0, keepdims=True)\n",
        S,
        "2d_only",
        id="softmax: always along axis 0",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    z -= np.max(z, axis=axis, keepdims=True)\n"
        "    np.exp(z, out=z)\n"
        "    z /= z.sum(axis=axis, keepdims=True)\n"
        "    return z\n",
        S,
        "inputs_modified",
        id="softmax: computed in place in z",
    ),
    # cross-entropy
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    total = 0.0\n"
        "    for t, p in zip(y_true, y_pred):\n"
        "        with np.errstate(divide='ignore', invalid='ignore'):\n"
        "            total -= t * np.log(p)\n"
        "    return float(total)\n",
        M,
        "no_eps",
        id="cross-entropy: loop without eps",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return float(-np.sum(y_true * np.log(y_pred + eps)) / np.log(2))\n",
        M,
        "log2",
        id="cross-entropy: divides by log 2",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return float(np.sum(y_true * np.log(np.clip(y_pred, eps, None))))\n",
        M,
        "missing_minus",
        id="cross-entropy: no minus (clip)",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return float(-(y_true * np.log(y_pred + eps)).sum() / len(y_true))\n",
        M,
        "mean_not_sum",
        id="cross-entropy: divides by the number of classes",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return float(-np.dot(y_pred, np.log(y_true + eps)))\n",
        M,
        "swapped_arguments",
        id="cross-entropy: p and q swapped",
    ),
    pytest.param(
        "cross_entropy",
        "EPS = 1e-12\n"
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return float(-np.dot(y_true, np.log(y_pred + EPS)))\n",
        M,
        "fixed_eps",
        id="cross-entropy: module constant instead of eps",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return float(-np.sum(y_true * np.log10(y_pred + eps)))\n",
        M,
        "log10",
        id="cross-entropy: log10",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return -np.sum(y_true * np.log(y_pred + eps), keepdims=True)\n",
        S,
        "kept_dims",
        id="cross-entropy: keepdims=True",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    with np.errstate(divide='ignore'):\n"
        "        return float(-np.log(y_pred[np.argmax(y_true)]))\n",
        S,
        "log_zero",
        id="cross-entropy: true class only, no eps",
    ),
    # cosine similarity
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    dot = sum(x * y for x, y in zip(a, b))\n"
        "    na = math.sqrt(sum(x * x for x in a))\n"
        "    nb = math.sqrt(sum(y * y for y in b))\n"
        "    return 1 - dot / (na * nb)\n",
        M,
        "one_minus_cos",
        id="cosine: 1 - cos with loops",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    return float(abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b)))\n",
        M,
        "absolute",
        id="cosine: abs of the dot product",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n    return float(np.dot(a, b) / np.linalg.norm(b))\n",
        M,
        "missing_norm",
        id="cosine: only b's norm",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    return float((a @ b) / ((a ** 2).sum() * (b ** 2).sum()))\n",
        M,
        "squared_norms",
        id="cosine: squared norms",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n    return float(np.sum(a * b))\n",
        M,
        "no_norms",
        id="cosine: plain dot product",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    return np.dot(a[None, :], b) / (np.linalg.norm(a) * np.linalg.norm(b))\n",
        S,
        "kept_dims",
        id="cosine: array of shape (1,)",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    return -float(a @ b) / float(np.linalg.norm(a) * np.linalg.norm(b))\n",
        S,
        "sign",
        id="cosine: extra minus",
    ),
    # normal log-density
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return -0.5 * np.log(2 * np.pi * sigma) - (x - mu) ** 2 / (2 * sigma)\n",
        M,
        "sigma_as_variance",
        id="log-pdf: sigma as variance",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return np.exp(-(x - mu) ** 2 / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))\n",
        M,
        "pdf_not_log",
        id="log-pdf: the density",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    with np.errstate(divide='ignore'):\n"
        "        return np.log(np.exp(-(x - mu) ** 2 / (2 * sigma**2)))"
        " - 0.5 * np.log(2 * np.pi * sigma**2)\n",
        M,
        "log_of_pdf",
        id="log-pdf: log(exp(...)) underflows in the tail",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return -np.log(2 * np.pi) - 2 * np.log(sigma) - ((x - mu) / sigma) ** 2\n",
        M,
        "missing_half",
        id="log-pdf: no 1/2 anywhere",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return -0.5 * np.log(2 * np.pi * sigma**2) - ((x - mu) / sigma) ** 2\n",
        M,
        "missing_half",
        id="log-pdf: no 1/2 on the square",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return -np.log(sigma) - 0.5 * ((x - mu) / sigma) ** 2\n",
        M,
        "no_two_pi",
        id="log-pdf: no 2 pi",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return 0.5 * (np.log(2 * np.pi * sigma**2) + (x - mu) ** 2 / sigma**2)\n",
        S,
        "sign",
        id="log-pdf: negative log-density",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return -0.5 * (np.log(np.pi * sigma**2) + (x - mu) ** 2 / sigma**2)\n",
        S,
        "offset",
        id="log-pdf: pi instead of 2 pi",
    ),
    # SGD step
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    g = np.zeros_like(theta)\n"
        "    for x, y in zip(X_batch, y_batch):\n"
        "        g = g + grad_fn(theta, x, y)\n"
        "    return theta - alpha * g\n",
        M,
        "sum_not_mean",
        id="sgd: sum of gradients in a loop",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    g = np.mean([grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)], axis=0)\n"
        "    return theta + alpha * g\n",
        M,
        "gradient_ascent",
        id="sgd: plus instead of minus",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    g = sum(grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)) / len(X_batch)\n"
        "    theta -= alpha * g\n"
        "    return theta\n",
        M,
        "in_place",
        id="sgd: theta -= in place",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    return theta - alpha * grad_fn(theta, X_batch[0], y_batch[0])\n",
        M,
        "first_example_only",
        id="sgd: first example only",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    for x, y in zip(X_batch, y_batch):\n"
        "        g = grad_fn(theta, x, y)\n"
        "    return theta - alpha * g\n",
        M,
        "last_example_only",
        id="sgd: loop overwrites the gradient",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    lr = 0.01\n"
        "    g = np.mean([grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)], axis=0)\n"
        "    return theta - lr * g\n",
        M,
        "ignores_alpha",
        id="sgd: learning rate hard-coded",
    ),
]

_SIGNATURE_KEYS = {
    "transposed": ["sig_transposed", "sig_transposed_square"],
    "kept_dims": ["sig_kept_dims", "sig_kept_dims_scalar"],
    "flattened": ["sig_flattened"],
    "overflow": ["sig_overflow"],
    "underflow": ["sig_underflow"],
    "underflow_log": ["sig_underflow_log"],
    "reduced": [
        "sig_reduced_sum",
        "sig_reduced_mean",
        "sig_reduced_all_sum",
        "sig_reduced_all_mean",
    ],
    "log_zero": ["sig_log_zero"],
    "sign": ["sig_sign"],
    "factor": ["sig_factor", "sig_factor_log"],
    "offset": ["sig_offset"],
    "2d_only": ["sig_2d_only"],
    "inputs_modified": ["inputs_modified"],
}


def _catalogue_starts(ident: str, lang: str) -> list[str]:
    """The fixed opening of the signature's sentence in ``lang`` (up to its first placeholder)."""
    starts = []
    for key in _SIGNATURE_KEYS[ident]:
        english = messages.CATALOGUE[key]
        template = english if lang == "en" else messages.translations(lang).get(key, english)
        starts.append(template.split("{")[0])
    return starts


def _hint_of(plan: ExercisePlan, ident: str, case: str, lang: str) -> str:
    found = next(m for m in misconceptions.misconceptions_of(plan.rubric) if m.id == ident)
    return found.hint_for(case, lang)


def test_table_has_at_least_25_entries() -> None:
    """The feedback table holds at least 25 wrong implementations."""
    assert len(TABLE) >= 25


@pytest.mark.parametrize(("exercise", "source", "kind", "ident"), TABLE)
@pytest.mark.slow
def test_feedback_names_the_mistake(
    grade: Any, plans: dict[str, ExercisePlan], exercise: str, source: str, kind: str, ident: str
) -> None:
    """The wrong implementation is told its misconception or signature, in both languages."""
    results = grade(exercise, source)
    for lang, result in results.items():
        failures = _visible_failures(result)
        assert failures, "the implementation should fail a visible case"
        named = {c.details.get(kind) for c in failures} - {None}
        assert {ident} == named, lang
        other = M if kind == S else S
        assert [] == [c.name for c in result.cases if other in c.details]
        if kind == M:
            expected = [_hint_of(plans[exercise], ident, c.name, lang) for c in failures]
            assert expected == [c.hint for c in failures]
        else:
            starts = _catalogue_starts(ident, lang)
            lines = [c.message.splitlines()[-1] for c in failures if c.details.get(S) == ident]
            assert all(any(line.startswith(s) for s in starts) for line in lines), lines


# -- correct implementations are never told anything -------------------------------------------

CORRECT = [
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    return np.exp(z - np.logaddexp.reduce(z, axis=axis, keepdims=True))\n",
        id="softmax via logaddexp",
    ),
    pytest.param(
        "softmax",
        "def _one(r):\n"
        "    m = max(r)\n"
        "    e = [math.exp(v - m) for v in r]\n"
        "    s = sum(e)\n"
        "    return [v / s for v in e]\n"
        "def softmax(z, axis=-1):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    moved = np.moveaxis(z, axis, -1)\n"
        "    rows = moved.reshape(-1, moved.shape[-1])\n"
        "    out = np.array([_one(list(r)) for r in rows]).reshape(moved.shape)\n"
        "    return np.moveaxis(out, -1, axis)\n",
        id="softmax with loops",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return -sum(t * math.log(p + eps) for t, p in zip(y_true, y_pred))\n",
        id="cross-entropy with a loop",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return float(-np.dot(y_true, np.log(y_pred + eps)))\n",
        id="cross-entropy via dot",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    dot = sum(x * y for x, y in zip(a, b))\n"
        "    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))\n",
        id="cosine with loops",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    ua = a / np.sqrt(np.einsum('i,i', a, a))\n"
        "    ub = b / np.sqrt(np.einsum('i,i', b, b))\n"
        "    return float(ua @ ub)\n",
        id="cosine of unit vectors",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    z = (np.asarray(x) - mu) / sigma\n"
        "    return -np.log(sigma) - 0.5 * np.log(2 * np.pi) - 0.5 * z * z\n",
        id="log-pdf via standardised z",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    new = theta.copy()\n"
        "    total = np.zeros_like(theta)\n"
        "    for i in range(len(X_batch)):\n"
        "        total += grad_fn(theta, X_batch[i], y_batch[i])\n"
        "    new -= alpha / len(X_batch) * total\n"
        "    return new\n",
        id="sgd with a loop and a copy",
    ),
]


@pytest.mark.parametrize(("exercise", "source"), CORRECT)
def test_correct_implementation_is_told_nothing(grade: Any, exercise: str, source: str) -> None:
    """A correct implementation written another way passes every case and names no mistake."""
    result = grade(exercise, source)["en"]
    flagged = [c.name for c in result.cases if M in c.details or S in c.details]
    assert (result.max_score, []) == (result.score, flagged)


def _solution_source(exercise: str) -> str:
    return (SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8")


NEARLY = {
    "softmax": "    wobble = np.cos(np.arange(np.size(z))).reshape(np.shape(z))\n"
    "    return _ref(z, axis) * (1 + 1e-3 * wobble)\n",
    "cross_entropy": "    return _ref(y_true, y_pred, eps) + 1e-3 * float(np.sum(y_pred ** 2))\n",
    "cosine_similarity": "    return _ref(a, b) * (1 + 1e-3 * float(np.sum(a)))\n",
    "log_normal_pdf": "    return _ref(x, mu, sigma) + 1e-3 * np.sin(np.asarray(x))\n",
    "sgd_step": "    return _ref(theta, X_batch, y_batch, grad_fn, alpha) + 1e-3 * np.cos(theta)\n",
}


@pytest.mark.parametrize("exercise", sorted(NEARLY))
def test_unrelated_error_is_not_called_a_misconception(
    grade: Any, plans: dict[str, ExercisePlan], exercise: str
) -> None:
    """A reference with an unrelated small error fails but is told no known misconception."""
    rubric = plans[exercise].rubric
    reference = _solution_source(exercise).replace(f"def {rubric.function}(", "def _ref(")
    params = reference.split("def _ref(", 1)[1].split(")", 1)[0]
    source = f"{reference}\n\ndef {rubric.function}({params}):\n{NEARLY[exercise]}"
    result = grade(exercise, source)["en"]
    assert _visible_failures(result)
    assert [] == [c.name for c in result.cases if M in c.details]


# -- every rubric misconception is recognised as itself ----------------------------------------


def _variants() -> list[Any]:
    params = []
    for rubric in load_rubrics(RUBRICS, use_cache=False):
        for item in misconceptions.misconceptions_of(rubric):
            for name in item.functions:
                params.append(pytest.param(rubric, item.id, name, id=f"{rubric.id}.{name}"))
    return params


@pytest.mark.parametrize(("rubric", "ident", "function"), _variants())
def test_each_variant_is_named_as_itself(
    grade: Any, rubric: Rubric, ident: str, function: str
) -> None:
    """Submitting a rubric's own known-wrong variant names exactly that misconception."""
    source = misconceptions.variant_file(rubric, SOLUTIONS).read_text(encoding="utf-8")
    source += f"\n\n{rubric.function} = {function}\n"
    result = grade(rubric.id, source)["en"]
    named = {c.details.get(M) for c in _visible_failures(result)}
    assert {ident} == named


NUMERIC_RUBRICS = [
    r for r in load_rubrics(RUBRICS, use_cache=False) if all(c.check != "latex" for c in r.cases)
]


@pytest.mark.parametrize("rubric", NUMERIC_RUBRICS, ids=lambda r: r.id)
def test_each_exercise_ships_four_misconceptions(rubric: Rubric) -> None:
    """Every NumPy exercise lists at least four misconceptions, each with a function that exists.

    The LaTeX exercise names its slips through its equivalence feedback instead.
    """
    known = misconceptions.misconceptions_of(rubric)
    module = (SOLUTIONS / "misconceptions" / rubric.file).read_text(encoding="utf-8")
    missing = [n for m in known for n in m.functions if f"def {n}(" not in module]
    assert (True, []) == (len(known) >= 4, missing)


# -- signatures, directly ----------------------------------------------------------------------


def _sample(name: str, expected: Any, got: Any, *inputs: Any, failed: bool = True) -> Any:
    return signatures.Sample(
        name, failed, np.asarray(expected, float), np.asarray(got, float), inputs
    )


def test_signature_factor_names_the_factor() -> None:
    """A constant factor on every failing case is reported with its value."""
    a = np.array([1.0, 2.0, 3.0])
    found = signatures.find([_sample("x", a, 2 * a, a), _sample("y", -a, -2 * a, a)])
    assert ("factor", "factor") == (found["x"].id, found["y"].id)
    assert "2 × the reference" in found["x"].text


def test_signature_single_number_claims_no_factor() -> None:
    """One wrong number alone is not called a constant factor."""
    assert {} == signatures.find([_sample("x", 1.0, 3.0, np.array([1.0, 2.0]))])


def test_signature_overflow_needs_a_calm_case() -> None:
    """nan only on large inputs is overflow only when a case with small inputs came out finite."""
    big = _sample("big", [0.5, 0.5], [np.nan, np.nan], np.array([1000.0, 1000.0]))
    calm = _sample("calm", [0.5, 0.5], [0.5, 0.5], np.array([1.0, 1.0]), failed=False)
    assert "overflow" == signatures.find([big, calm])["big"].id
    assert {} == signatures.find([big])


def test_diagnose_leaves_passing_results_alone(plans: dict[str, ExercisePlan]) -> None:
    """Without a failed case, diagnosis returns the results unchanged and runs nothing."""
    plan = plans["softmax"]
    passed = [CaseResult(c.spec.name, Outcome.PASSED, 1.0, 1.0) for c in plan.cases]
    from grader.execute import ExerciseRun

    assert passed == misconceptions.diagnose(plan, ExerciseRun({}), passed)


def test_table_sources_do_not_copy_the_variants() -> None:
    """No table entry is a copy of a rubric variant (the table tests recognition, not identity)."""
    variants = set()
    for path in (SOLUTIONS / "misconceptions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        variants.update(b.strip() for b in text.split("\ndef ")[1:])
    bodies = {p.values[1].split("def ", 1)[-1].strip() for p in TABLE}
    assert set() == bodies & variants


@pytest.mark.slow
def test_json_report_carries_the_misconception(run_grade, submission) -> None:  # type: ignore[no-untyped-def]
    """Through the CLI, the JSON report names the misconception per failing case."""
    folder = submission(
        sgd_step="import numpy as np\n"
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    return theta - alpha * sum(grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch))\n"
    )
    run = run_grade(str(folder), "--lang", "ja")
    cases = run.exercise("sgd_step")["cases"]
    assert {"sum_not_mean"} == {c["details"].get("misconception") for c in cases}
    assert "バッチサイズで割ってください" in cases[0]["hint"]
    assert "線形回帰、バッチサイズ 4" == cases[0]["title"]


def test_missing_variant_file_is_a_rubric_error(tmp_path: Path) -> None:
    """A rubric naming variants that are not there fails up front, naming the file."""
    from grader.errors import RubricError

    (rubric,) = [r for r in load_rubrics(RUBRICS, use_cache=False) if r.id == "cosine_similarity"]
    (tmp_path / "cosine_similarity.py").write_text(
        (SOLUTIONS / "cosine_similarity.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(RubricError, match=r"misconceptions/cosine_similarity.py were not found"):
        plan_exercise(rubric, tmp_path)


@pytest.mark.slow
def test_passing_submission_never_loads_the_diagnosis() -> None:
    """Grading all-correct solutions imports neither the diagnosis nor the variants."""
    import os
    import subprocess
    import sys

    code = (
        "import contextlib, io, sys\n"
        "from grader import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = cli.main([{str(SOLUTIONS)!r}, '--rubrics', {str(RUBRICS)!r}])\n"
        "loaded = sorted(m for m in sys.modules if 'misconceptions' in m or m.endswith('.po'))\n"
        "print(code, loaded)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"], "LANG": "C"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert "0 []" == out.stdout.strip()


UNRELATED = [
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n    return float(a @ b / np.linalg.norm(a * b))\n",
        id="cosine: norm of the product",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return -0.5 * np.log(2 * np.pi * sigma**2) - (x - mu) ** 2 / 2 * sigma**2\n",
        id="log-pdf: operator precedence",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    grads = [grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)]\n"
        "    return theta - alpha * np.mean(grads)\n",
        id="sgd: mean over everything",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n    e = np.exp(z - np.max(z))\n    return e / e.sum(axis=0)\n",
        id="softmax: global max, column sums",
    ),
]


@pytest.mark.parametrize(("exercise", "source"), UNRELATED)
def test_other_mistakes_are_not_given_a_misconception(
    grade: Any, exercise: str, source: str
) -> None:
    """A wrong answer that no listed slip explains is not told one."""
    result = grade(exercise, source)["en"]
    assert _visible_failures(result)
    assert [] == [c.name for c in result.cases if M in c.details]
