"""The exercises of issue 14, graded through the real CLI: right answers written differently
get full marks, and the classic slips are named."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # every test here grades through the real CLI

RIGHT = [
    pytest.param(
        "softmax_temperature",
        "import numpy as np\n"
        "def softmax_temperature(z, tau=1.0, axis=-1):\n"
        "    s = np.asarray(z) / tau\n"
        "    s = s - s.max(axis=axis, keepdims=True)\n"
        "    return np.exp(s) / np.exp(s).sum(axis=axis, keepdims=True)\n",
        id="softmax_temperature",
    ),
    pytest.param(
        "kl_divergence",
        "import numpy as np\n"
        "def kl_divergence(q, p, eps=1e-12):\n"
        "    total = 0.0\n"
        "    for qi, pi in zip(q, p):\n"
        "        if qi > 0:\n"
        "            total += qi * np.log((qi + eps) / (pi + eps))\n"
        "    return float(total)\n",
        id="kl loop",
    ),
    pytest.param(
        "attention",
        "import numpy as np\n"
        "def attention(Q, K, V):\n"
        "    s = np.einsum('qd,kd->qk', Q, K) / np.sqrt(K.shape[1])\n"
        "    w = np.exp(s - s.max(-1, keepdims=True))\n"
        "    w /= w.sum(-1, keepdims=True)\n"
        "    return w @ V, w\n",
        id="attention einsum",
    ),
    pytest.param(
        "fit_linear_regression",
        "import numpy as np\n"
        "def fit_linear_regression(x, y, lr=0.01, epochs=200):\n"
        "    w = b = 0.0\n"
        "    history = []\n"
        "    for _ in range(epochs):\n"
        "        err = (w * x + b) - y\n"
        "        w, b = w - lr * 2 * np.mean(err * x), b - lr * 2 * np.mean(err)\n"
        "        history.append(float(np.mean((w * x + b - y) ** 2)))\n"
        "    return [w, b, history]\n",
        id="regression logging the loss after the step, returning a list",
    ),
    pytest.param(
        "symbols_in",
        r"""
import re
SYMBOLS = ()
KNOWN = {r"\theta", r"\phi", r"\mu", r"\sigma", r"\nabla", r"\sum", r"\prod", r"\partial",
         r"\alpha", r"\epsilon", r"\lambda", r"\in", r"\forall", r"\exists", r"\sqrt",
         r"\frac", r"\log", r"\exp", r"\top"}
TOKEN = re.compile(r"\\(mathcal\{L\}|mathbb\{[ER]\}|text\{softmax\}|[A-Za-z]+)")
def symbols_in(formula):
    out = []
    for match in TOKEN.finditer(formula):
        token = match.group(0)
        if (token in KNOWN or "{" in token) and token not in out:
            out.append(token)
    return out
""",
        id="symbols by one tokenising regex",
    ),
    pytest.param(
        "paper_pass1",
        r"""
def paper_pass1():
    return {
        "title": "Denoising Diffusion Probabilistic Models",
        "authors": "J. Ho, A. Jain and P. Abbeel",
        "year": 2020,
        "arxiv_id": "2006.11239",
        "problem": "拡散過程を逆にたどって高品質な画像を生成したい",
        "prior_limits": "GAN は学習が不安定で、尤度に基づくモデルは画質が低かった",
        "proposal": "ノイズを予測するネットワークで逆過程を学習する単純な目的関数",
        "key_formula": r"\mathbf{x}_t = \sqrt{\bar{\alpha}_t}\,\mathbf{x}_0"
        r" + \sqrt{1 - \bar{\alpha}_t}\,\epsilon",
        "main_result": {"dataset": "CIFAR-10", "metric": "FID", "value": 3.17},
        "relevance": "後の拡散モデルの基礎で、期待値とガウス分布の読み方の練習になる",
    }
