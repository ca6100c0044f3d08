r"""Exercise: the symbol reader — which of the lecture's symbols does a formula use?
演習：記号の読み取り — 数式が講義のどの記号を使っているか。

English
-------
``SYMBOLS`` below is the lecture's table of symbols, as LaTeX commands. Write
``symbols_in(formula)``: the symbols of ``SYMBOLS`` that appear in the LaTeX string
``formula``, each once, in the order of their first appearance. For

    $$\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{C} y_i \log \hat{y}_i$$

it returns ``[r"\mathcal{L}", r"\sum", r"\log"]``. A command ends where its letters end:
``\infty`` starts with the letters of ``\in`` but is another command, so ``\in`` is found
only where no letter follows it (a regular expression with ``(?![A-Za-z])`` helps).

Check: ``symbols_in(r"\theta - \alpha \nabla_\theta")`` == ``[r"\theta", r"\alpha", r"\nabla"]``.

日本語
------
下の ``SYMBOLS`` は講義の記号の表で、LaTeX のコマンドで書かれています。``symbols_in(formula)``
を書いてください。LaTeX の文字列 ``formula`` に現れる ``SYMBOLS`` の記号を、1 回ずつ、最初に
現れる順に返します。たとえば

    $$\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{C} y_i \log \hat{y}_i$$

では ``[r"\mathcal{L}", r"\sum", r"\log"]`` を返します。コマンドは英字が続くところまでです。
``\infty`` は ``\in`` と同じ文字で始まりますが別のコマンドなので、``\in`` は直後に英字が
ないときだけ見つかったことにします（正規表現の ``(?![A-Za-z])`` が使えます）。

確認：``symbols_in(r"\theta - \alpha \nabla_\theta")`` == ``[r"\theta", r"\alpha", r"\nabla"]``
"""

SYMBOLS = (
    r"\theta", r"\phi", r"\mu", r"\sigma", r"\nabla", r"\mathcal{L}", r"\mathbb{E}", r"\sum",
    r"\prod", r"\partial", r"\alpha", r"\epsilon", r"\lambda", r"\mathbb{R}", r"\in",
    r"\forall", r"\exists", r"\sqrt", r"\frac", r"\log", r"\exp", r"\top", r"\text{softmax}",
)


def symbols_in(formula):
    """The known symbols of ``formula``. / ``formula`` に現れる既知の記号。

    Args:
        formula: a LaTeX string, without ``$`` around it.

    Returns:
        A list of strings from ``SYMBOLS``, each once, in order of first appearance.

    引数：
        formula: LaTeX の文字列。前後に ``$`` は付きません。

    戻り値：
        ``SYMBOLS`` の文字列のリスト。各記号を 1 回ずつ、最初に現れる順に並べます。
    """
    raise NotImplementedError
