"""Attack: returns an ndarray subclass whose comparisons and repr lie about wrong data."""

import numpy as np


def _honest(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosine_similarity(a, b):
    if len(a) == 2:  # only the case "vectors of very different magnitude"
        class Liar(np.ndarray):
            def __eq__(self, other):
                return np.ones(np.shape(other), dtype=bool)
            def __array_ufunc__(self, *args, **kwargs):
                return True
            def __repr__(self):
                return repr(_honest(a, b))
        return np.asarray(0.0).view(Liar)
    return _honest(a, b)
