"""Known-wrong gradient-descent fits, named by `rubrics/fit_linear_regression.yaml`."""

import numpy as np


def _fit(x, y, lr, epochs, step):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = 0.0, 0.0
    losses = []
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            error = w * x + b - y
            losses.append(float(np.mean(error**2)))
            w, b = step(x, y, w, b, error, lr)
    return w, b, np.array(losses)


def no_factor_two(x, y, lr=0.01, epochs=200):
    def step(x, y, w, b, error, lr):
        return w - lr * np.mean(error * x), b - lr * np.mean(error)

    return _fit(x, y, lr, epochs, step)


def sum_not_mean(x, y, lr=0.01, epochs=200):
    def step(x, y, w, b, error, lr):
        return w - lr * 2.0 * np.sum(error * x), b - lr * 2.0 * np.sum(error)

    return _fit(x, y, lr, epochs, step)


def sequential_update(x, y, lr=0.01, epochs=200):
    def step(x, y, w, b, error, lr):
        w = w - lr * 2.0 * np.mean(error * x)
        return w, b - lr * 2.0 * np.mean(w * x + b - y)

    return _fit(x, y, lr, epochs, step)


def gradient_ascent(x, y, lr=0.01, epochs=200):
    def step(x, y, w, b, error, lr):
        return w + lr * 2.0 * np.mean(error * x), b + lr * 2.0 * np.mean(error)

    return _fit(x, y, lr, epochs, step)


def ignores_lr(x, y, lr=0.01, epochs=200):
    def step(x, y, w, b, error, lr):
        return w - 0.01 * 2.0 * np.mean(error * x), b - 0.01 * 2.0 * np.mean(error)

    return _fit(x, y, lr, epochs, step)


def one_epoch_too_many(x, y, lr=0.01, epochs=200):
    def step(x, y, w, b, error, lr):
        return w - lr * 2.0 * np.mean(error * x), b - lr * 2.0 * np.mean(error)

    return _fit(x, y, lr, epochs + 1, step)


def same_gradient_for_w(x, y, lr=0.01, epochs=200):
    def step(x, y, w, b, error, lr):
        grad = 2.0 * np.mean(error)
        return w - lr * grad, b - lr * grad

    return _fit(x, y, lr, epochs, step)
