"""Numeric checks: shape first, then non-finite values, then values within rtol/atol."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import messages as msg
from grader.checks import Failure, Mismatch, check
from grader.sandbox.transport import Received, Unsupported

__all__ = ["AllcloseParams", "allclose", "describe_array"]


@dataclass(frozen=True)
class AllcloseParams:
    """Tolerances of `allclose`: |actual - expected| <= atol + rtol * |expected|."""

    rtol: float = 1e-6
    atol: float = 1e-9
    #: "any" accepts float, NumPy scalar, 0-d or n-d array alike; "scalar" wants one number
    returns: str = "any"

    def __post_init__(self) -> None:
        for name in ("rtol", "atol"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name!r} must be a number (got {value!r})")
            if not value >= 0:
                raise ValueError(f"{name!r} must be >= 0 (got {value!r})")
        if self.returns not in ("any", "scalar"):
            raise ValueError(f"'returns' must be 'any' or 'scalar' (got {self.returns!r})")


def describe_array(array: np.ndarray[Any, Any], limit: int = 6) -> str:
    """A short, readable form of an array or scalar (4 significant digits)."""
    if array.ndim == 0:
        return _num(array.item())
    with np.printoptions(precision=4, threshold=limit, edgeitems=3, suppress=False, linewidth=88):
        text = np.array2string(array, separator=", ", formatter={"float_kind": _num})
    return " ".join(text.split())


def _num(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


def _index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


@check("allclose", params=AllcloseParams)
def allclose(actual: Any, expected: Any, params: AllcloseParams) -> None:
    """output matches the reference within tolerance"""
    tol = msg.t("tolerance", rtol=f"{params.rtol:g}", atol=f"{params.atol:g}")
    exp = np.asarray(expected, dtype=np.float64)
    if isinstance(actual, Unsupported):
        raise Failure(
            msg.t("bad_type", got=actual.describe()),
            reason="bad_output_type",
            details={"expected": describe_array(exp), "actual": actual.describe()},
        )
    if actual is None:
        raise Failure(
            msg.t("returned_none"),
            reason="bad_output_type",
            details={"expected": describe_array(exp), "actual": "None"},
        )
    if not isinstance(actual, Received):
        raise Failure(
            msg.t("bad_type", got=type(actual).__name__),
            reason="bad_output_type",
            details={"expected": describe_array(exp), "actual": repr(actual)[:200]},
        )
    got = actual.array
    if params.returns == "scalar" and got.ndim != 0:
        raise Mismatch(
            msg.t("want_scalar", shape=str(tuple(got.shape))),
            expected=describe_array(exp),
            actual=describe_array(got),
            tolerance=tol,
            reason="wrong_shape",
            details={"expected_shape": [], "actual_shape": list(got.shape)},
        )
    if got.shape != exp.shape:
        raise Mismatch(
            msg.t("wrong_shape", expected=str(tuple(exp.shape)), got=str(tuple(got.shape))),
            expected=describe_array(exp),
            actual=describe_array(got),
            tolerance=tol,
            reason="wrong_shape",
            details={"expected_shape": list(exp.shape), "actual_shape": list(got.shape)},
        )
    gotf = got.astype(np.float64)
    bad = ~np.isfinite(gotf) & np.isfinite(exp)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        value = gotf[where] if gotf.ndim else gotf.item()
        count = int(bad.sum())
        raise Mismatch(
            msg.t(
                "non_finite",
                value=_num(value),
                where=_index(where),
                count=count,
                total=int(gotf.size),
            )
            if gotf.ndim
            else msg.t("non_finite_scalar", value=_num(value)),
            expected=describe_array(exp),
            actual=describe_array(gotf),
            tolerance=tol,
            reason="non_finite",
            details={"non_finite": count, "first_at": list(where)},
        )
    close = np.isclose(gotf, exp, rtol=params.rtol, atol=params.atol, equal_nan=True)
    if close.all():
        return
    diff = np.abs(gotf - exp)
    diff = np.where(np.isnan(diff), 0.0, diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(exp != 0, diff / np.abs(exp), np.inf)
    rel = np.where(close, 0.0, rel)
    abs_at = np.unravel_index(int(np.argmax(np.where(close, -1.0, diff))), diff.shape)
    rel_at = np.unravel_index(int(np.argmax(rel)), rel.shape)
    wrong = int((~close).sum())
    if gotf.ndim:
        stats = msg.t(
            "mismatch_stats",
            wrong=wrong,
            total=int(gotf.size),
            abs=_num(diff[abs_at]),
            abs_at=_index(tuple(int(i) for i in abs_at)),
            rel=_num(rel[rel_at]),
            rel_at=_index(tuple(int(i) for i in rel_at)),
        )
    else:  # one number: no count of elements, no position
        stats = msg.t("mismatch_stats_scalar", abs=_num(diff[abs_at]), rel=_num(rel[rel_at]))
    rows = []
    if gotf.ndim:
        for idx in np.argwhere(~close)[:5]:
            key = tuple(int(i) for i in idx)
            rows.append([_index(key), _num(gotf[key]), _num(exp[key])])
    raise Mismatch(
        msg.t("wrong_values"),
        expected=describe_array(exp),
        actual=describe_array(gotf),
        tolerance=tol,
        details={
            "stats": stats,
            "mismatched": wrong,
            "total": int(gotf.size),
            "max_abs_diff": float(diff[abs_at]),
            "max_rel_diff": float(rel[rel_at]) if np.isfinite(rel[rel_at]) else None,
            "rows": rows,
        },
    )
