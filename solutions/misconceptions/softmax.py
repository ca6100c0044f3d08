"""Known-wrong softmax implementations, named by `rubrics/softmax.yaml` (misconceptions)."""

import numpy as np


def no_max_shift(z, axis=-1):
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / np.sum(e, axis=axis, keepdims=True)


def whole_array(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def global_max(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def not_normalised(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z - np.max(z, axis=axis, keepdims=True))


def not_normalised_unshifted(z, axis=-1):
    return np.exp(np.asarray(z, dtype=np.float64))


def ignores_axis(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def sum_without_keepdims(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis)


def no_keepdims(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=axis))
    return e / np.sum(e, axis=axis)
