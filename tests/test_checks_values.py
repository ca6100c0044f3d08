"""Structured answers and properties (grader/checks/values.py, properties.py, text.py)."""

from __future__ import annotations

import contextlib
import random
from typing import Any

import numpy as np
import pytest

from grader.checks import Failure, get_check, make_params
from grader.checks.properties import check_properties, make_property
from grader.checks.values import Layout, Part, compare
from grader.plan import expected_value
from grader.sandbox import transport
from grader.sandbox.transport import Received, TransportError, Unsupported


def _allclose(**values: Any) -> Part:
    return Part("allclose", make_params(get_check("allclose"), values))


def _sent(value: Any) -> Any:
    """``value`` as the grader receives it from a child: encoded, framed, decoded."""
    blobs: list[bytes] = []
    tagged = transport.encode_value(value, blobs)
    reader = transport.FrameReader()
    ((message, frames),) = reader.feed(transport.message({"value": tagged}, blobs))
    return transport.decode_value(message["value"], frames)


LAYOUT = Layout(_allclose(), ("output", "weights"))


class TestCompare:
    """compare(): part by part, naming the part that differs."""

    def test_passes_for_the_same_structure(self) -> None:
        """A tuple of arrays of different shapes compares item by item (no stacking)."""
        value = (np.ones((2, 3)), np.full((2, 4), 0.25))
        compare(_sent(value), expected_value(value), LAYOUT)

    @pytest.mark.parametrize(
        ("actual", "message"),
        [
            pytest.param(
                (np.ones((2, 3)), np.full((4, 2), 0.25)),
                "weights: expected shape (2, 4), got (4, 2)",
                id="wrong shape names the part",
            ),
            pytest.param(
                (np.ones((2, 3)), np.full((2, 4), 0.25), 1.0),
                "expected a tuple of 2 items, got 3",
                id="three items instead of two",
            ),
            pytest.param(np.ones((2, 3)), "expected a tuple of 2 items, got an array", id="array"),
            pytest.param(
                (np.ones((2, 3)), "weights"),
                "weights: expected a number or a NumPy array, got str",
                id="str where numbers belong",
            ),
        ],
    )
    def test_fails_naming_the_part(self, actual: Any, message: str) -> None:
        """A wrong part or a wrong structure is a Failure whose text names it."""
        expected = expected_value((np.ones((2, 3)), np.full((2, 4), 0.25)))
        with pytest.raises(Failure) as caught:
            compare(_sent(actual), expected, LAYOUT)
        assert message in caught.value.rationale

    def test_a_list_where_a_tuple_is_expected_is_accepted(self) -> None:
        """Returning [w, b] for (w, b) is the same answer."""
        compare(_sent([2.5, 1.0]), expected_value((2.5, 1.0)), Layout(_allclose(), ("w", "b")))

    def test_dicts_need_every_key(self) -> None:
        """A missing key is named; the nested part keeps its dotted name."""
        expected = expected_value({"a": 1.0, "inner": {"value": 3.17}})
        with pytest.raises(Failure, match="missing key"):
            compare(_sent({"a": 1.0}), expected, Layout(_allclose()))
        with pytest.raises(Failure, match=r"^inner\.value: "):
            compare(_sent({"a": 1.0, "inner": {"value": 3.0}}), expected, Layout(_allclose()))

    def test_strings_compare_exactly_and_in_any_order_when_asked(self) -> None:
        """Lists of strings are exact; order: any accepts a permutation, not another set."""
        expected = expected_value([r"\sum", r"\log"])
        compare(_sent([r"\sum", r"\log"]), expected, Layout(_allclose()))
        with pytest.raises(Failure):
            compare(_sent([r"\log", r"\sum"]), expected, Layout(_allclose()))
        any_order = Layout(_allclose(), parts={"result": Part("allclose", None, True, "any")})
        compare(_sent([r"\log", r"\sum"]), expected, any_order)
        with pytest.raises(Failure):
            compare(_sent([r"\log", r"\frac"]), expected, any_order)

    def test_per_part_tolerances(self) -> None:
        """A part's own rtol/atol apply to it only."""
        layout = Layout(_allclose(), ("w", "b"), {"b": _allclose(atol=0.1, rtol=0.0)})
        compare(_sent((2.5, 1.05)), expected_value((2.5, 1.0)), layout)
        with pytest.raises(Failure, match=r"^w: "):
            compare(_sent((2.55, 1.0)), expected_value((2.5, 1.0)), layout)

    def test_uncompared_parts_are_passed_over(self) -> None:
        """compare: false leaves a part to the properties."""
        layout = Layout(_allclose(), ("w", "losses"), {"losses": Part(compare=False)})
        compare(_sent((2.5, [9.0, 8.0])), expected_value((2.5, [1.0, 2.0, 3.0])), layout)


