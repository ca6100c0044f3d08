r"""Reference answers of the LaTeX dictation, exactly as lecture 1 (section B) gives them."""

CROSS_ENTROPY = r"\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{C} y_i \log \hat{y}_i"
"""Cross-entropy loss."""

ATTENTION = r"\text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"
"""Scaled dot-product attention."""

KL_DIVERGENCE = r"D_{\text{KL}}(q \| p) = \sum_{x} q(x) \log \frac{q(x)}{p(x)}"
"""KL divergence."""

GRADIENT_DESCENT = r"\theta^{(t+1)} = \theta^{(t)} - \alpha \nabla_\theta \mathcal{L}(\theta^{(t)})"
"""One step of gradient descent."""

ELBO = (
    r"\mathcal{L}_{\text{ELBO}} = \mathbb{E}_{q_\phi(\mathbf{z}|\mathbf{x})}"
    r" \left[ \log p_\theta(\mathbf{x}|\mathbf{z}) \right]"
    r" - D_{\text{KL}}(q_\phi(\mathbf{z}|\mathbf{x}) \| p(\mathbf{z}))"
)
"""The VAE evidence lower bound."""
