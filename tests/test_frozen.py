"""Frozen values (grader/frozen.py): exact, data-only round trips, and clear errors."""

from __future__ import annotations

import base64
import math

import numpy as np
import pytest
import yaml

from grader.frozen import FrozenError, freeze, thaw
from grader.sandbox.callables import CALLABLES

VALUES = [
    pytest.param(None, id="None"),
    pytest.param(True, id="bool"),
    pytest.param(10**30, id="big int"),
    pytest.param("\\mathcal{L}_{\\text{CE}}", id="str"),
    pytest.param(0.1, id="float"),
    pytest.param(-0.0, id="negative zero"),
    pytest.param(1e-12, id="tiny float"),
    pytest.param(float("inf"), id="inf"),
    pytest.param(np.array([1.0, np.nan, -np.inf, 5e-324]), id="float array with nan and subnormal"),
    pytest.param(np.arange(6, dtype=np.int32).reshape(2, 3), id="int32 matrix"),
    pytest.param(np.zeros((0, 3)), id="empty array"),
    pytest.param(np.float32(0.1), id="numpy scalar"),
    pytest.param([1, 0.5, "a", None], id="list"),
    pytest.param((np.ones(2), 3.0), id="tuple of array and float"),
    pytest.param({"w": 2.5, "losses": [1.0, 0.5]}, id="dict"),
]


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and a.tobytes() == b.tobytes()
        )
    if isinstance(a, np.generic):
        return type(a) is type(b) and a.tobytes() == b.tobytes()  # type: ignore[union-attr]
    if isinstance(a, float):
        return type(b) is float and (a.hex() == b.hex() or (math.isnan(a) and math.isnan(b)))
    if isinstance(a, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)  # type: ignore[arg-type]
            and all(_same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[call-overload]
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("value", VALUES)
def test_values_round_trip_bit_for_bit_through_yaml(value: object) -> None:
    """A frozen value read back from YAML is the same value, bit for bit and of the same type."""
    text = yaml.safe_dump({"v": freeze(value)})
    assert _same(value, thaw(yaml.safe_load(text)["v"]))


def test_a_registered_callable_is_frozen_by_name() -> None:
    """A grad_fn input travels as its registered name and comes back as the same function."""
    name, fn = next(iter(CALLABLES.items()))
    assert {"callable": name} == freeze(fn)
    assert fn is thaw({"callable": name})


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param({"npy": "not base64!"}, "not base64", id="bad base64"),
        pytest.param(
            {"npy": base64.b64encode(b"\x93NUMPY\x01\x00" + b"\x10\x00{'descr': '|O'}").decode()},
            "npy",
            id="object dtype header",
        ),
        pytest.param({"float": "1.5"}, "float.hex", id="float not in hex"),
        pytest.param({"callable": "os.system"}, "unknown callable", id="unknown callable"),
        pytest.param({"pickle": "..."}, "unknown frozen form", id="unknown tag"),
        pytest.param([1, 2], "expected a frozen value", id="bare list"),
        pytest.param({"dict": [[1.5, 2]]}, "key", id="float key"),
    ],
)
def test_bad_frozen_data_is_a_clear_error(data: object, problem: str) -> None:
    """Data that is not a frozen value raises FrozenError naming the problem, nothing else."""
    with pytest.raises(FrozenError, match=problem):
        thaw(data)


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    """A frozen value nested thousands of levels deep is refused with a FrozenError."""
    data: object = 1
    for _ in range(5000):
        data = {"list": [data]}
    with pytest.raises(FrozenError, match="nested"):
        thaw(data)


def test_values_without_a_data_form_are_refused() -> None:
    """Objects, sets and complex arrays cannot be frozen (FrozenError, not a silent repr)."""
    for value in (object(), {1, 2}, np.array([1j])):
        with pytest.raises(FrozenError):
            freeze(value)
