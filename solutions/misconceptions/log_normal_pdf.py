"""Known-wrong normal log-density implementations, named by `rubrics/log_normal_pdf.yaml`."""

import numpy as np


def _arrays(x, mu, sigma):
    return (np.asarray(v, dtype=np.float64) for v in (x, mu, sigma))


def _out(result):
    return float(result) if np.ndim(result) == 0 else result


def sigma_as_variance(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-0.5 * (np.log(2.0 * np.pi * sigma) + (x - mu) ** 2 / sigma))


def pdf_not_log(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(np.exp(-0.5 * (x - mu) ** 2 / sigma**2) / np.sqrt(2.0 * np.pi * sigma**2))


def log_of_pdf(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    pdf = np.exp(-0.5 * (x - mu) ** 2 / sigma**2) / np.sqrt(2.0 * np.pi * sigma**2)
    with np.errstate(divide="ignore"):
        return _out(np.log(pdf))


def missing_half(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-(np.log(2.0 * np.pi * sigma**2) + (x - mu) ** 2 / sigma**2))


def missing_half_in_square(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-0.5 * np.log(2.0 * np.pi * sigma**2) - (x - mu) ** 2 / sigma**2)


def missing_half_in_log(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-np.log(2.0 * np.pi * sigma**2) - 0.5 * (x - mu) ** 2 / sigma**2)


def no_two_pi(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-0.5 * (np.log(sigma**2) + (x - mu) ** 2 / sigma**2))


def sigma_as_variance_in_log(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-0.5 * (np.log(2.0 * np.pi * sigma) + (x - mu) ** 2 / sigma**2))


def sigma_as_variance_in_square(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-0.5 * (np.log(2.0 * np.pi * sigma**2) + (x - mu) ** 2 / sigma))


def log10_term(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-0.5 * (np.log10(2.0 * np.pi * sigma**2) + (x - mu) ** 2 / sigma**2))


def log2_term(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-0.5 * (np.log2(2.0 * np.pi * sigma**2) + (x - mu) ** 2 / sigma**2))


def log10_density(x, mu, sigma):
    x, mu, sigma = _arrays(x, mu, sigma)
    return _out(-0.5 * (np.log(2.0 * np.pi * sigma**2) + (x - mu) ** 2 / sigma**2) / np.log(10.0))
