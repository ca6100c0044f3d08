"""Signatures: what the shape of a wrong answer says when no known misconception explains it.

Each failing case's output is compared with the reference in a few telling ways: right values
in the wrong shape (transposed, a kept length-1 axis, flattened, or summed/averaged over an
axis), nan/inf only on the inputs of largest magnitude (exp overflowing to inf, or
underflowing to 0 and then 0/0 or log(0)) or only where an input holds a 0 (log(0), 0/0), a
constant factor, sign or offset off the reference on every failing case, right on 1-D inputs
but wrong on 2-D ones, and right values with an input changed in place. Findings are worded through
`grader.messages`; their ``id`` is the machine-readable name a report stores in
``details["signature"]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import messages as msg

__all__ = ["Finding", "Sample", "find"]

Array = np.ndarray[Any, Any]

#: inputs at least this large (in absolute value) overflow exp() on their own
_LARGE = 100.0
#: inputs this large under- or overflow exp() once squared or scaled (exp(-40**2 / 2))
_BIG = 20.0


@dataclass(frozen=True)
class Sample:
    """One case as the diagnosis sees it: inputs, reference, and the student's output."""

    name: str
    failed: bool
    expected: Array
    #: the student's output as float64, or None when it is not numeric
    got: Array | None
    inputs: tuple[Any, ...]
    #: whether the case failed only because an input was changed in place
    inputs_modified: bool = False
    rtol: float = 1e-6
    atol: float = 1e-9


@dataclass(frozen=True)
class Finding:
    """A named pattern and the sentence that explains it to the student."""

    id: str
    text: str


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _close(a: Array, b: Array, sample: Sample) -> bool:
    return a.shape == b.shape and bool(
        np.allclose(a, b, rtol=sample.rtol, atol=sample.atol, equal_nan=True)
    )


def _reduced(sample: Sample, got: Array) -> Finding | None:
    """``got`` is the reference summed or averaged over one axis, or over everything."""
    exp = sample.expected
    if exp.ndim == 0 or got.size >= exp.size:
        return None
    axes: list[int | None] = [None, *range(exp.ndim)] if exp.ndim > 1 else [None]
    for axis in axes:
        for kind, reduce in (("sum", np.sum), ("mean", np.mean)):
            want = np.asarray(reduce(exp, axis=axis))
            n = exp.size if axis is None else exp.shape[axis]
            wide = Sample(sample.name, True, want, None, (), rtol=sample.rtol, atol=sample.atol * n)
            if got.size == want.size and _close(got.reshape(np.shape(want)), want, wide):
                key = "sig_reduced_all" if axis is None else "sig_reduced"
                text = msg.t(
                    f"{key}_{kind}",
                    got=_shape(got.shape),
                    expected=_shape(exp.shape),
                    axis=axis if axis is None or axis < exp.ndim - 1 else -1,
                )
                return Finding("reduced", text)
    return None


def _shape_finding(sample: Sample, got: Array) -> Finding | None:
    exp = sample.expected
    if got.shape == exp.shape:
        # a square result keeps its shape when transposed: only its values tell
        if (
            exp.ndim == 2
            and exp.shape[0] == exp.shape[1] > 1
            and not _close(got, exp, sample)
            and _close(got.T, exp, sample)
        ):
            return Finding("transposed", msg.t("sig_transposed_square"))
        return None
    if got.size != exp.size:
        return _reduced(sample, got)
    got_s, exp_s = _shape(got.shape), _shape(exp.shape)
    if exp.ndim == 0:
        if _close(got.reshape(()), exp, sample):
            return Finding("kept_dims", msg.t("sig_kept_dims_scalar", got=got_s))
        return None
    if exp.ndim == 2 and got.shape == exp.shape[::-1] and _close(got.T, exp, sample):
        return Finding("transposed", msg.t("sig_transposed", got=got_s, expected=exp_s))
    if np.squeeze(got).shape == np.squeeze(exp).shape and _close(
        np.squeeze(got), np.squeeze(exp), sample
    ):
        return Finding("kept_dims", msg.t("sig_kept_dims", got=got_s, expected=exp_s))
    if _close(got.ravel(), exp.ravel(), sample):
        return Finding("flattened", msg.t("sig_flattened", got=got_s, expected=exp_s))
    return None


def _arrays(inputs: tuple[Any, ...]) -> list[Array]:
    out = []
    for value in inputs:
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
            out.append(value.astype(np.float64))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out.append(np.asarray(float(value)))
    return out


def _magnitude(sample: Sample) -> float:
    finite = [np.abs(a[np.isfinite(a)]) for a in _arrays(sample.inputs)]
    return max((float(a.max()) for a in finite if a.size), default=0.0)


def _has_zero(sample: Sample) -> bool:
    return any(bool((a == 0).any()) for a in _arrays(sample.inputs))


def _non_finite(sample: Sample) -> bool:
    got = sample.got
    if got is None or got.shape != sample.expected.shape:
        return False
    return bool((~np.isfinite(got) & np.isfinite(sample.expected)).any())


