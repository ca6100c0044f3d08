"""Data-only transport between the grader and a child: framed JSON plus `.npy` blobs.

Used on both sides, so it imports only the standard library and NumPy.

A *message* is a 4-byte big-endian length followed by UTF-8 JSON; a message whose JSON has
``"blobs": n`` is followed by ``n`` frames of raw `.npy` bytes. Values travel as tagged JSON
(``{"t": "array", "npy": k}``, ``{"t": "str", "v": ...}``, ...). Nothing here can carry code:
pickle is never used, and `.npy` headers are checked before any memory is allocated.
"""

from __future__ import annotations

import ast
import json
import re
import struct
from typing import Any

import numpy as np

__all__ = [
    "MAX_BLOBS",
    "MAX_ELEMENTS",
    "MAX_FRAME",
    "MAX_ITEMS",
    "MAX_PARTS",
    "FrameReader",
    "Received",
    "TransportError",
    "Unsupported",
    "decode_npy",
    "decode_value",
    "encode_npy",
    "encode_value",
    "frame",
    "message",
    "parse_json",
]

#: largest single frame accepted (bytes)
MAX_FRAME = 64 * 1024 * 1024
#: largest array accepted (elements)
MAX_ELEMENTS = 4_000_000
#: frames one message may carry after its JSON
MAX_BLOBS = 1024
#: dtype kinds that may cross: bool, signed, unsigned, float
_KINDS = frozenset("biuf")
_HEADER = struct.Struct(">I")


class TransportError(Exception):
    """A message or payload that does not follow the protocol."""

    #: messages completed before the violation (set by `FrameReader.feed`)
    messages: list[tuple[dict[str, Any], list[bytes]]] = []  # noqa: RUF012 - replaced per error


def frame(payload: bytes) -> bytes:
    """Prefix ``payload`` with its length."""
    if len(payload) > MAX_FRAME:
        raise TransportError(f"frame of {len(payload)} bytes exceeds {MAX_FRAME}")
    return _HEADER.pack(len(payload)) + payload


def message(obj: dict[str, Any], blobs: list[bytes] | tuple[bytes, ...] = ()) -> bytes:
    """One JSON message and its blobs, framed."""
    body = dict(obj)
    body["blobs"] = len(blobs)
    out = [frame(json.dumps(body, allow_nan=False).encode())]
    out.extend(frame(b) for b in blobs)
    return b"".join(out)


class FrameReader:
    """Incremental decoder: feed bytes, take complete messages with their blobs."""

    def __init__(self, max_total: int = 8 * MAX_FRAME) -> None:
        self._buf = bytearray()
        self._frames: list[bytes] = []
        self._pending: dict[str, Any] | None = None
        self._max_total = max_total
        self.total = 0

    def feed(self, data: bytes) -> list[tuple[dict[str, Any], list[bytes]]]:
        """Add bytes; return every message completed by them.

        On a protocol violation the `TransportError` carries, as ``.messages``, the messages
        completed before the bad bytes, so that answers sent earlier are not lost.
        """
        done: list[tuple[dict[str, Any], list[bytes]]] = []
        try:
            self._feed(data, done)
        except TransportError as exc:
            exc.messages = done
            raise
        return done

    def _feed(self, data: bytes, done: list[tuple[dict[str, Any], list[bytes]]]) -> None:
        self.total += len(data)
        if self.total > self._max_total:
            raise TransportError("the child sent more data than allowed")
        self._buf.extend(data)
        while len(self._buf) >= 4:
            (size,) = _HEADER.unpack_from(self._buf)
            if size > MAX_FRAME:
                raise TransportError(f"frame of {size} bytes exceeds {MAX_FRAME}")
            if len(self._buf) < 4 + size:
                break
            payload = bytes(self._buf[4 : 4 + size])
            del self._buf[: 4 + size]
            if self._pending is None:
                obj = parse_json(payload)
                if not isinstance(obj, dict):
                    raise TransportError("a message must be a JSON object")
                blobs = obj.get("blobs", 0)
                if not isinstance(blobs, int) or not 0 <= blobs <= MAX_BLOBS:
                    raise TransportError("bad blob count")
                self._pending = obj
                self._frames = []
            else:
                self._frames.append(payload)
            if len(self._frames) == self._pending.get("blobs", 0):
                done.append((self._pending, self._frames))
                self._pending = None
                self._frames = []


