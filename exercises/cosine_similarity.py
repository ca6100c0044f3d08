r"""Exercise: cosine similarity — how aligned two vectors are, from -1 to 1.
演習：コサイン類似度 — 2 つのベクトルの向きがどれだけそろっているかを -1 から 1 で表します。

English
-------
Implement

    $$\cos(\mathbf{a}, \mathbf{b}) = \frac{\mathbf{a}^\top \mathbf{b}}{\lVert\mathbf{a}\rVert_2 \, \lVert\mathbf{b}\rVert_2}$$

``a @ b`` (or ``np.dot``) is the numerator; ``np.linalg.norm`` gives the Euclidean norm
:math:`\lVert\cdot\rVert_2`. Return the cosine itself (not the angle) as a Python ``float``.

Check: ``a = b = [1, 2, 3]`` → 1.0; ``b = -a`` → -1.0.

日本語
------
コサイン類似度

    $$\cos(\mathbf{a}, \mathbf{b}) = \frac{\mathbf{a}^\top \mathbf{b}}{\lVert\mathbf{a}\rVert_2 \, \lVert\mathbf{b}\rVert_2}$$

を実装してください。分子は ``a @ b``（または ``np.dot``）、ユークリッドノルム
:math:`\lVert\cdot\rVert_2` は ``np.linalg.norm`` で求められます。なす角ではなくコサイン
そのものを、Python の ``float`` で返してください。

確認：``a = b = [1, 2, 3]`` → 1.0、``b = -a`` → -1.0
"""

import numpy as np


def cosine_similarity(a, b):
    """Cosine of the angle between ``a`` and ``b``. / ``a`` と ``b`` のなす角のコサイン。

    Args:
        a: float array of shape ``(n,)``, not all zeros.
        b: float array of shape ``(n,)``, not all zeros.

    Returns:
        A ``float`` in ``[-1, 1]``. Do not modify the inputs.

    引数：
        a: 形状 ``(n,)`` の float 配列（すべて 0 ではありません）。
        b: 形状 ``(n,)`` の float 配列（すべて 0 ではありません）。

    戻り値：
        ``[-1, 1]`` の範囲の ``float``。入力は書き換えないでください。
    """
    raise NotImplementedError