class TestProperties:
    """Property checks say what did not hold."""

    RESULT = (np.array([[0.7, 0.3], [0.2, 0.8]]), [3.0, 2.0, 2.5])
    LAYOUT = Layout(_allclose(), ("weights", "losses"))

    @pytest.mark.parametrize(
        ("entry", "message"),
        [
            ({"monotonic": "non-increasing", "of": "losses"}, "losses should be non-increasing"),
            ({"sums_to": 1.0, "axis": 0, "of": "weights"}, "weights should sum to 1 along axis 0"),
            ({"argmax_equals": 1, "of": "weights[0]"}, "weights[0] should be largest at index 1"),
            ({"within": {"value": 1.0, "atol": 0.1}, "of": "losses"}, "within 0.1 of 1"),
            ({"shape": [3, 3], "of": "weights"}, "weights should have shape (3, 3), got (2, 2)"),
            ({"shape": [2], "of": "gradients"}, "gradients was not found"),
        ],
    )
    def test_a_broken_property_fails_with_its_sentence(
        self, entry: dict[str, Any], message: str
    ) -> None:
        """Each kind fails with a message naming the part and what was expected."""
        with pytest.raises(Failure) as caught:
            check_properties((make_property(entry),), _sent(self.RESULT), self.LAYOUT)
        assert message in caught.value.rationale

    def test_properties_that_hold_pass(self) -> None:
        """The same kinds, written to hold, raise nothing."""
        entries = [
            {"sums_to": 1.0, "axis": -1, "of": "weights"},
            {"argmax_equals": 0, "of": "weights[0]"},
            {"shape": [3], "of": "losses"},
            {"within": {"value": 2.5, "atol": 0.5}, "of": "losses"},
        ]
        props = tuple(make_property(e) for e in entries)
        check_properties(props, _sent(self.RESULT), self.LAYOUT)

    @pytest.mark.parametrize(
        "entry",
        [
            {"monotonic": "upwards"},
            {"sums_to": "one"},
            {"argmax_equal": 2},
            {"shape": [2], "of": "weights[0"},
            {"within": 0.1},
            {"sums_to": 1.0, "axes": 0},
        ],
    )
    def test_bad_entries_are_refused(self, entry: dict[str, Any]) -> None:
        """A misspelt kind, option or value is a ValueError (a rubric error at loading)."""
        with pytest.raises(ValueError):
            make_property(entry)


def test_text_check() -> None:
    """Free text: presence, length and required words; anything else is a Failure."""
    kind = get_check("text")
    params = make_params(kind, {"min_length": 5, "contains": ["Ho"]})
    kind.fn("Jonathan Ho", None, params)
    for bad in ("Ho", "nobody here", Received(np.ones(2), "ndarray"), None):
        with pytest.raises(Failure):
            kind.fn(bad, None, params)


# -- hostile values ----------------------------------------------------------------------------