#: deepest nesting of lists and objects a message may have (the protocol needs about five)
MAX_DEPTH = 16
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_json(payload: bytes) -> Any:
    """JSON from a child, as plain data the grader can store and print, or `TransportError`.

    Refused: invalid UTF-8, ``NaN`` and ``Infinity`` (not JSON; they would reach the
    gradebook and every export), nesting deeper than `MAX_DEPTH`. Lone surrogates (``\\ud800``,
    which no UTF-8 file or database can hold) become U+FFFD.
    """
    try:
        obj = json.loads(payload, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise TransportError(f"malformed message: {str(exc)[:200]}") from None
    return _clean(obj, 0)


def _clean(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return value if value.isascii() else _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list | dict):
        if depth >= MAX_DEPTH:
            raise TransportError(f"a message nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, list):
            return [_clean(item, depth + 1) for item in value]
        return {_clean(k, depth + 1): _clean(v, depth + 1) for k, v in value.items()}
    return value


# -- npy ---------------------------------------------------------------------------------------


def encode_npy(array: np.ndarray[Any, Any]) -> bytes:
    """Serialise a plain numeric array as `.npy` (version 1.0) bytes, never with pickle.

    Written here rather than by `np.save`, which costs several times more for the small
    arrays of an exercise: the header is the dict `np.save` writes, padded to 64 bytes.
    """
    if array.dtype.hasobject or array.dtype.fields is not None:
        raise TransportError(f"unsupported dtype {array.dtype}")
    header = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (  # noqa: UP031
        array.dtype.str,
        tuple(int(n) for n in array.shape),
    )
    pad = -(10 + len(header) + 1) % 64
    head = header + " " * pad + "\n"
    return (
        b"\x93NUMPY\x01\x00"
        + struct.pack("<H", len(head))
        + head.encode("latin1")
        + (np.ascontiguousarray(array).tobytes())
    )


#: the header `encode_npy` (and `np.save`) writes; anything else goes through `ast`
_NPY_HEADER = re.compile(
    r"\{'descr': '([<>|=]?[a-zA-Z]\d{0,2})', 'fortran_order': (True|False), "
    r"'shape': \(((?:\d{1,19}, )*(?:\d{1,19},?)?)\), \} *\n?"
)


def _header(text: str) -> Any:
    found = _NPY_HEADER.fullmatch(text)
    if found is None:
        return ast.literal_eval(text)
    descr, fortran, dims = found.groups()
    shape = tuple(int(n) for n in dims.replace(",", " ").split())
    return {"descr": descr, "fortran_order": fortran == "True", "shape": shape}


def decode_npy(blob: bytes, max_elements: int = MAX_ELEMENTS) -> np.ndarray[Any, Any]:
    """Parse `.npy` bytes after validating the header; numeric dtypes only."""
    if len(blob) < 10 or blob[:6] != b"\x93NUMPY":
        raise TransportError("not an .npy payload")
    major = blob[6]
    if major == 1:
        (hlen,) = struct.unpack_from("<H", blob, 8)
        start = 10
    elif major in (2, 3):
        if len(blob) < 12:
            raise TransportError("truncated .npy header")
        (hlen,) = struct.unpack_from("<I", blob, 8)
        start = 12
    else:
        raise TransportError(f"unknown .npy version {major}")
    if hlen > 4096 or start + hlen > len(blob):
        raise TransportError("bad .npy header length")
    try:
        header = _header(blob[start : start + hlen].decode("latin1"))
    except (ValueError, SyntaxError) as exc:
        raise TransportError(f"bad .npy header: {exc}") from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise TransportError("bad .npy header keys")
    descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
    if not isinstance(descr, str) or not isinstance(fortran, bool):
        raise TransportError("bad .npy header values")
    if not isinstance(shape, tuple) or len(shape) > 32:
        raise TransportError("bad .npy shape")
    if not all(isinstance(n, int) and 0 <= n <= max_elements for n in shape):
        raise TransportError("bad .npy shape")
    count = 1
    extent = 1  # the product of the dimensions that are not zero: an empty array of shape
    for n in shape:  # (0, 2**62) holds nothing but breaks whatever works on it
        count *= n
        extent *= max(n, 1)
    if count > max_elements or extent > max_elements:
        raise TransportError(f"array of shape {shape} exceeds the limit of {max_elements}")
    try:
        dtype = np.dtype(descr)
    except TypeError:
        raise TransportError(f"unsupported dtype {descr!r}") from None
    if dtype.kind not in _KINDS or dtype.hasobject or dtype.fields is not None:
        raise TransportError(f"unsupported dtype {dtype}")
    body = blob[start + hlen :]
    if len(body) != count * dtype.itemsize:
        raise TransportError("the .npy body does not match its header")
    array = np.frombuffer(body, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C").copy()


# -- tagged values -------------------------------------------------------------------------------


#: how deep tuples, lists and dicts may nest in one value (a message's JSON nests about three
#: levels per dict level, and `MAX_DEPTH` bounds the whole message)
MAX_NESTING = 4
#: items in all the tuples, lists and dicts of one value
MAX_ITEMS = 10_000
#: numbers and arrays in one value (each travels as a frame; the rest of a message's
#: `MAX_BLOBS` frames are left to the case's inputs, sent back beside the value)
MAX_PARTS = 1000
#: the ``error`` of a value described instead of sent because it has more than `MAX_ITEMS`
#: items or `MAX_PARTS` numbers and arrays (`Unsupported.too_many`)
TOO_MANY_PARTS = "too many parts"


class _TooManyParts(Exception):  # noqa: N818 - a signal inside encode_value, never raised out
    pass


def encode_value(value: Any, blobs: list[bytes]) -> dict[str, Any]:
    """Tag a value for transport, appending `.npy` bytes to ``blobs``.

    Numbers, arrays of bool/int/float and lists of numbers become `.npy`; strings travel as
    text; tuples, dicts and other lists travel as tagged items, nested at most `MAX_NESTING`
    deep; anything else (objects, complex numbers, callables, subclasses of the containers)
    is described by its type name only. A value with more than `MAX_ITEMS` items in all or
    more than `MAX_PARTS` numbers and arrays is described as a whole (`TOO_MANY_PARTS`): the
    check is made here, where a student's value enters the protocol, so that its message
    stays within what the reader accepts.
    """
    start = len(blobs)
    try:
        return _encode(value, blobs, 0, [MAX_ITEMS, start + MAX_PARTS])
    except _TooManyParts:
        del blobs[start:]
        return {"t": "unsupported", "type": _type_name(value), "error": TOO_MANY_PARTS}


def _encode(value: Any, blobs: list[bytes], depth: int, budget: list[int]) -> dict[str, Any]:
    """``budget``: the items left, and the length ``blobs`` may reach."""
    if value is None:
        return {"t": "none"}
    if isinstance(value, str):
        return {"t": "str", "v": str.__str__(value)[:100_000], "len": len(value)}
    kind = type(value)
    if kind is tuple or kind is dict or (kind is list and not _rectangular(value)):
        if depth >= MAX_NESTING:
            return {"t": "unsupported", "type": _type_name(value), "error": "nested too deeply"}
        budget[0] -= len(value)
        if budget[0] < 0:
            raise _TooManyParts
        if kind is dict:
            items = []
            for key, item in dict.items(value):
                if type(key) is not str and type(key) is not int:
                    return {"t": "unsupported", "type": "dict", "error": "keys must be str"}
                items.append([key, _encode(item, blobs, depth + 1, budget)])
            return {"t": "dict", "items": items}
        tag = "tuple" if kind is tuple else "list"
        return {"t": tag, "items": [_encode(v, blobs, depth + 1, budget) for v in value]}
    origin = _origin(value)
    if origin == "unsupported":
        return {"t": "unsupported", "type": _type_name(value)}
    try:
        array = np.array(value, copy=True, subok=False)
    except Exception as exc:  # noqa: BLE001 - any failure means the value cannot be sent
        return {"t": "unsupported", "type": _type_name(value), "error": str(exc)[:200]}
    if type(array) is not np.ndarray or array.dtype.kind not in _KINDS or array.dtype.hasobject:
        return {"t": "unsupported", "type": _type_name(value), "dtype": str(array.dtype)}
    if array.size > MAX_ELEMENTS:
        return {"t": "unsupported", "type": _type_name(value), "size": int(array.size)}
    if len(blobs) >= budget[1]:
        raise _TooManyParts
    blobs.append(encode_npy(array))
    return {"t": "array", "npy": len(blobs) - 1, "origin": origin}


def _rectangular(value: list[Any]) -> bool:
    """Whether a list is numbers only, nested in lists of equal lengths: it travels as one
    array (a ragged one travels as items)."""
    if not _numbers(value, 0):
        return False
    try:
        np.array(value, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def _numbers(value: Any, depth: int) -> bool:
    """Whether a list holds only numbers (nested lists of them too): it travels as an array."""
    if depth > 32:
        return False
    if type(value) is list:
        return all(_numbers(v, depth + 1) for v in list.__iter__(value))
    return type(value) in (int, float, bool) or isinstance(value, np.number | np.bool_)


def decode_value(tagged: Any, blobs: list[bytes]) -> Any:
    """Turn a tagged value back into plain data: None, str, numeric ndarray (`Received`),
    `Unsupported`, or tuples, lists and dicts of these (checked against `MAX_NESTING`,
    `MAX_ITEMS` and `MAX_PARTS`: a child may send anything)."""
    return _decode(tagged, blobs, 0, [MAX_ITEMS, MAX_PARTS])


def _decode(tagged: Any, blobs: list[bytes], depth: int, budget: list[int]) -> Any:
    if not isinstance(tagged, dict):
        raise TransportError("a value must be a tagged object")
    kind = tagged.get("t")
    if kind == "none":
        return None
    if kind == "str":
        text = tagged.get("v")
        if not isinstance(text, str):
            raise TransportError("bad string value")
        return text
    if kind == "array":
        index = tagged.get("npy")
        if not isinstance(index, int) or not 0 <= index < len(blobs):
            raise TransportError("bad blob reference")
        budget[1] -= 1
        if budget[1] < 0:
            raise TransportError("a value with too many parts")
        origin = tagged.get("origin", "ndarray")
        return Received(decode_npy(blobs[index]), origin if isinstance(origin, str) else "")
    if kind == "unsupported":
        return Unsupported(
            str(tagged.get("type", "?"))[:200],
            str(tagged.get("dtype", ""))[:50],
            too_many=tagged.get("error") == TOO_MANY_PARTS,
        )
    if kind in ("tuple", "list", "dict"):
        items = tagged.get("items")
        if not isinstance(items, list) or depth >= MAX_NESTING:
            raise TransportError(f"bad {kind} value")
        budget[0] -= len(items)
        if budget[0] < 0:
            raise TransportError("a value with too many items")
        if kind != "dict":
            decoded = [_decode(item, blobs, depth + 1, budget) for item in items]
            return tuple(decoded) if kind == "tuple" else decoded
        out: dict[Any, Any] = {}
        for pair in items:
            if not isinstance(pair, list) or len(pair) != 2 or type(pair[0]) not in (str, int):
                raise TransportError("bad dict item")
            out[pair[0]] = _decode(pair[1], blobs, depth + 1, budget)
        return out
    raise TransportError(f"unknown value tag {kind!r}")


class Received:
    """A numeric value from the child, with what it was before it crossed."""

    __slots__ = ("array", "origin")

    def __init__(self, array: np.ndarray[Any, Any], origin: str) -> None:
        self.array = array
        self.origin = origin  # "float", "int", "bool", "numpy-scalar", "ndarray", "list"

    def __repr__(self) -> str:
        return f"Received({self.array!r}, {self.origin!r})"


class Unsupported:
    """A value the child could not send as data (object, complex, function, ...)."""

    __slots__ = ("dtype", "too_many", "type_name")

    def __init__(self, type_name: str, dtype: str = "", *, too_many: bool = False) -> None:
        self.type_name = type_name
        self.dtype = dtype
        #: described instead of sent for its size: more than `MAX_ITEMS` items or
        #: `MAX_PARTS` numbers and arrays (as the child says: it only says so of its own value)
        self.too_many = too_many

    def describe(self) -> str:
        """A short human description of the value's type."""
        return f"{self.type_name} of {self.dtype}" if self.dtype else self.type_name

    def __repr__(self) -> str:
        return f"Unsupported({self.describe()!r})"


def _origin(value: Any) -> str:
    kind = type(value)
    if kind is bool:
        return "bool"
    if kind is int:
        return "int"
    if kind is float:
        return "float"
    if isinstance(value, np.generic):
        return "numpy-scalar"
    if isinstance(value, np.ndarray):
        return "ndarray"
    if kind in (list, tuple):
        return "list"
    return "unsupported"


def _type_name(value: Any) -> str:
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    name = getattr(kind, "__qualname__", "?")
    if not isinstance(module, str) or not isinstance(name, str):
        return "?"
    return name if module == "builtins" else f"{module}.{name}"
