r"""Exercise: softmax — turn scores (logits) into probabilities.
演習：ソフトマックス — スコア（ロジット）を確率に変換します。

English
-------
Implement the softmax function

    $$\text{softmax}(\mathbf{z})_i = \frac{e^{z_i}}{\sum_j e^{z_j}}$$

along ``axis`` (the last axis by default). For a 2-D input each row is a separate
vector, so each row of the result sums to 1. ``exp`` overflows for large inputs
(``exp(1000)`` is ``inf``) and underflows to 0 for very negative ones: subtract
``max(z)`` along the same axis first. The result does not change, because the factor
:math:`e^{-\max z}` cancels in the fraction.

Check: ``softmax(np.array([2.0, 1.0, 0.1]))`` ≈ ``[0.6590, 0.2424, 0.0986]``.

日本語
------
ソフトマックス関数

    $$\text{softmax}(\mathbf{z})_i = \frac{e^{z_i}}{\sum_j e^{z_j}}$$

を ``axis``（既定は最後の軸）に沿って実装してください。2 次元配列では各行が別々の
ベクトルなので、結果の各行の和が 1 になります。大きな入力では ``exp`` がオーバーフロー
し（``exp(1000)`` は ``inf``）、絶対値の大きい負の入力では 0 にアンダーフローします。
数値安定のため、同じ軸に沿って先に ``max(z)`` を引いてください。分子と分母で
:math:`e^{-\max z}` が打ち消し合うので、結果は変わりません。

確認：``softmax(np.array([2.0, 1.0, 0.1]))`` ≈ ``[0.6590, 0.2424, 0.0986]``
"""

import numpy as np


def softmax(z, axis=-1):
    """Softmax of ``z`` along ``axis``. / ``axis`` に沿った ``z`` のソフトマックス。

    Args:
        z: float array of shape ``(n,)`` or ``(m, n)`` (logits).
        axis: the axis to normalise over; ``-1`` means row-wise for a 2-D array.

    Returns:
        An array of the same shape as ``z``: non-negative, summing to 1 along ``axis``.
        Do not modify ``z``.

    引数：
        z: 形状 ``(n,)`` または ``(m, n)`` の float 配列（ロジット）。
        axis: 正規化する軸。``-1`` は 2 次元配列の各行ごとです。

    戻り値：
        ``z`` と同じ形状の配列。値は 0 以上で、``axis`` に沿った和が 1 です。
        ``z`` は書き換えないでください。
    """
    raise NotImplementedError
