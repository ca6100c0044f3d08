"""Attack: ignores SIGTERM and SIGINT, then loops."""

import numpy as np
import signal

def _honest(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosine_similarity(a, b):
    if len(a) == 2:  # only the case "vectors of very different magnitude"
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        while True:
            pass
    return _honest(a, b)
