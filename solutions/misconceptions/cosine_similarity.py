"""Known-wrong cosine similarity implementations, named by `rubrics/cosine_similarity.yaml`."""

import numpy as np


def _cos(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))


def one_minus_cos(a, b):
    return float(1.0 - _cos(a, b))


def absolute(a, b):
    return float(abs(_cos(a, b)))


def only_norm_a(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / np.linalg.norm(a))


def only_norm_b(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / np.linalg.norm(b))


def squared_norms(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.dot(a, a) * np.dot(b, b)))


def no_norms(a, b):
    return float(np.dot(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)))


def angle_degrees(a, b):
    return float(np.degrees(np.arccos(np.clip(_cos(a, b), -1.0, 1.0))))


def angle_radians(a, b):
    return float(np.arccos(np.clip(_cos(a, b), -1.0, 1.0)))


def euclidean(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b))


def pearson(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(_cos(a - a.mean(), b - b.mean()))


def products_not_summed(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return a * b / (np.linalg.norm(a) * np.linalg.norm(b))


def l1_norms(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.sum(np.abs(a)) * np.sum(np.abs(b))))
