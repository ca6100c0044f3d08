r"""Exercise: the log-density of a normal distribution.
演習：正規分布の対数確率密度

English
-------
Implement the logarithm of the normal density :math:`\mathcal{N}(x; \mu, \sigma^2)`

    $$\log p(x) = -\frac{1}{2}\left(\log(2\pi\sigma^2) + \frac{(x-\mu)^2}{\sigma^2}\right)$$

``sigma`` is the standard deviation (not the variance). Compute the log directly: taking
``np.log`` of the density underflows to ``-inf`` far in the tail (e.g. ``x = 40``). The
function must broadcast: ``x``, ``mu`` and ``sigma`` may be numbers or arrays; return a
``float`` for scalar inputs and an array otherwise.

Check: ``log_normal_pdf(0, 0, 1)`` ≈ -0.9189 = -½ log 2π.

日本語
------
正規分布の確率密度 :math:`\mathcal{N}(x; \mu, \sigma^2)` の対数（対数確率密度）

    $$\log p(x) = -\frac{1}{2}\left(\log(2\pi\sigma^2) + \frac{(x-\mu)^2}{\sigma^2}\right)$$

を実装してください。``sigma`` は標準偏差です（分散ではありません）。確率密度を計算して
から ``np.log`` をとると、裾（例えば ``x = 40``）でアンダーフローして ``-inf`` になるので、
対数のまま計算してください。``x``・``mu``・``sigma`` は数値でも配列でもよく、
ブロードキャストに対応させてください。スカラー入力なら ``float``、それ以外は配列を返します。

確認：``log_normal_pdf(0, 0, 1)`` ≈ -0.9189 = -½ log 2π
"""

import numpy as np


def log_normal_pdf(x, mu, sigma):
    """Log-density of N(mu, sigma**2) at x, element-wise with broadcasting.
    x における N(mu, sigma**2) の対数確率密度（要素ごと、ブロードキャストあり）。

    Args:
        x: a number or float array.
        mu: the mean; a number or an array broadcastable with ``x``.
        sigma: the standard deviation (> 0); a number or a broadcastable array.

    Returns:
        A ``float`` for scalar inputs, otherwise an array of the broadcast shape.
        Do not modify the inputs.

    引数：
        x: 数値、または float 配列。
        mu: 平均。数値か、``x`` とブロードキャストできる配列。
        sigma: 標準偏差（正の値）。数値か、ブロードキャストできる配列。

    戻り値：
        スカラー入力なら ``float``、それ以外はブロードキャスト後の形状の配列。
        入力は書き換えないでください。
    """
    raise NotImplementedError
