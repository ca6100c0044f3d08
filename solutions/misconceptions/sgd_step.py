"""Known-wrong mini-batch SGD steps, named by `rubrics/sgd_step.yaml`."""

import numpy as np


def _grads(theta, X_batch, y_batch, grad_fn):
    return [grad_fn(theta, x_i, y_i) for x_i, y_i in zip(X_batch, y_batch)]


def sum_not_mean(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta = np.asarray(theta, dtype=np.float64)
    return theta - alpha * np.sum(_grads(theta, X_batch, y_batch, grad_fn), axis=0)


def gradient_ascent(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta = np.asarray(theta, dtype=np.float64)
    return theta + alpha * np.mean(_grads(theta, X_batch, y_batch, grad_fn), axis=0)


def in_place(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta -= alpha * np.mean(_grads(theta, X_batch, y_batch, grad_fn), axis=0)
    return theta


def first_example_only(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta = np.asarray(theta, dtype=np.float64)
    return theta - alpha * grad_fn(theta, X_batch[0], y_batch[0])


def last_example_only(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta = np.asarray(theta, dtype=np.float64)
    return theta - alpha * grad_fn(theta, X_batch[-1], y_batch[-1])


def ignores_alpha(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta = np.asarray(theta, dtype=np.float64)
    return theta - 0.01 * np.mean(_grads(theta, X_batch, y_batch, grad_fn), axis=0)


def sequential(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    """One step per example, each from where the last one ended (plain SGD, not mini-batch)."""
    theta = np.array(theta, dtype=np.float64)
    for x_i, y_i in zip(X_batch, y_batch):
        theta = theta - alpha * grad_fn(theta, x_i, y_i)
    return theta


def sequential_mean(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta = np.array(theta, dtype=np.float64)
    for x_i, y_i in zip(X_batch, y_batch):
        theta = theta - alpha / len(X_batch) * grad_fn(theta, x_i, y_i)
    return theta



def divides_by_features(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta = np.asarray(theta, dtype=np.float64)
    total = np.sum(_grads(theta, X_batch, y_batch, grad_fn), axis=0)
    return theta - alpha * total / np.shape(X_batch)[1]
