# ruff: noqa: E501 - whole formulas on one line are the readable form of this table
"""Equivalence on KaTeX's MathML: harmless differences pass, real ones are named."""

from __future__ import annotations

import pytest

from grader.latex.engine import Rendered, get_engine
from grader.latex.equivalence import explain, normalise, to_tex

CE = r"\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{C} y_i \log \hat{y}_i"
ATTENTION = r"\text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"
KL = r"D_{\text{KL}}(q \| p) = \sum_{x} q(x) \log \frac{q(x)}{p(x)}"
GD = r"\theta^{(t+1)} = \theta^{(t)} - \alpha \nabla_\theta \mathcal{L}(\theta^{(t)})"
ELBO = (
    r"\mathcal{L}_{\text{ELBO}} = \mathbb{E}_{q_\phi(\mathbf{z}|\mathbf{x})}"
    r" \left[ \log p_\theta(\mathbf{x}|\mathbf{z}) \right]"
    r" - D_{\text{KL}}(q_\phi(\mathbf{z}|\mathbf{x}) \| p(\mathbf{z}))"
)


def _norm(source: str) -> tuple[object, ...]:
    rendered = get_engine().render(source)
    assert isinstance(rendered, Rendered), rendered
    return normalise(rendered.mathml)


# (student, reference, verdict): the table is the specification
TABLE = [
    ("\\mathcal{L}_{\\text{CE}}=-\\sum_{i=1}^{C}y_i\\log\\hat{y}_i", CE, "equivalent"),
    ("\\mathcal{L}_{\\mathrm{CE}} = -\\sum_{i=1}^{C} y_i \\log \\hat{y}_i", CE, "equivalent"),
    ("\\mathcal{L}_{\\operatorname{CE}} = -\\sum_{i=1}^{C} y_i \\log \\hat{y}_i", CE, "equivalent"),
    ("{\\mathcal{L}}_{{\\text{CE}}} = -\\sum_{i=1}^{C} {y_i} \\log {\\hat{y}_i}", CE, "equivalent"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum^{C}_{i=1} y_i \\log \\hat{y}_i", CE, "equivalent"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum\\limits_{i=1}^{C} y_i \\log \\hat{y}_i", CE, "equivalent"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\, \\log \\hat{y}_i", CE, "equivalent"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\cdot \\log \\hat{y}_i", CE, "equivalent"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\text{log} \\hat{y}_i", CE, "equivalent"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\log {\\hat{y}}_i", CE, "equivalent"),
    ("\\mathcal{L}_{\\text{CE}} = \\sum_{i=1}^{C} y_i \\log \\hat{y}_i", CE, "different"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum_{i=0}^{C} y_i \\log \\hat{y}_i", CE, "different"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\log y_i", CE, "different"),
    ("L_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\log \\hat{y}_i", CE, "different"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{N} y_i \\log \\hat{y}_i", CE, "different"),
    ("\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} \\hat{y}_i \\log y_i", CE, "different"),
    ("\\mathcal{L}_{\\text{CE}} = -\\prod_{i=1}^{C} y_i \\log \\hat{y}_i", CE, "different"),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK^T}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "equivalent",
    ),
    (
        "\\text{Attention}(Q,K,V)=\\text{softmax}(\\frac{QK^\\top}{\\sqrt{d_k}})V",
        ATTENTION,
        "equivalent",
    ),
    (
        "\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "equivalent",
    ),
    (
        "\\operatorname{Attention}(Q, K, V) = \\operatorname{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "equivalent",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{Q \\cdot K^\\top}{\\sqrt{d_k}}\\right) V",
        ATTENTION,
        "equivalent",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\bigl(\\frac{QK^\\top}{\\sqrt{d_k}}\\bigr)V",
        ATTENTION,
        "equivalent",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK^\\top}{d_k}\\right)V",
        ATTENTION,
        "different",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "different",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d}}\\right)V",
        ATTENTION,
        "different",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)",
        ATTENTION,
        "different",
    ),
    (
        "\\text{Attention}(Q, K, V) = softmax\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "different",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{\\sqrt{d_k}}{QK^\\top}\\right)V",
        ATTENTION,
        "different",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{K^\\top Q}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "different",
    ),
    ("D_{\\text{KL}}(q\\|p)=\\sum_x q(x)\\log\\frac{q(x)}{p(x)}", KL, "equivalent"),
    ("D_{\\mathrm{KL}}(q \\Vert p) = \\sum_{x} q(x) \\log \\frac{q(x)}{p(x)}", KL, "equivalent"),
    ("D_{\\text{KL}}(q \\parallel p) = \\sum_{x} q(x) \\log \\frac{q(x)}{p(x)}", KL, "equivalent"),
    (
        "D_{\\text{KL}}\\left(q \\| p\\right) = \\sum_{x} q(x) \\log \\left(\\frac{q(x)}{p(x)}\\right)",
        KL,
        "different",
    ),
    ("D_{\\text{KL}}(p \\| q) = \\sum_{x} q(x) \\log \\frac{q(x)}{p(x)}", KL, "different"),
    ("D_{\\text{KL}}(q \\| p) = \\sum_{x} q(x) \\log \\frac{p(x)}{q(x)}", KL, "different"),
    ("D_{\\text{KL}}(q \\| p) = \\sum_{x} p(x) \\log \\frac{q(x)}{p(x)}", KL, "different"),
    ("D_{\\text{KL}}(q \\| p) = \\sum_{x} q(x) \\log q(x) / p(x)", KL, "different"),
    (
        "\\theta^{(t+1)}=\\theta^{(t)}-\\alpha\\nabla_{\\theta}\\mathcal{L}(\\theta^{(t)})",
        GD,
        "equivalent",
    ),
    (
        "\\theta^{(t+1)} = \\theta^{(t)} - \\alpha \\, \\nabla_\\theta \\mathcal{L}\\left(\\theta^{(t)}\\right)",
        GD,
        "equivalent",
    ),
    (
        "\\theta^{(t+1)} = \\theta^{(t)} + \\alpha \\nabla_\\theta \\mathcal{L}(\\theta^{(t)})",
        GD,
        "different",
    ),
    (
        "\\theta^{(t+1)} = \\theta^{(t)} - \\alpha \\nabla \\mathcal{L}(\\theta^{(t)})",
        GD,
        "different",
    ),
    (
        "\\theta^{t+1} = \\theta^{t} - \\alpha \\nabla_\\theta \\mathcal{L}(\\theta^{t})",
        GD,
        "different",
    ),
    (
        "\\theta_{t+1} = \\theta_{t} - \\alpha \\nabla_\\theta \\mathcal{L}(\\theta_{t})",
        GD,
        "different",
    ),
    (
        "\\theta^{(t+1)} = \\theta^{(t)} - \\eta \\nabla_\\theta \\mathcal{L}(\\theta^{(t)})",
        GD,
        "different",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}}=\\mathbb{E}_{q_{\\phi}(\\mathbf{z}|\\mathbf{x})}[\\log p_{\\theta}(\\mathbf{x}|\\mathbf{z})]-D_{\\text{KL}}(q_{\\phi}(\\mathbf{z}|\\mathbf{x})\\|p(\\mathbf{z}))",
        ELBO,
        "equivalent",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(\\mathbf{z}\\mid\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{x}\\mid\\mathbf{z}) \\right] - D_{\\text{KL}}(q_\\phi(\\mathbf{z}\\mid\\mathbf{x}) \\| p(\\mathbf{z}))",
        ELBO,
        "equivalent",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(z|x)} \\left[ \\log p_\\theta(x|z) \\right] - D_{\\text{KL}}(q_\\phi(z|x) \\| p(z))",
        ELBO,
        "different",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(\\mathbf{z}|\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{x}|\\mathbf{z}) \\right] + D_{\\text{KL}}(q_\\phi(\\mathbf{z}|\\mathbf{x}) \\| p(\\mathbf{z}))",
        ELBO,
        "different",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(\\mathbf{z}|\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{x}|\\mathbf{z}) \\right] - D_{\\text{KL}}(p(\\mathbf{z}) \\| q_\\phi(\\mathbf{z}|\\mathbf{x}))",
        ELBO,
        "different",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = E_{q_\\phi(\\mathbf{z}|\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{x}|\\mathbf{z}) \\right] - D_{\\text{KL}}(q_\\phi(\\mathbf{z}|\\mathbf{x}) \\| p(\\mathbf{z}))",
        ELBO,
        "different",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(\\mathbf{z}|\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{z}|\\mathbf{x}) \\right] - D_{\\text{KL}}(q_\\phi(\\mathbf{z}|\\mathbf{x}) \\| p(\\mathbf{z}))",
        ELBO,
        "different",
    ),
]

