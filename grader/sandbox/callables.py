"""Callables a rubric may pass to student code by name (e.g. the `grad_fn` of `sgd_step`).

Data cannot carry functions, so a case names one of these; the child and the grader both
look it up here. Each takes ``(theta, x_i, y_i)`` for one example and returns its gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["CALLABLES"]

Array = np.ndarray[Any, np.dtype[np.float64]]


def linreg_grad(theta: Array, x_i: Array, y_i: Any) -> Array:
    """Gradient of the squared error ½(θᵀx − y)² for one example: (θᵀx − y)·x."""
    residual = float(np.dot(theta, x_i)) - float(y_i)
    return np.asarray(residual * np.asarray(x_i, dtype=np.float64))


def logreg_grad(theta: Array, x_i: Array, y_i: Any) -> Array:
    """Gradient of the logistic loss for one example: (σ(θᵀx) − y)·x."""
    z = float(np.dot(theta, x_i))
    p = 1.0 / (1.0 + np.exp(-z))
    return np.asarray((p - float(y_i)) * np.asarray(x_i, dtype=np.float64))


def ridge_grad(theta: Array, x_i: Array, y_i: Any) -> Array:
    """Gradient of ½(θᵀx − y)² + ½·0.1·‖θ‖² for one example."""
    return linreg_grad(theta, x_i, y_i) + 0.1 * np.asarray(theta, dtype=np.float64)


CALLABLES: dict[str, Callable[..., Any]] = {
    "linreg_grad": linreg_grad,
    "logreg_grad": logreg_grad,
    "ridge_grad": ridge_grad,
}