""",
        id="paper in Japanese with another formula",
    ),
]

SLIPS = [
    pytest.param(
        "softmax_temperature",
        "import numpy as np\n"
        "def softmax_temperature(z, tau=1.0, axis=-1):\n"
        "    s = np.asarray(z) * tau\n"
        "    e = np.exp(s - np.max(s, axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n",
        "multiplies_by_tau",
        id="temperature multiplies",
    ),
    pytest.param(
        "kl_divergence",
        "import numpy as np\n"
        "def kl_divergence(q, p, eps=1e-12):\n"
        "    return float(np.sum(np.where(p > 0, p * np.log((p + eps) / (q + eps)), 0)))\n",
        "swapped_arguments",
        id="kl with q and p swapped",
    ),
    pytest.param(
        "attention",
        "import numpy as np\n"
        "def attention(Q, K, V):\n"
        "    s = Q @ K.T / K.shape[-1]\n"
        "    w = np.exp(s - s.max(axis=-1, keepdims=True))\n"
        "    w = w / w.sum(axis=-1, keepdims=True)\n"
        "    return w @ V, w\n",
        "divides_by_d_k",
        id="attention divided by d_k",
    ),
    pytest.param(
        "fit_linear_regression",
        "import numpy as np\n"
        "def fit_linear_regression(x, y, lr=0.01, epochs=200):\n"
        "    w, b, losses = 0.0, 0.0, []\n"
        "    for _ in range(epochs):\n"
        "        r = w * x + b - y\n"
        "        losses.append(np.mean(r ** 2))\n"
        "        w = w - lr * 2 * np.mean(r * x)\n"
        "        b = b - lr * 2 * np.mean(w * x + b - y)\n"
        "    return w, b, losses\n",
        "sequential_update",
        id="regression updating b with the new w",
    ),
    pytest.param(
        "symbols_in",
        "SYMBOLS = (r'\\theta', r'\\phi', r'\\mu', r'\\sigma', r'\\nabla', r'\\mathcal{L}',\n"
        "    r'\\mathbb{E}', r'\\sum', r'\\prod', r'\\partial', r'\\alpha', r'\\epsilon',\n"
        "    r'\\lambda', r'\\mathbb{R}', r'\\in', r'\\forall', r'\\exists', r'\\sqrt',\n"
        "    r'\\frac', r'\\log', r'\\exp', r'\\top', r'\\text{softmax}')\n"
        "import re\n"
        "def symbols_in(formula):\n"
        "    return [s for s in SYMBOLS if re.search(re.escape(s) + r'(?![a-z])', formula)]\n",
        "table_order",
        id="symbols in table order",
    ),
    pytest.param(
        "paper_pass1",
        "def paper_pass1():\n"
        "    return {'title': 'Denoising Diffusion Probabilistic Models',\n"
        "        'authors': 'Ho, Jain, Abbeel', 'year': 2020, 'arxiv_id': '2006.11239',\n"
        "        'problem': 'image generation with diffusion',\n"
        "        'prior_limits': 'GAN training is unstable',\n"
        "        'proposal': 'predict the noise at every step',\n"
        "        'key_formula': r'L = \\| \\epsilon - \\epsilon_\\theta \\|^2',\n"
        "        'main_result': {'dataset': 'CIFAR-10', 'metric': 'IS', 'value': 9.46},\n"
        "        'relevance': 'the basis of later diffusion models'}\n",
        "inception_score",
        id="paper reporting the Inception Score",
    ),
]


@pytest.mark.parametrize(("exercise", "source"), RIGHT)
def test_right_answers_written_differently_get_full_marks(
    run_grade, submission, exercise: str, source: str
) -> None:
    """Another correct way to write the exercise gets every visible point and no diagnosis."""
    folder = submission(**{exercise: source})
    graded = run_grade(str(folder / f"{exercise}.py")).exercise(exercise)
    assert graded["max_score"] == graded["score"], [c["message"] for c in graded["cases"]]


@pytest.mark.parametrize(("exercise", "source", "slip"), SLIPS)
def test_classic_slips_are_named(
    run_grade, submission, exercise: str, source: str, slip: str
) -> None:
    """Each slip loses points and every failing case names it."""
    folder = submission(**{exercise: source})
    graded = run_grade(str(folder / f"{exercise}.py")).exercise(exercise)
    failing = [c for c in graded["cases"] if not c["passed"]]
    assert failing
    assert {slip} == {c["details"].get("misconception") for c in failing}
