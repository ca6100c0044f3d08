"""Known-wrong attention implementations, named by `rubrics/attention.yaml`."""

import numpy as np


def _arrays(Q, K, V):  # noqa: N803
    return (np.asarray(a, dtype=np.float64) for a in (Q, K, V))


def _softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def no_scaling(Q, K, V):  # noqa: N803
    Q, K, V = _arrays(Q, K, V)
    weights = _softmax(Q @ K.T)
    return weights @ V, weights


def divides_by_d_k(Q, K, V):  # noqa: N803
    Q, K, V = _arrays(Q, K, V)
    weights = _softmax(Q @ K.T / Q.shape[-1])
    return weights @ V, weights


def softmax_over_queries(Q, K, V):  # noqa: N803
    Q, K, V = _arrays(Q, K, V)
    weights = _softmax(Q @ K.T / np.sqrt(Q.shape[-1]), axis=0)
    return weights @ V, weights


def scores_not_softmaxed(Q, K, V):  # noqa: N803
    Q, K, V = _arrays(Q, K, V)
    weights = Q @ K.T / np.sqrt(Q.shape[-1])
    return weights @ V, weights


def output_scaled(Q, K, V):  # noqa: N803
    Q, K, V = _arrays(Q, K, V)
    weights = _softmax(Q @ K.T)
    return weights @ V / np.sqrt(Q.shape[-1]), weights


def scaled_by_d_v(Q, K, V):  # noqa: N803
    Q, K, V = _arrays(Q, K, V)
    weights = _softmax(Q @ K.T / np.sqrt(V.shape[-1]))
    return weights @ V, weights


def weights_first(Q, K, V):  # noqa: N803
    Q, K, V = _arrays(Q, K, V)
    weights = _softmax(Q @ K.T / np.sqrt(Q.shape[-1]))
    return weights, weights @ V


def no_max_shift(Q, K, V):  # noqa: N803
    Q, K, V = _arrays(Q, K, V)
    with np.errstate(all="ignore"):
        e = np.exp(Q @ K.T / np.sqrt(Q.shape[-1]))
        weights = e / np.sum(e, axis=-1, keepdims=True)
        return weights @ V, weights