class _Evil(list):  # type: ignore[type-arg]
    def __iter__(self) -> Any:
        raise RuntimeError("no")


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(["num", "arr", "str", "none", "tuple", "list", "dict", "bytes", "nan"])
    if depth > 5 or kind == "num":
        return rng.choice([1, 2.5, True, -0.0, 10**40])
    if kind == "arr":
        return np.arange(rng.randint(0, 6)).astype(rng.choice([np.float32, np.int8, np.bool_]))
    if kind == "str":
        return rng.choice(["", "\ud800", "x" * 200, "\x1b[2J"])
    if kind == "none":
        return None
    if kind == "bytes":
        return b"\x00\x01"
    if kind == "nan":
        return float("nan")
    items = [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == "tuple":
        return tuple(items)
    if kind == "dict":
        return {f"k{i}": v for i, v in enumerate(items)}
    return items


def _hostile() -> list[Any]:
    deep: Any = 1
    for _ in range(50):
        deep = [deep, "x"]
    recursive: list[Any] = []
    recursive.append(recursive)
    return [
        deep,
        recursive,
        [list(range(3)), [1, 2]],  # ragged
        tuple(range(20_000)),  # too many items
        {1.5: 2},  # a key that is not a string
        _Evil([1, 2]),  # a subclass
        np.ones((3,), dtype=np.complex128),
        {"a": np.ones(5_000_000, dtype=np.bool_)},  # too large an array
    ]


@pytest.mark.parametrize("seed", range(40))
def test_random_structures_never_crash_the_grader(seed: int) -> None:
    """Random nested results, encoded in a child and compared with random expected values:
    a pass or a Failure, never another exception."""
    rng = random.Random(seed)
    student, reference = _random_value(rng), _random_value(rng)
    try:
        expected = expected_value(reference)
    except ValueError:
        return  # the reference itself is not data: a rubric error, reported as such
    with contextlib.suppress(Failure):
        compare(_sent(student), expected, Layout(_allclose(), ("a", "b")))


@pytest.mark.parametrize("value", _hostile(), ids=lambda v: type(v).__name__)
def test_hostile_structures_are_described_not_sent(value: Any) -> None:
    """Deep, recursive, huge, ragged, keyed by floats, subclassed or complex: the child sends a
    description, and comparing it is a Failure."""
    received = _sent(value)
    try:
        compare(received, expected_value((1.0, 2.0)), Layout(_allclose()))
    except Failure:
        pass
    else:  # pragma: no cover - the point of the test
        raise AssertionError(f"{received!r} passed")


def test_a_long_list_of_numbers_is_measured_before_it_is_split() -> None:
    """A million numbers where a list of three strings belongs (symbols_in returning [0.5] *
    1_000_000) is a wrong length at once: the grader makes no object per number (four million
    took 16 s and 800 MB of the grader's memory per case)."""
    import tracemalloc

    received = _sent([0.5] * 1_000_000)
    expected = expected_value(["a", "b", "c"])
    tracemalloc.start()
    try:
        with pytest.raises(Failure) as info:
            compare(received, expected, Layout(_allclose()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ("wrong_structure", "expected a list of 3 items, got 1000000") == (
        info.value.reason,
        info.value.rationale,
    )
    assert peak < 1 << 20


def test_a_forged_structure_from_a_child_is_a_transport_error() -> None:
    """A child that sends a tuple nested beyond the limit, or too many items, is refused."""
    deep: Any = {"t": "none"}
    for _ in range(transport.MAX_NESTING + 1):
        deep = {"t": "tuple", "items": [deep]}
    for bad in (
        deep,
        {"t": "list", "items": [{"t": "none"}] * (transport.MAX_ITEMS + 1)},
        {"t": "dict", "items": [[1.5, {"t": "none"}]]},
    ):
        with pytest.raises(TransportError):
            transport.decode_value(bad, [])
    assert isinstance(_sent(object()), Unsupported)


def test_an_empty_list_expected_stays_a_list() -> None:
    """An empty answer is an empty list, not an empty array: what comes instead is shown, and
    an empty list or tuple (as a child sends it) passes; the items are named when known."""
    assert [] == expected_value([]) and isinstance(expected_value([]), list)
    assert (1, 0) == expected_value([[]]).shape  # an empty row of a list of lists
    for empty in ([], ()):
        compare(_sent(empty), expected_value([]), Layout())
    with pytest.raises(Failure) as caught:
        compare(_sent(["x"]), expected_value([]), Layout())
    assert "expected an empty list, got a list of 1 items" == caught.value.rationale
    assert ("[]", "['x']") == (caught.value.details["expected"], caught.value.details["actual"])
    with pytest.raises(Failure) as caught:
        compare(_sent(np.zeros(0)), expected_value([]), Layout(list_items="str"))
    assert "expected an empty list of strings, got an array of shape (0,)" == str(caught.value)
    with pytest.raises(Failure) as caught:
        compare(_sent([0.5] * 3), expected_value([]), Layout())
    assert "expected an empty list, got a list of 3 items" == caught.value.rationale


@pytest.mark.parametrize(
    "value",
    [
        {str(i): float(i) for i in range(10_000)},  # a frame per number
        (np.zeros(2),) * (transport.MAX_PARTS + 1),
        [["x"]] * (transport.MAX_ITEMS + 1),  # items, not frames
    ],
    ids=["dict of numbers", "tuple of arrays", "list of lists"],
)
def test_a_value_of_too_many_parts_says_so_with_the_limits(value: Any) -> None:
    """A value with more numbers and arrays than a message may carry, or more items than a
    value may have, is described where it enters the protocol, and the message the child sends
    is one the grader reads (ten thousand numbers in a dict ended in "bad blob count"); the
    failure names the limits."""
    tagged = transport.encode_value(value, blobs := [])
    assert [] == blobs
    reader = transport.FrameReader()
    ((message, frames),) = reader.feed(transport.message({"value": tagged}, blobs))
    received = transport.decode_value(message["value"], frames)
    assert isinstance(received, Unsupported) and received.too_many
    with pytest.raises(Failure) as caught:
        compare(received, expected_value(0.5), Layout(_allclose()))
    assert "bad_output_type" == caught.value.reason
    limits = f"at most {transport.MAX_PARTS} numbers and arrays, and {transport.MAX_ITEMS} items"
    assert f"returned a {type(value).__name__} with too many parts" in caught.value.rationale
    assert limits in caught.value.rationale


def test_a_value_at_the_limit_still_travels() -> None:
    """`MAX_PARTS` numbers in a dict, beside the case's inputs, arrive as numbers."""
    value = {str(i): float(i) for i in range(transport.MAX_PARTS)}
    blobs: list[bytes] = []
    tagged = transport.encode_value(value, blobs)
    inputs = [transport.encode_value(np.ones(3), blobs) for _ in range(2)]
    assert transport.MAX_PARTS + 2 == len(blobs) <= transport.MAX_BLOBS
    ((message, frames),) = transport.FrameReader().feed(
        transport.message({"value": tagged, "inputs": inputs}, blobs)
    )
    received = transport.decode_value(message["value"], frames)
    assert isinstance(received, dict) and 0.0 == received["0"].array


def test_a_child_is_not_trusted_with_the_number_of_parts() -> None:
    """A forged value with more arrays than `MAX_PARTS` is refused when read, whatever the
    message says; and a child that calls its own value too big only fails its own case."""
    blobs = [transport.encode_npy(np.zeros(1))]
    forged = {"t": "list", "items": [{"t": "array", "npy": 0}] * (transport.MAX_PARTS + 1)}
    with pytest.raises(TransportError):
        transport.decode_value(forged, blobs)
    claim = {"t": "unsupported", "type": "dict", "error": "too many parts", "parts": 10**9}
    received = transport.decode_value(claim, [])
    with pytest.raises(Failure) as caught:
        compare(received, expected_value(0.5), Layout(_allclose()))
    assert str(10**9) not in caught.value.rationale
