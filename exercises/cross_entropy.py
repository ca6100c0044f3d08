r"""Exercise: cross-entropy — the loss of a classifier's probabilities against the truth.
演習：交差エントロピー — 分類器の予測確率と正解ラベルから損失を求めます。

English
-------
Implement

    $$\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{C} y_i \log(\hat{y}_i + \epsilon)$$

where ``y_true`` is the target distribution (usually one-hot: 1 for the true class, 0
elsewhere; with label smoothing every class gets some weight) and ``y_pred`` a probability
vector. The small ``eps`` keeps ``log(0)`` (= ``-inf``) out of the result when the model
gives probability 0 to the true class. Return a Python ``float``.

Check: y_true ``[0, 0, 1, 0]``, y_pred ``[0.1, 0.05, 0.8, 0.05]`` → ``-log 0.8`` ≈ 0.2231.

日本語
------
交差エントロピー

    $$\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{C} y_i \log(\hat{y}_i + \epsilon)$$

を実装してください。``y_true`` は正解ラベルの分布（ふつうは one-hot で、正解クラスが 1、
それ以外は 0。ラベル平滑化ではすべてのクラスに重みがあります）、``y_pred`` は確率ベクトル
です。モデルが正解クラスに確率 0 を与えたときに ``log(0)``（= ``-inf``）にならないよう、
小さな ``eps`` を足します。戻り値は Python の ``float`` です。

確認：y_true ``[0, 0, 1, 0]``、y_pred ``[0.1, 0.05, 0.8, 0.05]`` → ``-log 0.8`` ≈ 0.2231
"""

import numpy as np


def cross_entropy(y_true, y_pred, eps=1e-12):
    """Cross-entropy of predicted probabilities against a target. / 予測確率の交差エントロピー。

    Args:
        y_true: float array of shape ``(C,)``, the target (one-hot, or soft).
        y_pred: float array of shape ``(C,)``, probabilities (non-negative, sum 1).
        eps: added inside the logarithm to avoid ``log(0)``.

    Returns:
        The loss as a ``float`` (a single number). Do not modify the inputs.

    引数：
        y_true: 形状 ``(C,)`` の float 配列。正解ラベル（one-hot、またはソフトな分布）。
        y_pred: 形状 ``(C,)`` の float 配列。予測確率（0 以上で和が 1）。
        eps: ``log(0)`` を避けるために対数の中に足す小さな値。

    戻り値：
        損失を表す 1 つの ``float``。入力は書き換えないでください。
    """
    raise NotImplementedError
