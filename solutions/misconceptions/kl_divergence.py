"""Known-wrong KL divergence implementations, named by `rubrics/kl_divergence.yaml`."""

import numpy as np


def _arrays(q, p):
    return np.asarray(q, dtype=np.float64), np.asarray(p, dtype=np.float64)


def swapped_arguments(q, p, eps=1e-12):
    q, p = _arrays(q, p)
    terms = np.where(p > 0, p * (np.log(p + eps) - np.log(q + eps)), 0.0)
    return float(np.sum(terms))


def fraction_upside_down(q, p, eps=1e-12):
    q, p = _arrays(q, p)
    terms = np.where(q > 0, q * (np.log(p + eps) - np.log(q + eps)), 0.0)
    return float(np.sum(terms))


def cross_entropy_only(q, p, eps=1e-12):
    q, p = _arrays(q, p)
    return float(-np.sum(q * np.log(p + eps)))


def log2(q, p, eps=1e-12):
    q, p = _arrays(q, p)
    terms = np.where(q > 0, q * (np.log2(q + eps) - np.log2(p + eps)), 0.0)
    return float(np.sum(terms))


def zero_times_log_zero(q, p, eps=1e-12):
    q, p = _arrays(q, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(q * np.log(q / (p + eps))))


def mean_not_sum(q, p, eps=1e-12):
    q, p = _arrays(q, p)
    terms = np.where(q > 0, q * (np.log(q + eps) - np.log(p + eps)), 0.0)
    return float(np.mean(terms))
