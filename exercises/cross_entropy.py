r"""Exercise: cross-entropy — the loss of a classifier's probabilities against the truth.

English
-------
Implement

    $$\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{C} y_i \log(\hat{y}_i + \epsilon)$$

where ``y_true`` is a one-hot vector (1 for the true class, 0 elsewhere) and ``y_pred``
a probability vector. The small ``eps`` keeps ``log(0)`` (= ``-inf``) out of the result
when the model gives probability 0 to the true class. Return a Python ``float``.

日本語
------
交差エントロピー

    $$\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{C} y_i \log(\hat{y}_i + \epsilon)$$

を実装してください。``y_true`` は one-hot ベクトル（正解クラスが 1、それ以外は 0）、
``y_pred`` は確率ベクトルです。モデルが正解クラスに確率 0 を与えたときに ``log(0)``
（= ``-inf``）にならないよう、小さな ``eps`` を足します。戻り値は Python の ``float``。

Check / 確認: y_true ``[0, 0, 1, 0]``, y_pred ``[0.1, 0.05, 0.8, 0.05]`` → ``-log 0.8`` ≈ 0.2231.
"""

import numpy as np


def cross_entropy(y_true, y_pred, eps=1e-12):
    """Cross-entropy between a one-hot target and predicted probabilities.

    Args:
        y_true: float array of shape ``(C,)``, one-hot.
        y_pred: float array of shape ``(C,)``, probabilities (non-negative, sum 1).
        eps: added inside the logarithm to avoid ``log(0)``.

    Returns:
        The loss as a ``float`` (a single number). Do not modify the inputs.
    """
    raise NotImplementedError
