"""Attack: ten thousand numbers in a dict where one number belongs; each number is a frame of
its own, and the answer's message held more frames than the grader reads, so the case ended
in "the result could not be read back (bad blob count)"."""

import numpy as np


def cosine_similarity(a, b):
    if len(a) == 2:  # only the case "vectors of very different magnitude"
        return {str(i): float(i) for i in range(10_000)}
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
