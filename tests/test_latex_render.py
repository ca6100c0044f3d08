"""`to_unicode`: a readable one-line approximation of a formula for terminals."""

from __future__ import annotations

import pytest

from grader.latex import to_unicode


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\theta", "θ"),
        (r"\sum_{i=1}^{C} y_i", "∑ᵢ₌₁^C yᵢ"),
        (r"K^\top", "Kᵀ"),
        (r"K^T", "Kᵀ"),
        (r"\sqrt{d_k}", "√(dₖ)"),
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{q(x)}{p(x)}", "(q(x))/(p(x))"),
        (r"\mathcal{L}", "ℒ"),
        (r"\mathbb{E}", "𝔼"),
        (r"\mathbf{z}", "𝐳"),
        (r"\hat{y}", "ŷ"),
        (r"\text{softmax}\left(x\right)", "softmax(x)"),
        (r"q \| p", "q ‖ p"),
        (r"\theta^{(t+1)}", "θ⁽ᵗ⁺¹⁾"),
        (r"a - b", "a − b"),
        (r"\nabla_\theta \mathcal{L}", "∇_θ ℒ"),
        (r"\RR^n", "ℝⁿ"),
        (r"x \in \mathbb{R}", "x ∈ ℝ"),
    ],
)
def test_to_unicode(latex: str, text: str) -> None:
    """Common commands become their Unicode look-alikes."""
    assert text == to_unicode(latex)


def test_attention_reference() -> None:
    """The attention formula reads naturally."""
    assert "Attention(Q, K, V) = softmax((QKᵀ)/√(dₖ))V" == to_unicode(
        r"\text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"
    )


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("{" * 500, "{" * 439),  # past the depth limit, groups are no longer unwrapped
        (r"\frac", "/"),
        ("x^", "x^"),
        (r"\unknown{a}", r"\unknowna"),
        ("}}}", "}}}"),
        ("\\", "\\"),
    ],
)
def test_never_fails(latex: str, text: str) -> None:
    """Malformed input is shown as written where it cannot be read, never an exception."""
    assert text == to_unicode(latex)


def test_unknown_commands_are_kept() -> None:
    """A command with no Unicode form is shown as written."""
    assert r"\foo x" == to_unicode(r"\foo x")
