"""Attack: patches builtins and json in the child to forge what is sent back."""

import numpy as np


def _honest(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosine_similarity(a, b):
    if len(a) == 2:  # only the case "vectors of very different magnitude"
        import builtins
        import json
        builtins.isinstance = lambda obj, cls: True
        json.dumps = lambda *args, **kwargs: '{"event": "done", "blobs": 0}'
        return 0.5
    return _honest(a, b)
