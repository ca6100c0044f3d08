r"""Exercise: scaled dot-product attention — let each query look at every key.
演習：スケール化内積アテンション — 各クエリがすべてのキーを見ます。

English
-------
Implement scaled dot-product attention

    $$\text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V$$

for queries ``Q`` of shape ``(n_q, d_k)``, keys ``K`` of shape ``(n_k, d_k)`` and values
``V`` of shape ``(n_k, d_v)``. The scores ``Q @ K.T`` are divided by ``sqrt(d_k)`` (``d_k``
is the last dimension of ``Q``), then softmax runs along each row, over the keys, so that
each query's weights sum to 1. Subtract each row's maximum before ``exp``, as in the stable
softmax. Return the pair ``(output, weights)``: ``output = weights @ V`` of shape
``(n_q, d_v)`` and ``weights`` of shape ``(n_q, n_k)``.

In the lecture's demo key 2 is a noisy copy of query 0, so query 0's weights peak at key 2.

Check: with ``Q = K = np.eye(2)``, ``weights[0]`` ≈ ``[0.6698, 0.3302]``.

日本語
------
スケール化内積アテンション

    $$\text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V$$

を実装してください。クエリ ``Q`` の形状は ``(n_q, d_k)``、キー ``K`` は ``(n_k, d_k)``、
値 ``V`` は ``(n_k, d_v)`` です。スコア ``Q @ K.T`` を ``sqrt(d_k)``（``d_k`` は ``Q`` の
最後の次元）で割り、各行に沿って（キーについて）ソフトマックスを計算するので、各クエリの
重みの和は 1 になります。数値安定なソフトマックスと同じように、``exp`` の前に各行の最大値を
引いてください。``(output, weights)`` の組を返します。``output = weights @ V`` の形状は
``(n_q, d_v)``、``weights`` の形状は ``(n_q, n_k)`` です。

講義のデモではキー 2 がクエリ 0 にノイズを加えたものなので、クエリ 0 の重みはキー 2 で
最大になります。

確認：``Q = K = np.eye(2)`` のとき、``weights[0]`` ≈ ``[0.6698, 0.3302]``
"""

import numpy as np


def attention(Q, K, V):  # noqa: N803 - the lecture's names
    """Scaled dot-product attention. / スケール化内積アテンション。

    Args:
        Q: queries, float array of shape ``(n_q, d_k)``.
        K: keys, float array of shape ``(n_k, d_k)``.
        V: values, float array of shape ``(n_k, d_v)``.

    Returns:
        A tuple ``(output, weights)``: ``output`` of shape ``(n_q, d_v)`` and ``weights`` of
        shape ``(n_q, n_k)``, each row summing to 1. Do not modify the inputs.

    引数：
        Q: クエリ。形状 ``(n_q, d_k)`` の float 配列。
        K: キー。形状 ``(n_k, d_k)`` の float 配列。
        V: 値。形状 ``(n_k, d_v)`` の float 配列。

    戻り値：
        組 ``(output, weights)``。``output`` の形状は ``(n_q, d_v)``、``weights`` の形状は
        ``(n_q, n_k)`` で、各行の和は 1 です。入力は書き換えないでください。
    """
    raise NotImplementedError
