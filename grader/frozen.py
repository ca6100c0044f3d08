"""Frozen values: any value a case can take or give, written as exact, data-only YAML/JSON.

A student release (`grader.release`) stores every input and expected value computed at release
time, so that the student copy needs neither the reference solutions nor NumPy's generators to
give the same inputs later. YAML floats are not exact across writers and readers, so values are
tagged instead: arrays (and NumPy scalars) as base64 of the grader's own `.npy` encoding
(`grader.sandbox.transport`, never pickle; headers are checked before anything is allocated),
Python floats as ``float.hex``. In a rubric, a frozen input is written ``{frozen: ...}``.

==================  ===========================================
value               frozen form
==================  ===========================================
None, bool, int,    the same (YAML and JSON keep them exactly)
str
float               ``{float: "0x1.3333333333333p-2"}``
ndarray             ``{npy: "<base64 .npy>"}``
NumPy scalar        ``{scalar: "<base64 .npy of a 0-d array>"}``
list, tuple         ``{list: [...]}``, ``{tuple: [...]}``
dict                ``{dict: [[key, value], ...]}`` (keys: str, int or bool)
registered callable ``{callable: name}``
==================  ===========================================
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import numpy as np

from grader.sandbox import transport
from grader.sandbox.callables import CALLABLES

__all__ = ["FrozenError", "freeze", "thaw"]

#: what `float.hex` writes (and nothing else: ``float.fromhex("1.5")`` would read hex digits)
_HEX_FLOAT = re.compile(r"-?(?:0x[01]\.[0-9a-f]+p[+-]\d+|0x0\.0p\+0|inf|nan)")
#: nesting accepted when thawing (deeper data is refused, never a RecursionError)
MAX_DEPTH = 32


class FrozenError(ValueError):
    """A frozen value that cannot be read back (names the part that is wrong)."""


def freeze(value: Any) -> Any:
    """The frozen (exact, data-only) form of ``value``; `FrozenError` if it has no such form."""
    return _freeze(value, 0)


def _freeze(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise FrozenError(f"nested more than {MAX_DEPTH} levels")
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return {"float": value.hex()}
    if isinstance(value, np.ndarray):
        return {"npy": _b64(value)}
    if isinstance(value, np.generic):
        return {"scalar": _b64(np.asarray(value))}
    if type(value) in (list, tuple):
        tag = "list" if type(value) is list else "tuple"
        return {tag: [_freeze(v, depth + 1) for v in value]}
    if type(value) is dict:
        items = []
        for key, item in value.items():
            if type(key) not in (str, int, bool):
                raise FrozenError(f"dict key {key!r}: keys must be str, int or bool")
            items.append([key, _freeze(item, depth + 1)])
        return {"dict": items}
    if callable(value):
        for name, fn in CALLABLES.items():
            if fn is value:
                return {"callable": name}
    raise FrozenError(f"a value of type {type(value).__name__} cannot be frozen")


def _b64(array: np.ndarray[Any, Any]) -> str:
    if array.dtype.kind not in "biuf":  # what `transport.decode_npy` accepts back
        raise FrozenError(f"arrays of {array.dtype} cannot be frozen (bool, int or float only)")
    try:
        blob = transport.encode_npy(array)
    except transport.TransportError as exc:
        raise FrozenError(str(exc)) from None
    return base64.b64encode(blob).decode("ascii")


def thaw(data: Any) -> Any:
    """The value ``data`` (a `freeze` result) stands for; `FrozenError` on anything else."""
    return _thaw(data, 0, "value")


def _thaw(data: Any, depth: int, where: str) -> Any:
    if depth > MAX_DEPTH:
        raise FrozenError(f"{where}: nested more than {MAX_DEPTH} levels")
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is not dict or len(data) != 1:
        raise FrozenError(f"{where}: expected a frozen value such as {{npy: ...}}, got {data!r}")
    ((tag, body),) = data.items()
    if tag == "float":
        if not isinstance(body, str) or not _HEX_FLOAT.fullmatch(body):
            raise FrozenError(f"{where}: float must be written with float.hex, got {body!r}")
        return float.fromhex(body)
    if tag in ("npy", "scalar"):
        array = _array(body, where)
        if tag == "scalar":
            if array.shape != ():
                raise FrozenError(f"{where}: a scalar must be a 0-d array")
            return array[()]
        return array
    if tag in ("list", "tuple"):
        if type(body) is not list:
            raise FrozenError(f"{where}: {tag} must hold a list")
        items = [_thaw(v, depth + 1, f"{where}[{i}]") for i, v in enumerate(body)]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return _dict(body, depth, where)
    if tag == "callable":
        if not isinstance(body, str) or body not in CALLABLES:
            raise FrozenError(f"{where}: unknown callable {body!r}")
        return CALLABLES[body]
    raise FrozenError(f"{where}: unknown frozen form {tag!r}")


def _array(body: Any, where: str) -> np.ndarray[Any, Any]:
    if not isinstance(body, str):
        raise FrozenError(f"{where}: .npy data must be a base64 string")
    try:
        blob = base64.b64decode(body.encode("ascii"), validate=True)
        return transport.decode_npy(blob)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise FrozenError(f"{where}: not base64 .npy data ({exc})") from None
    except transport.TransportError as exc:
        raise FrozenError(f"{where}: {exc}") from None


def _dict(body: Any, depth: int, where: str) -> dict[Any, Any]:
    if type(body) is not list:
        raise FrozenError(f"{where}: dict must hold a list of [key, value] pairs")
    out: dict[Any, Any] = {}
    for i, pair in enumerate(body):
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int, bool):
            raise FrozenError(f"{where}: item {i} must be [key, value] with a str or int key")
        out[pair[0]] = _thaw(pair[1], depth + 1, f"{where}[{pair[0]!r}]")
    return out