MESSAGES = [
    (
        "\\mathcal{L}_{\\text{CE}} = \\sum_{i=1}^{C} y_i \\log \\hat{y}_i",
        CE,
        "missing minus sign in the formula",
    ),
    (
        "\\mathcal{L}_{\\text{CE}} = -\\sum_{i=0}^{C} y_i \\log \\hat{y}_i",
        CE,
        "the subscript of `\\sum` has `0`; the reference has `1`",
    ),
    (
        "\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\log y_i",
        CE,
        "the formula has `y`; the reference has `\\hat{y}`",
    ),
    (
        "L_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\log \\hat{y}_i",
        CE,
        "the formula has `L`; the reference has `\\mathcal{L}`",
    ),
    (
        "\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{N} y_i \\log \\hat{y}_i",
        CE,
        "the superscript of `\\sum` has `N`; the reference has `C`",
    ),
    (
        "\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} \\hat{y}_i \\log y_i",
        CE,
        "`\\hat{y}_i` and `y_i` are swapped in the formula",
    ),
    (
        "\\mathcal{L}_{\\text{CE}} = -\\prod_{i=1}^{C} y_i \\log \\hat{y}_i",
        CE,
        "the formula has `\\prod`; the reference has `\\sum`",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK^\\top}{d_k}\\right)V",
        ATTENTION,
        "the denominator has `d_k`; the reference has `\\sqrt{d_k}`",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "the numerator has `K`; the reference has `K^T`",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d}}\\right)V",
        ATTENTION,
        "the square root has `d`; the reference has `d_k`",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)",
        ATTENTION,
        "the formula is missing `V` (after `\\frac{Q K^T}{\\sqrt{d_k}})`)",
    ),
    (
        "\\text{Attention}(Q, K, V) = softmax\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "softmax is written in italic letters; write it upright as `\\text{softmax}`",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{\\sqrt{d_k}}{QK^\\top}\\right)V",
        ATTENTION,
        "numerator and denominator are swapped in the formula",
    ),
    (
        "\\text{Attention}(Q, K, V) = \\text{softmax}\\left(\\frac{K^\\top Q}{\\sqrt{d_k}}\\right)V",
        ATTENTION,
        "`K^T` and `Q` are swapped in the numerator",
    ),
    (
        "D_{\\text{KL}}\\left(q \\| p\\right) = \\sum_{x} q(x) \\log \\left(\\frac{q(x)}{p(x)}\\right)",
        KL,
        "the formula has `(\\frac{q(x)}{p(x)})`; the reference has `\\frac{q(x)}{p(x)}`",
    ),
    (
        "D_{\\text{KL}}(p \\| q) = \\sum_{x} q(x) \\log \\frac{q(x)}{p(x)}",
        KL,
        "`p` and `q` are swapped inside `D_{\\text{KL}}(…)`",
    ),
    (
        "D_{\\text{KL}}(q \\| p) = \\sum_{x} q(x) \\log \\frac{p(x)}{q(x)}",
        KL,
        "numerator and denominator are swapped in the formula",
    ),
    (
        "D_{\\text{KL}}(q \\| p) = \\sum_{x} p(x) \\log \\frac{q(x)}{p(x)}",
        KL,
        "the formula has `p`; the reference has `q`",
    ),
    (
        "D_{\\text{KL}}(q \\| p) = \\sum_{x} q(x) \\log q(x) / p(x)",
        KL,
        "the formula has `q(x)/p(x)`; the reference has `\\frac{q(x)}{p(x)}`",
    ),
    (
        "\\theta^{(t+1)} = \\theta^{(t)} + \\alpha \\nabla_\\theta \\mathcal{L}(\\theta^{(t)})",
        GD,
        "the formula has `+`; the reference has `-`",
    ),
    (
        "\\theta^{(t+1)} = \\theta^{(t)} - \\alpha \\nabla \\mathcal{L}(\\theta^{(t)})",
        GD,
        "the formula has `\\nabla`; the reference has `\\nabla_{\\theta}`",
    ),
    (
        "\\theta^{t+1} = \\theta^{t} - \\alpha \\nabla_\\theta \\mathcal{L}(\\theta^{t})",
        GD,
        "the superscript of `\\theta` has `t+1`; the reference has `(t+1)`",
    ),
    (
        "\\theta_{t+1} = \\theta_{t} - \\alpha \\nabla_\\theta \\mathcal{L}(\\theta_{t})",
        GD,
        "the formula has `\\theta_{t+1}`; the reference has `\\theta^{(t+1)}`",
    ),
    (
        "\\theta^{(t+1)} = \\theta^{(t)} - \\eta \\nabla_\\theta \\mathcal{L}(\\theta^{(t)})",
        GD,
        "the formula has `\\eta`; the reference has `\\alpha`",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(z|x)} \\left[ \\log p_\\theta(x|z) \\right] - D_{\\text{KL}}(q_\\phi(z|x) \\| p(z))",
        ELBO,
        "the subscript of `\\mathbb{E}` has `z`; the reference has `\\mathbf{z}`",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(\\mathbf{z}|\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{x}|\\mathbf{z}) \\right] + D_{\\text{KL}}(q_\\phi(\\mathbf{z}|\\mathbf{x}) \\| p(\\mathbf{z}))",
        ELBO,
        "the formula has `+`; the reference has `-`",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(\\mathbf{z}|\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{x}|\\mathbf{z}) \\right] - D_{\\text{KL}}(p(\\mathbf{z}) \\| q_\\phi(\\mathbf{z}|\\mathbf{x}))",
        ELBO,
        "`p(\\mathbf{z})` and `q_{\\phi}(\\mathbf{z}|\\mathbf{x})` are swapped inside `D_{\\text{KL}}(…)`",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = E_{q_\\phi(\\mathbf{z}|\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{x}|\\mathbf{z}) \\right] - D_{\\text{KL}}(q_\\phi(\\mathbf{z}|\\mathbf{x}) \\| p(\\mathbf{z}))",
        ELBO,
        "the formula has `E`; the reference has `\\mathbb{E}`",
    ),
    (
        "\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(\\mathbf{z}|\\mathbf{x})} \\left[ \\log p_\\theta(\\mathbf{z}|\\mathbf{x}) \\right] - D_{\\text{KL}}(q_\\phi(\\mathbf{z}|\\mathbf{x}) \\| p(\\mathbf{z}))",
        ELBO,
        "`\\mathbf{z}` and `\\mathbf{x}` are swapped inside `p_{\\theta}(…)`",
    ),
]


@pytest.mark.parametrize(("student", "reference", "verdict"), TABLE)
def test_equivalence_table(student: str, reference: str, verdict: str) -> None:
    """Each pair gets the verdict the table gives it."""
    same = _norm(student) == _norm(reference)
    assert verdict == ("equivalent" if same else "different")


@pytest.mark.parametrize(("student", "reference", "message"), MESSAGES)
def test_first_difference_is_named(student: str, reference: str, message: str) -> None:
    """The explanation names the first difference in LaTeX-like terms."""
    assert message == explain(_norm(student), _norm(reference))


def test_table_is_large_enough() -> None:
    """The table holds at least 40 pairs, with both verdicts well represented."""
    verdicts = [v for _, _, v in TABLE]
    assert (True, True, True) == (
        len(TABLE) >= 40,
        verdicts.count("equivalent") >= 15,
        verdicts.count("different") >= 15,
    )


def test_to_tex_rebuilds_reference_shape() -> None:
    """`to_tex` turns a normalised formula back into readable LaTeX."""
    assert (
        r"\theta^{(t+1)} = \theta^{(t)}-\alpha\nabla_{\theta}\mathcal{L}(\theta^{(t)})"
        == to_tex(_norm(GD))
    )
