"""Reference solution: linear regression by full-batch gradient descent."""

import numpy as np


def fit_linear_regression(x, y, lr=0.01, epochs=200):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = 0.0, 0.0
    losses = []
    for _ in range(epochs):
        error = w * x + b - y
        losses.append(float(np.mean(error**2)))
        grad_w = 2.0 * np.mean(error * x)
        grad_b = 2.0 * np.mean(error)
        w -= lr * grad_w
        b -= lr * grad_b
    return w, b, np.array(losses)
