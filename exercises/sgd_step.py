r"""Exercise: one step of mini-batch stochastic gradient descent (SGD).
演習：ミニバッチ確率的勾配降下法（SGD）の 1 ステップ

English
-------
Implement the update

    $$\theta \leftarrow \theta - \frac{\alpha}{|\mathcal{B}|}\sum_{i \in \mathcal{B}} \nabla_\theta \ell(\theta; \mathbf{x}^{(i)}, y^{(i)})$$

``grad_fn(theta, x_i, y_i)`` returns the gradient for one example; evaluate it at the
given ``theta`` for every row of ``X_batch`` (with the matching entry of ``y_batch``),
average the gradients, and move ``theta`` against that mean gradient, scaled by the
learning rate ``alpha``: one update for the whole batch. Return the new ``theta``; do not
change the ``theta`` you were given.

日本語
------
ミニバッチ確率的勾配降下法（SGD）の 1 ステップ

    $$\theta \leftarrow \theta - \frac{\alpha}{|\mathcal{B}|}\sum_{i \in \mathcal{B}} \nabla_\theta \ell(\theta; \mathbf{x}^{(i)}, y^{(i)})$$

を実装してください。``grad_fn(theta, x_i, y_i)`` は 1 つのサンプルについての勾配を返します。
``X_batch`` の各行（と対応する ``y_batch`` の要素）について、与えられた ``theta`` で勾配を
計算して平均し、その平均勾配に学習率 ``alpha`` を掛けた分だけ、``theta`` を勾配と逆向きに
動かします。更新はバッチ全体で 1 回です。新しい ``theta`` を返し、受け取った ``theta`` は
変更しないでください（インプレース更新をしません）。
"""

import numpy as np


def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    """One mini-batch SGD step. / ミニバッチ SGD の 1 ステップ。

    Args:
        theta: float array of shape ``(d,)``, the current parameters.
        X_batch: float array of shape ``(B, d)``, one example per row.
        y_batch: float array of shape ``(B,)``, the targets.
        grad_fn: ``grad_fn(theta, x_i, y_i)`` -> array of shape ``(d,)``.
        alpha: the learning rate.

    Returns:
        The new parameters, an array of shape ``(d,)``. ``theta`` itself is unchanged.

    引数：
        theta: 形状 ``(d,)`` の float 配列。現在のパラメータ。
        X_batch: 形状 ``(B, d)`` の float 配列。1 行が 1 サンプルです。
        y_batch: 形状 ``(B,)`` の float 配列。目的変数。
        grad_fn: ``grad_fn(theta, x_i, y_i)`` は形状 ``(d,)`` の配列を返します。
        alpha: 学習率。

    戻り値：
        新しいパラメータ（形状 ``(d,)`` の配列）。``theta`` 自体は変更しません。
    """
    raise NotImplementedError
