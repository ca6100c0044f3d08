r"""Exercise: linear regression by gradient descent — fit a line, one full batch per epoch.
演習：勾配降下法による線形回帰 — エポックごとにデータ全体で直線を当てはめます。

English
-------
Fit :math:`\hat y = w x + b` to the data ``x``, ``y`` by full-batch gradient descent on the
mean squared error

    $$L(w, b) = \frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)^2, \quad
    \frac{\partial L}{\partial w} = \frac{2}{N}\sum_{i=1}^{N} (\hat y_i - y_i)\, x_i, \quad
    \frac{\partial L}{\partial b} = \frac{2}{N}\sum_{i=1}^{N} (\hat y_i - y_i)$$

Start from ``w = b = 0``. In each of the ``epochs`` epochs, compute the error
``w * x + b - y``, record the loss ``mean(error**2)``, then update both parameters from that
same error: ``w -= lr * dL/dw`` and ``b -= lr * dL/db``. Return ``(w, b, losses)``, with one
loss per epoch (a list or a 1-D array).

The lecture's challenge: 100 points with :math:`y = 2.5x + 1.0 + \mathcal{N}(0, 0.5^2)`,
:math:`x \sim U(-3, 3)` (seed 42), ``lr = 0.01``, 200 epochs: ``w`` ends near 2.5 and ``b``
near 1.0, and the losses never go up.

Check: ``fit_linear_regression(np.array([0.0, 1.0]), np.array([1.0, 3.0]), lr=0.1, epochs=1)``
≈ ``(0.3, 0.4, [5.0])``.

日本語
------
データ ``x``、``y`` に :math:`\hat y = w x + b` を、平均二乗誤差

    $$L(w, b) = \frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)^2, \quad
    \frac{\partial L}{\partial w} = \frac{2}{N}\sum_{i=1}^{N} (\hat y_i - y_i)\, x_i, \quad
    \frac{\partial L}{\partial b} = \frac{2}{N}\sum_{i=1}^{N} (\hat y_i - y_i)$$

についてのフルバッチの勾配降下法で当てはめてください。``w = b = 0`` から始めます。
``epochs`` 回の各エポックで誤差 ``w * x + b - y`` を計算し、損失 ``mean(error**2)`` を記録して
から、同じ誤差から両方のパラメータを更新します：``w -= lr * dL/dw``、``b -= lr * dL/db``。
``(w, b, losses)`` を返してください。``losses`` はエポックごとに 1 つの損失です（リストまたは
1 次元配列）。

講義の課題：:math:`y = 2.5x + 1.0 + \mathcal{N}(0, 0.5^2)`、:math:`x \sim U(-3, 3)`（シード
42）の 100 点、学習率 ``lr = 0.01``、200 エポックで、``w`` は 2.5 に、``b`` は 1.0 に近づき、
損失は増えません。

確認：``fit_linear_regression(np.array([0.0, 1.0]), np.array([1.0, 3.0]), lr=0.1, epochs=1)``
≈ ``(0.3, 0.4, [5.0])``
"""

import numpy as np


def fit_linear_regression(x, y, lr=0.01, epochs=200):
    """Fit y ≈ w x + b by gradient descent. / 勾配降下法で y ≈ w x + b を当てはめます。

    Args:
        x: inputs, float array of shape ``(N,)``.
        y: targets, float array of shape ``(N,)``.
        lr: the learning rate.
        epochs: how many full-batch steps to take.

    Returns:
        A tuple ``(w, b, losses)``: two floats and one loss per epoch. Do not modify ``x``
        or ``y``.

    引数：
        x: 入力。形状 ``(N,)`` の float 配列。
        y: 目標値。形状 ``(N,)`` の float 配列。
        lr: 学習率。
        epochs: データ全体での更新の回数。

    戻り値：
        組 ``(w, b, losses)``。2 つの float と、エポックごとの損失です。``x`` と ``y`` は
        書き換えないでください。
    """
    raise NotImplementedError
