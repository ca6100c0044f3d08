r"""Exercise: KL divergence — how far a distribution q is from p.
演習：KL ダイバージェンス — 分布 q が p からどれだけ離れているか。

English
-------
Implement the Kullback-Leibler divergence of ``q`` from ``p``

    $$D_{\text{KL}}(q \| p) = \sum_{x} q(x) \log \frac{q(x)}{p(x)}$$

for two probability vectors of the same length. Mind the order: ``q`` comes first, and the
divergence is not symmetric (:math:`D_{\text{KL}}(q \| p) \ne D_{\text{KL}}(p \| q)` in
general). A term with :math:`q(x) = 0` is 0 (the limit of :math:`q \log q`), even where
``log(0)`` would give ``-inf``; the small ``eps`` keeps ``log(p)`` finite where
:math:`p(x) = 0`. Return a Python ``float``.

Check: ``kl_divergence(np.array([0.5, 0.5]), np.array([0.9, 0.1]))`` ≈ ``0.5108``.

日本語
------
``p`` に対する ``q`` のカルバック・ライブラー・ダイバージェンス

    $$D_{\text{KL}}(q \| p) = \sum_{x} q(x) \log \frac{q(x)}{p(x)}$$

を、同じ長さの 2 つの確率ベクトルについて実装してください。順番に注意してください。``q`` が
先で、一般に :math:`D_{\text{KL}}(q \| p) \ne D_{\text{KL}}(p \| q)` です（対称ではありません）。
:math:`q(x) = 0` の項は 0 です（:math:`q \log q` の極限）。``log(0)`` が ``-inf`` になる場合
も同じです。小さな ``eps`` は、:math:`p(x) = 0` の位置で ``log(p)`` を有限に保ちます。
Python の ``float`` を返してください。

確認：``kl_divergence(np.array([0.5, 0.5]), np.array([0.9, 0.1]))`` ≈ ``0.5108``
"""

import numpy as np


def kl_divergence(q, p, eps=1e-12):
    """KL divergence of ``q`` from ``p``. / ``p`` に対する ``q`` の KL ダイバージェンス。

    Args:
        q: probability vector of shape ``(n,)`` (non-negative, sums to 1).
        p: probability vector of shape ``(n,)``.
        eps: a small number added inside the logarithms to keep them finite.

    Returns:
        A Python ``float``, 0 or more. Do not modify ``q`` or ``p``.

    引数：
        q: 形状 ``(n,)`` の確率ベクトル（値は 0 以上で、和は 1）。
        p: 形状 ``(n,)`` の確率ベクトル。
        eps: 対数を有限に保つために、対数の中に足す小さな数。

    戻り値：
        0 以上の Python の ``float``。``q`` と ``p`` は書き換えないでください。
    """
    raise NotImplementedError
