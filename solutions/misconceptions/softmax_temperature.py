"""Known-wrong softmax-with-temperature implementations, named by
`rubrics/softmax_temperature.yaml`."""

import numpy as np


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def multiplies_by_tau(z, tau=1.0, axis=-1):
    return _softmax(np.asarray(z, dtype=np.float64) * tau, axis)


def ignores_tau(z, tau=1.0, axis=-1):
    return _softmax(np.asarray(z, dtype=np.float64), axis)


def no_max_shift(z, tau=1.0, axis=-1):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(z, dtype=np.float64) / tau)
        return e / np.sum(e, axis=axis, keepdims=True)


def divides_probabilities(z, tau=1.0, axis=-1):
    return _softmax(np.asarray(z, dtype=np.float64), axis) / tau


def sum_without_keepdims(z, tau=1.0, axis=-1):
    s = np.asarray(z, dtype=np.float64) / tau
    e = np.exp(s - np.max(s, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis)


def no_keepdims(z, tau=1.0, axis=-1):
    s = np.asarray(z, dtype=np.float64) / tau
    e = np.exp(s - np.max(s, axis=axis))
    return e / np.sum(e, axis=axis)
