r"""Exercise: reading a paper, pass 1 — the template filled in for DDPM.
演習：論文の 1 回目の読み — DDPM についてテンプレートを埋めます。

English
-------
Read the first page, the abstract, the figures and the results table of Ho, Jain and
Abbeel, "Denoising Diffusion Probabilistic Models" (arXiv 2006.11239), and fill in the
Pass-1 template: return a dict with these keys. The paper starts from a forward process that
adds Gaussian noise step by step,

    $$q(\mathbf{x}_t \mid \mathbf{x}_{t-1}) = \mathcal{N}(\mathbf{x}_t; \sqrt{1 - \beta_t}\,\mathbf{x}_{t-1}, \beta_t \mathbf{I})$$

and learns to reverse it.

- ``title``, ``authors`` (one string, names separated by commas), ``year`` (a number),
  ``arxiv_id`` (the identifier alone, e.g. ``"1706.03762"``);
- ``problem``, ``prior_limits``, ``proposal``, ``relevance``: a sentence or two each, in your
  own words (English or Japanese; at least 20 characters);
- ``key_formula``: the paper's key formula as a LaTeX string that renders in KaTeX and follows
  the Zenn rules (no ``$`` around it; ``\mathbf`` rather than ``\boldsymbol``);
- ``main_result``: ``{"dataset": ..., "metric": ..., "value": ...}`` for the headline
  unconditional result on CIFAR-10.

Facts (arXiv id, year, main result) are checked exactly; the text fields for presence and
length; the formula for rendering and the rules, not for being one particular formula.

日本語
------
Ho、Jain、Abbeel の「Denoising Diffusion Probabilistic Models」（arXiv 2006.11239）の 1 ページ目・
要旨・図・結果の表を読み、1 回目の読みのテンプレートを埋めてください。次のキーを持つ dict を
返します。論文は、ガウスノイズを少しずつ加える順過程

    $$q(\mathbf{x}_t \mid \mathbf{x}_{t-1}) = \mathcal{N}(\mathbf{x}_t; \sqrt{1 - \beta_t}\,\mathbf{x}_{t-1}, \beta_t \mathbf{I})$$

から始め、その逆をたどる過程を学習します。

- ``title``、``authors``（1 つの文字列で、名前をコンマで区切ります）、``year``（数値）、
  ``arxiv_id``（ID だけ。例：``"1706.03762"``）
- ``problem``、``prior_limits``、``proposal``、``relevance``：それぞれ 1、2 文を自分の言葉で
  書きます（英語でも日本語でもかまいません。20 文字以上）
- ``key_formula``：論文の鍵となる数式を、KaTeX で描画でき Zenn の規則に従う LaTeX の文字列で
  書きます（前後に ``$`` は付けず、``\boldsymbol`` ではなく ``\mathbf`` を使います）
- ``main_result``：CIFAR-10 での条件なし生成の主な結果を
  ``{"dataset": ..., "metric": ..., "value": ...}`` で書きます

事実（arXiv ID、年、主な結果）は正確さを、文章の項目は有無と長さを、数式は描画と規則への
適合を確認します（特定の 1 つの数式かどうかは確認しません）。
"""


def paper_pass1():
    """The Pass-1 template for DDPM. / DDPM の 1 回目の読みのテンプレート。

    Returns:
        A dict with the keys ``title``, ``authors``, ``year``, ``arxiv_id``, ``problem``,
        ``prior_limits``, ``proposal``, ``key_formula``, ``main_result`` and ``relevance``.

    戻り値：
        ``title``、``authors``、``year``、``arxiv_id``、``problem``、``prior_limits``、
        ``proposal``、``key_formula``、``main_result``、``relevance`` をキーに持つ dict。
    """
    raise NotImplementedError
