r"""Exercise: softmax with a temperature — sharpen or flatten a distribution.
演習：温度付きソフトマックス — 分布を鋭くしたり平らにしたりします。

English
-------
Implement softmax with a temperature :math:`\tau > 0`

    $$\text{softmax}(\mathbf{z} / \tau)_i = \frac{e^{z_i / \tau}}{\sum_j e^{z_j / \tau}}$$

along ``axis`` (the last axis by default). Divide the logits by ``tau`` first, then apply
the stable softmax: subtract the maximum of ``z / tau`` along ``axis`` before ``exp``. As
``tau`` tends to 0 the result tends to a one-hot vector at the argmax of ``z``; as ``tau``
grows it tends to the uniform distribution. A small ``tau`` makes ``z / tau`` large, so the
shift is what keeps ``exp`` from overflowing.

Check: ``softmax_temperature(np.array([1.0, 2.0, 3.0]), tau=0.01)`` ≈ ``[0, 0, 1]``.

日本語
------
温度 :math:`\tau > 0` 付きのソフトマックス

    $$\text{softmax}(\mathbf{z} / \tau)_i = \frac{e^{z_i / \tau}}{\sum_j e^{z_j / \tau}}$$

を ``axis``（既定は最後の軸）に沿って実装してください。先にロジットを ``tau`` で割り、数値
安定なソフトマックスを使います。``exp`` の前に、``axis`` に沿った ``z / tau`` の最大値を
引いてください。``tau`` が 0 に近づくと結果は ``z`` の argmax の位置だけが 1 のベクトルに
近づき、``tau`` が大きくなると一様分布に近づきます。``tau`` が小さいと ``z / tau`` が大きく
なるので、最大値を引かないと ``exp`` がオーバーフローします。

確認：``softmax_temperature(np.array([1.0, 2.0, 3.0]), tau=0.01)`` ≈ ``[0, 0, 1]``
"""

import numpy as np


def softmax_temperature(z, tau=1.0, axis=-1):
    """Softmax of ``z / tau`` along ``axis``. / ``axis`` に沿った ``z / tau`` のソフトマックス。

    Args:
        z: float array of shape ``(n,)`` or ``(m, n)`` (logits).
        tau: the temperature, a positive number (default 1.0: plain softmax).
        axis: the axis to normalise over; ``-1`` means row-wise for a 2-D array.

    Returns:
        An array of the same shape as ``z``: non-negative, summing to 1 along ``axis``.
        Do not modify ``z``.

    引数：
        z: 形状 ``(n,)`` または ``(m, n)`` の float 配列（ロジット）。
        tau: 温度。正の数です（既定は 1.0 で、通常のソフトマックスになります）。
        axis: 正規化する軸。``-1`` は 2 次元配列の各行ごとです。

    戻り値：
        ``z`` と同じ形状の配列。値は 0 以上で、``axis`` に沿った和が 1 です。
        ``z`` は書き換えないでください。
    """
    raise NotImplementedError