def _largest_inputs_negative(sample: Sample) -> bool:
    """Whether the inputs of largest magnitude are negative (exp of them underflows)."""
    values = np.concatenate([a.ravel() for a in _arrays(sample.inputs)] or [np.zeros(0)])
    values = values[np.isfinite(values)]
    if not values.size:
        return False
    big = values[np.abs(values) >= 0.5 * np.abs(values).max()]
    return bool((big < 0).all())


def _non_finite_findings(bad: list[Sample], samples: Sequence[Sample]) -> dict[str, Finding]:
    """Why each of ``bad`` is nan/inf: exp out of range on the largest inputs, or log(0)."""
    sizes = [_magnitude(s) for s in bad]
    calm = [
        _magnitude(s)
        for s in samples
        if s.got is not None and s.got.shape == s.expected.shape and np.isfinite(s.got).all()
    ]
    smallest = min(sizes)
    # nan/inf only on the inputs of largest magnitude: absolutely large (exp(1000)), or large
    # next to every case that came out finite (exp(-40**2 / 2) underflows, exp(-2**2 / 2) not)
    if calm and (
        (smallest >= _LARGE and min(calm) < _LARGE)
        or (smallest >= _BIG and smallest > 2 * max(calm))
    ):
        return {s.name: _out_of_range(s) for s in bad}
    if all(_has_zero(s) for s in bad):
        return {s.name: Finding("log_zero", msg.t("sig_log_zero")) for s in bad}
    return {}


def _out_of_range(sample: Sample) -> Finding:
    """Which way exp left the floats on ``sample``: -inf is log of an underflow, +inf an
    overflow, and nan an overflow (inf/inf) or, on very negative inputs, an underflow (0/0)."""
    big = f"{_magnitude(sample):g}"
    got = sample.got if sample.got is not None else np.zeros(0)
    if np.isneginf(got).any():
        return Finding("underflow_log", msg.t("sig_underflow_log", big=big))
    if np.isposinf(got).any() or not _largest_inputs_negative(sample):
        return Finding("overflow", msg.t("sig_overflow", big=big))
    return Finding("underflow", msg.t("sig_underflow", big=big))


def _relation(values: list[Sample]) -> Finding | None:
    """A factor, sign or offset shared by every element of every sample in ``values``."""
    got = np.concatenate([s.got.ravel() for s in values if s.got is not None])
    exp = np.concatenate([s.expected.ravel() for s in values])
    if got.size < 2:
        return None
    # each element keeps its own case's tolerance, as the check applied it
    tol = np.concatenate([s.atol + s.rtol * np.abs(s.expected.ravel()) for s in values])
    nonzero = np.abs(exp) > tol
    if nonzero.any():
        k = float(np.median(got[nonzero] / exp[nonzero]))
        if k != 0.0 and np.all(np.abs(got - k * exp) <= tol * max(1.0, abs(k))):
            if abs(k + 1.0) < 1e-3:
                return Finding("sign", msg.t("sig_sign"))
            for base in (2, 10):
                if abs(k * math.log(base) - 1.0) < 1e-3:
                    text = msg.t("sig_factor_log", factor=f"{k:.4g}", base=base)
                    return Finding("factor", text)
            if abs(k - 1.0) > 1e-3:
                return Finding("factor", msg.t("sig_factor", factor=f"{k:.4g}"))
    d = float(np.median(got - exp))
    if np.all(np.abs(got - exp - d) <= tol) and np.any(np.abs(d) > tol):
        return Finding("offset", msg.t("sig_offset", offset=f"{d:+.4g}"))
    return None


def _dims(sample: Sample) -> int:
    return max((a.ndim for a in _arrays(sample.inputs)), default=0)


def find(samples: Sequence[Sample]) -> dict[str, Finding]:
    """Findings by case name, for the failed cases that show a known pattern."""
    found: dict[str, Finding] = {}
    failed = [s for s in samples if s.failed and s.got is not None]
    rest = []
    for sample in failed:
        assert sample.got is not None  # noqa: S101 - filtered above
        if sample.inputs_modified:
            if _close(sample.got, sample.expected, sample):
                # the check's own message already says which input changed: no second sentence
                found[sample.name] = Finding("inputs_modified", "")
            continue
        shape = _shape_finding(sample, sample.got)
        if shape is not None:
            found[sample.name] = shape
        elif sample.got.shape == sample.expected.shape:
            rest.append(sample)
    bad = [s for s in rest if _non_finite(s)]
    if bad:
        found.update(_non_finite_findings(bad, samples))
    flagged = {id(s) for s in bad}
    values = [s for s in rest if id(s) not in flagged]
    if not values:
        return found
    relation = _relation(values)
    if relation is not None:
        found.update((s.name, relation) for s in values)
        return found
    passed_1d = any(not s.failed and s.got is not None and _dims(s) <= 1 for s in samples)
    if passed_1d and all(_dims(s) >= 2 for s in values) and all(_dims(s) >= 2 for s in failed):
        found.update((s.name, Finding("2d_only", msg.t("sig_2d_only"))) for s in values)
    return found
