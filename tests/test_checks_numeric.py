"""The `allclose` check: shape first, then non-finite values, then values within tolerance."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import CHECKS, Failure, Mismatch, get_check, make_params
from grader.checks.numeric import AllcloseParams, allclose
from grader.sandbox.transport import Received, Unsupported

TIGHT = AllcloseParams()


def _got(value: object, origin: str = "ndarray") -> Received:
    return Received(np.asarray(value, dtype=np.float64), origin)


class TestAllclose:
    """One class per check kind, as the house style asks."""

    def test_registered(self) -> None:
        """`allclose` is in the registry with its parameter type."""
        get_check("allclose")
        assert AllcloseParams is CHECKS["allclose"].params

    def test_passes(self) -> None:
        """Values within rtol/atol pass."""
        assert None is allclose(_got([1.0, 2.0 + 1e-9]), np.array([1.0, 2.0]), TIGHT)

    @pytest.mark.parametrize("origin", ["float", "numpy-scalar", "ndarray"])
    def test_scalar_forms_are_interchangeable(self, origin: str) -> None:
        """A Python float, a NumPy scalar and a 0-d array are the same answer."""
        scalar = AllcloseParams(returns="scalar")
        assert None is allclose(_got(0.5, origin), np.asarray(0.5), scalar)

    def test_fails_with_message(self) -> None:
        """A value mismatch names counts, the largest differences and where they are."""
        with pytest.raises(Mismatch) as info:
            allclose(_got([0.5, 0.3, 0.2]), np.array([0.659, 0.2424, 0.0986]), TIGHT)
        error = info.value
        assert "values differ from the reference" == error.rationale
        assert "[0.659, 0.2424, 0.0986]" == error.expected
        assert "[0.5, 0.3, 0.2]" == error.actual
        assert "rtol 1e-06, atol 1e-09" == error.tolerance
        assert (
            "mismatched elements: 3 / 3 · max abs diff 0.159 at [0] · max rel diff 1.028 at [2]"
            == error.details["stats"]
        )
        assert ["[0]", "0.5", "0.659"] == error.details["rows"][0]

    def test_shape_comes_first(self) -> None:
        """A wrong shape is reported as such, before any value comparison."""
        with pytest.raises(Mismatch) as info:
            allclose(_got([[1.0, 2.0, 3.0]]), np.array([1.0, 2.0, 3.0]), TIGHT)
        assert "expected shape (3,), got (1, 3)" == info.value.rationale
        assert "wrong_shape" == info.value.reason

    def test_non_finite_named_explicitly(self) -> None:
        """nan/inf where the reference is finite is named with its position."""
        with pytest.raises(Mismatch) as info:
            allclose(_got([np.nan, 0.5]), np.array([0.5, 0.5]), TIGHT)
        assert "expected finite values, got nan at [0] (1 of 2 not finite)" == info.value.rationale
        assert "non_finite" == info.value.reason

    def test_scalar_wanted(self) -> None:
        """With returns=scalar, a one-element array is not a number."""
        with pytest.raises(Mismatch, match="expected a single number, got an array of shape"):
            allclose(_got([0.22]), np.asarray(0.22), AllcloseParams(returns="scalar"))

    def test_none_means_missing_return(self) -> None:
        """Returning None points at a missing `return`."""
        with pytest.raises(Failure, match="did you forget `return`"):
            allclose(None, np.asarray(1.0), TIGHT)

    def test_unsupported_type(self) -> None:
        """Objects that are not numbers name their type."""
        with pytest.raises(Failure, match="got ndarray of complex128") as info:
            allclose(Unsupported("ndarray", "complex128"), np.asarray(1.0), TIGHT)
        assert "bad_output_type" == info.value.reason

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            pytest.param({"rtol": -1}, "'rtol' must be >= 0 (got -1)", id="negative rtol"),
            pytest.param({"atol": "tight"}, "'atol' must be a number (got 'tight')", id="text"),
            pytest.param({"returns": "list"}, "'returns' must be 'any' or 'scalar'", id="returns"),
            pytest.param({"rtl": 1}, "'rtl': not a parameter of check 'allclose'", id="unknown"),
        ],
    )
    def test_rejects_bad_params(self, values: dict[str, object], message: str) -> None:
        """Bad parameters are refused with an attrs-style message."""
        with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
            make_params(get_check("allclose"), values)


def test_unknown_kind_suggests_a_close_name() -> None:
    """An unknown check kind suggests the closest registered one."""
    with pytest.raises(KeyError, match="did you mean 'allclose'"):
        get_check("allclse")
