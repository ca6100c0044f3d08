"""Attack: announces a file's import on the status pipe while its case runs past the time
limit, which would give it a fresh time limit each time (in a shared child)."""

import json
import os
import stat
import struct
import time

import numpy as np


def _honest(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosine_similarity(a, b):
    if len(a) == 2:  # only the case "vectors of very different magnitude"
        body = json.dumps({"event": "import", "blobs": 0}).encode()
        pipes = [fd for fd in range(3, 64) if _is_pipe(fd)]
        for _ in range(2):  # 3 s in all, under a time limit of 2 s
            time.sleep(1.5)
            for fd in pipes:
                os.write(fd, struct.pack(">I", len(body)) + body)
    return _honest(a, b)


def _is_pipe(fd):
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        return False
