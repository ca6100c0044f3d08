"""Attack: keeps memory outside its address space (and so outside RLIMIT_AS) in memfds."""

import os

import numpy as np


def _honest(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosine_similarity(a, b):
    if len(a) == 2:  # only the case "vectors of very different magnitude"
        chunk = b"\1" * (8 << 20)
        kept = []
        for n in range(48):  # 384 MiB, above the memory limit of 256 MiB
            fd = os.memfd_create(f"m{n}")
            os.write(fd, chunk)
            kept.append(fd)
    return _honest(a, b)
