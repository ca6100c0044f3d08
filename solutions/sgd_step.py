"""Reference solution: one mini-batch stochastic gradient descent step."""

import numpy as np


def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):
    theta = np.asarray(theta, dtype=np.float64)
    grads = [grad_fn(theta, x_i, y_i) for x_i, y_i in zip(X_batch, y_batch)]
    mean_grad = np.mean(grads, axis=0)
    return theta - alpha * mean_grad
