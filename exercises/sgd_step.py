r"""Exercise: one step of mini-batch stochastic gradient descent (SGD).

English
-------
Implement the update

    $$\theta \leftarrow \theta - \frac{\alpha}{|\mathcal{B}|}\sum_{i \in \mathcal{B}} \nabla_\theta \ell(\theta; \mathbf{x}^{(i)}, y^{(i)})$$

``grad_fn(theta, x_i, y_i)`` returns the gradient for one example; average it over the
rows of ``X_batch`` (with the matching entries of ``y_batch``) and take one step of size
``alpha`` against it. Return the new ``theta``; do not change the ``theta`` you were given.

日本語
------
ミニバッチ確率的勾配降下法（SGD）の 1 ステップ

    $$\theta \leftarrow \theta - \frac{\alpha}{|\mathcal{B}|}\sum_{i \in \mathcal{B}} \nabla_\theta \ell(\theta; \mathbf{x}^{(i)}, y^{(i)})$$

を実装してください。``grad_fn(theta, x_i, y_i)`` は 1 つの例についての勾配を返します。
``X_batch`` の各行（と対応する ``y_batch`` の要素）で勾配を計算して平均し、学習率
``alpha`` の大きさだけ逆向きに進みます。新しい ``theta`` を返し、受け取った ``theta`` は
変更しないでください（インプレース更新をしない）。
"""

import numpy as np


def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    """One mini-batch SGD step.

    Args:
        theta: float array of shape ``(d,)``, the current parameters.
        X_batch: float array of shape ``(B, d)``, one example per row.
        y_batch: float array of shape ``(B,)``, the targets.
        grad_fn: ``grad_fn(theta, x_i, y_i)`` -> array of shape ``(d,)``.
        alpha: the learning rate.

    Returns:
        The new parameters, an array of shape ``(d,)``. ``theta`` itself is unchanged.
    """
    raise NotImplementedError
