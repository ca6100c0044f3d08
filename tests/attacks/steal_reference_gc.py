"""Attack: searches the child's memory for the reference solution and calls it."""

import numpy as np
import gc
import sys

def _honest(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosine_similarity(a, b):
    if len(a) == 2:  # only the case "vectors of very different magnitude"
        for obj in gc.get_objects():
            if callable(obj) and getattr(obj, "__name__", "") == "cosine_similarity":
                if getattr(obj, "__module__", "") != __name__:
                    return obj(a, b)
        for name, module in list(sys.modules.items()):
            if "solution" in name:
                return module.cosine_similarity(a, b)
        return 0.5
    return _honest(a, b)
