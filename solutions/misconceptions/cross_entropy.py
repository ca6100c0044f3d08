"""Known-wrong cross-entropy implementations, named by `rubrics/cross_entropy.yaml`."""

import numpy as np


def no_eps(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(y_true * np.log(y_pred)))


def log2(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return float(-np.sum(y_true * np.log2(y_pred + eps)))


def missing_minus(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return float(np.sum(y_true * np.log(y_pred + eps)))


def mean_not_sum(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return float(-np.mean(y_true * np.log(y_pred + eps)))


def swapped_arguments(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return float(-np.sum(y_pred * np.log(y_true + eps)))


def fixed_eps(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return float(-np.sum(y_true * np.log(y_pred + 1e-12)))
