"""Reference solution: log-density of a normal distribution (broadcasts)."""

import numpy as np


def log_normal_pdf(x, mu, sigma):
    x = np.asarray(x, dtype=np.float64)
    mu = np.asarray(mu, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    result = -0.5 * (np.log(2.0 * np.pi * sigma**2) + (x - mu) ** 2 / sigma**2)
    return float(result) if result.ndim == 0 else result
