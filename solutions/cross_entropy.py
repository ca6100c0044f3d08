"""Reference solution: cross-entropy of a probability vector against a one-hot target."""

import numpy as np


def cross_entropy(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return float(-np.sum(y_true * np.log(y_pred + eps)))
