r"""LaTeX dictation: write five formulas of lecture 1 as LaTeX strings.
LaTeX 書き取り：第 1 回の 5 つの数式を LaTeX の文字列で書きます。

Each constant below is empty. Replace ``""`` with the formula as a raw string (``r"..."``),
without ``$`` or ``$$`` around it. The grader renders your string with KaTeX, the engine Zenn
uses, checks the Zenn-safe rules (no ``\newcommand``, no Japanese inside ``\text{}``,
``\mathbf`` rather than ``\boldsymbol``) and compares it with the lecture's formula, allowing
harmless differences such as spacing, extra braces or ``K^T`` for ``K^\top``.

下の定数はどれも空です。``""`` を数式の raw 文字列（``r"..."``）に置き換えてください。
前後に ``$`` や ``$$`` は付けません。採点プログラムは Zenn と同じ KaTeX で文字列を描画し、Zenn で
安全な書き方（``\newcommand`` を使わない、``\text{}`` の中に日本語を書かない、
``\boldsymbol`` ではなく ``\mathbf`` を使う）を確認してから、講義の数式と比べます。
空白・余分な波括弧・``K^\top`` の代わりの ``K^T`` などの無害な違いは許されます。
"""

CROSS_ENTROPY = r""
r"""Cross-entropy loss: L sub CE equals minus the sum over i from 1 to C of y_i times log of
y-hat_i. Write the loss name as a calligraphic L with the upright subscript CE.

交差エントロピー損失：L_CE は、i = 1 から C までの y_i log ŷ_i の和にマイナスを付けたものです。
損失は筆記体の L（\mathcal{L}）、添字 CE は立体（\text{CE}）で書きます。
"""

ATTENTION = r""
r"""Scaled dot-product attention: Attention(Q, K, V) equals softmax of Q K-transpose over the
square root of d_k, times V. Write the function names upright and size the brackets around
the fraction.

スケール化内積アテンション：Attention(Q, K, V) は、QKᵀ を √d_k で割ったものの softmax に
V を掛けたものです。関数名は立体（\text{}）で書き、分数を囲む括弧は \left( … \right) で大きさを合わせます。
"""

KL_DIVERGENCE = r""
r"""KL divergence of q from p: D sub KL of q parallel p equals the sum over x of q(x) times
log of q(x) over p(x). Mind the order: q comes first.

KL ダイバージェンス：D_KL(q ‖ p) は、x についての q(x) log(q(x)/p(x)) の和です。
q と p の順番に注意してください（q が先）。
"""

GRADIENT_DESCENT = r""
r"""Gradient descent step: theta at step t+1 equals theta at step t minus alpha times the
gradient with respect to theta of the loss L at theta at step t.

勾配降下法の 1 ステップ：θ^(t+1) は、θ^(t) から、θ^(t) における損失 L の θ についての勾配に
学習率 α を掛けたものを引いたものです。
"""

ELBO = r""
r"""VAE evidence lower bound: L sub ELBO equals the expectation under q_phi(z|x) of
log p_theta(x|z), minus the KL divergence D_KL(q_phi(z|x) ‖ p(z)), q first as in the KL
exercise above. Vectors z and x are bold.

VAE の ELBO（エビデンス下界）：L_ELBO は、q_φ(z|x) のもとでの log p_θ(x|z) の期待値から、
KL ダイバージェンス D_KL(q_φ(z|x) ‖ p(z)) を引いたものです。上の KL ダイバージェンスの
問題と同じく q_φ(z|x) が先です。ベクトル z, x は太字（\mathbf）で書きます。
"""
