"""Text checks: free-text answers, checked for presence, length and required words only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader import messages as msg
from grader.checks import Failure, check

__all__ = ["TextParams", "text"]


@dataclass(frozen=True)
class TextParams:
    """What a free-text answer needs: a length in characters, and words it must contain."""

    min_length: int = 1
    max_length: int = 2000
    #: words or phrases the text must contain (case does not matter)
    contains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("min_length", "max_length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name!r} must be a whole number >= 0 (got {value!r})")
        if self.max_length < self.min_length:
            raise ValueError("'max_length' must be >= 'min_length'")
        words: list[Any] = list(self.contains)  # from YAML: anything until checked
        if not all(isinstance(w, str) and len(w) > 0 for w in words):
            raise ValueError("'contains' must be a list of non-empty strings")
        object.__setattr__(self, "contains", tuple(self.contains))


@check("text", params=TextParams)
def text(actual: Any, expected: Any, params: TextParams) -> None:
    """a free-text answer of the right length"""
    if not isinstance(actual, str):
        raise Failure(msg.t("text_not_str", got=type(actual).__name__), reason="bad_output_type")
    length = len(actual.strip())
    if length < params.min_length:
        raise Failure(msg.t("text_too_short", count=length, least=params.min_length))
    if length > params.max_length:
        raise Failure(msg.t("text_too_long", count=length, most=params.max_length))
    missing = [w for w in params.contains if w.casefold() not in actual.casefold()]
    if missing:
        raise Failure(msg.t("text_missing_words", words=", ".join(repr(w) for w in missing)))
