"""Data functions of the course: inputs that are derived, not pasted into a rubric.

A rubric case names one with ``data: {function: NAME, kwargs: {...}}``; its result (a tuple
of positional arguments) comes before the case's ``args``. They run in the grader's process,
like the reference solutions; a student release stores the inputs they made, not this file.
"""

import numpy as np


def attention_demo(seed=42, queries=4, keys=6, d=64, noise=0.1):
    """The lecture's demo: key 2 is a noisy copy of query 0, so query 0 attends to key 2."""
    rng = np.random.default_rng(seed)
    Q = rng.normal(size=(queries, d))  # noqa: N806 - the lecture's names
    K = rng.normal(size=(keys, d))  # noqa: N806
    K[2] = Q[0] + noise * rng.normal(size=d)
    V = rng.normal(size=(keys, d))  # noqa: N806
    return Q, K, V


def make_regression(seed=42, n=100, w=2.5, b=1.0, noise=0.5, low=-3.0, high=3.0):
    """The lecture's challenge data: y = w x + b + N(0, noise^2), x ~ U(low, high)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=n)
    y = w * x + b + rng.normal(0.0, noise, size=n)
    return x, y
