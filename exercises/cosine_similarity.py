r"""Exercise: cosine similarity — how aligned two vectors are, from -1 to 1.

English
-------
Implement

    $$\cos(\mathbf{a}, \mathbf{b}) = \frac{\mathbf{a}^\top \mathbf{b}}{\lVert\mathbf{a}\rVert_2 \, \lVert\mathbf{b}\rVert_2}$$

``a @ b`` (or ``np.dot``) is the numerator; ``np.linalg.norm`` gives the Euclidean norm
:math:`\lVert\cdot\rVert_2`. Return a Python ``float``.

日本語
------
コサイン類似度

    $$\cos(\mathbf{a}, \mathbf{b}) = \frac{\mathbf{a}^\top \mathbf{b}}{\lVert\mathbf{a}\rVert_2 \, \lVert\mathbf{b}\rVert_2}$$

を実装してください。分子は ``a @ b``（または ``np.dot``）、ユークリッドノルム
:math:`\lVert\cdot\rVert_2` は ``np.linalg.norm`` で求められます。戻り値は Python の ``float``。

Check / 確認: ``a = b = [1, 2, 3]`` → 1.0; ``b = -a`` → -1.0.
"""

import numpy as np


def cosine_similarity(a, b):
    """Cosine of the angle between ``a`` and ``b``.

    Args:
        a: float array of shape ``(n,)``, not all zeros.
        b: float array of shape ``(n,)``, not all zeros.

    Returns:
        A ``float`` in ``[-1, 1]``. Do not modify the inputs.
    """
    raise NotImplementedError
