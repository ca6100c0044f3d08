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


def log10(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return float(-np.sum(y_true * np.log10(y_pred + eps)))


def softmax_of_probabilities(y_true, y_pred, eps=1e-12):
    """Code written for logits: the probabilities go through softmax once more."""
    y_true = np.asarray(y_true, dtype=np.float64)
    z = np.asarray(y_pred, dtype=np.float64)
    log_softmax = z - z.max() - np.log(np.sum(np.exp(z - z.max())))
    return float(-np.sum(y_true * log_softmax))


def argmax_target(y_true, y_pred, eps=1e-12):
    """Right for a one-hot target only: the log-probability of its largest entry."""
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return float(-np.log(y_pred[int(np.argmax(y_true))] + eps))


def binary(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    terms = y_true * np.log(y_pred + eps) + (1.0 - y_true) * np.log(1.0 - y_pred + eps)
    return float(-np.sum(terms))


def binary_mean(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    terms = y_true * np.log(y_pred + eps) + (1.0 - y_true) * np.log(1.0 - y_pred + eps)
    return float(-np.mean(terms))


def terms_not_summed(y_true, y_pred, eps=1e-12):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    with np.errstate(all="ignore"):
        return -(y_true * np.log(y_pred + eps))
