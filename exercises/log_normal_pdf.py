r"""Exercise: the log-density of a normal distribution.

English
-------
Implement the logarithm of the normal density :math:`\mathcal{N}(x; \mu, \sigma^2)`

    $$\log p(x) = -\frac{1}{2}\left(\log(2\pi\sigma^2) + \frac{(x-\mu)^2}{\sigma^2}\right)$$

``sigma`` is the standard deviation (not the variance). Compute the log directly: taking
``np.log`` of the density underflows to ``-inf`` far in the tail (e.g. ``x = 40``). The
function must broadcast: ``x``, ``mu`` and ``sigma`` may be numbers or arrays; return a
``float`` for scalar inputs and an array otherwise.

日本語
------
正規分布の密度 :math:`\mathcal{N}(x; \mu, \sigma^2)` の対数

    $$\log p(x) = -\frac{1}{2}\left(\log(2\pi\sigma^2) + \frac{(x-\mu)^2}{\sigma^2}\right)$$

を実装してください。``sigma`` は標準偏差です（分散ではありません）。密度を計算してから
``np.log`` を取ると、裾（例えば ``x = 40``）でアンダーフローして ``-inf`` になるので、
対数のまま計算してください。``x``・``mu``・``sigma`` は数値でも配列でもよく、
ブロードキャストに対応させてください。スカラー入力なら ``float``、それ以外は配列を返します。

Check / 確認: ``log_normal_pdf(0, 0, 1)`` ≈ -0.9189 = -½ log 2π.
"""

import numpy as np


def log_normal_pdf(x, mu, sigma):
    """Log-density of N(mu, sigma**2) at x, element-wise with broadcasting.

    Args:
        x: a number or float array.
        mu: the mean; a number or an array broadcastable with ``x``.
        sigma: the standard deviation (> 0); a number or a broadcastable array.

    Returns:
        A ``float`` for scalar inputs, otherwise an array of the broadcast shape.
        Do not modify the inputs.
    """
    raise NotImplementedError
