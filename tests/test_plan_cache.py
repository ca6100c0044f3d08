"""Plans kept between runs (grader/plan_cache.py): the same plan, and never a stale one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from grader.plan import plan_exercise
from grader.plan_cache import cached_plans
from grader.rubric import cache_root, load_rubrics

ROOT = Path(__file__).resolve().parents[1]


def _bits(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return ("array", str(value.dtype), value.shape, value.tobytes())
    if isinstance(value, float):
        return ("float", value.hex())
    if isinstance(value, tuple | list):
        return (type(value).__name__, [_bits(v) for v in value])
    if isinstance(value, dict):
        return ("dict", sorted((k, _bits(v)) for k, v in value.items()))
    if callable(value):
        return ("callable", value.__name__)
    return (type(value).__name__, value)


def _plans(plans: list[Any]) -> list[Any]:
    return [
        [(c.spec.name, _bits(c.args), _bits(c.kwargs), _bits(c.expected)) for c in plan.cases]
        for plan in plans
    ]


def test_a_cached_plan_is_the_plan_bit_for_bit() -> None:
    """Read back from the cache, every input and expected value is exactly as planned."""
    rubrics = load_rubrics(ROOT / "rubrics")
    solutions = (ROOT / "solutions").resolve()
    for hidden in (False, True):
        fresh = [plan_exercise(r, solutions, include_hidden=hidden) for r in rubrics]
        first = cached_plans(rubrics, solutions, include_hidden=hidden)
        again = cached_plans(rubrics, solutions, include_hidden=hidden)
        assert _plans(fresh) == _plans(first) == _plans(again)
    assert any((cache_root() / "plans").iterdir())


def test_a_changed_solution_file_is_planned_again(tmp_path: Path) -> None:
    """Changing any file of the solutions folder (a helper the reference imports, say) makes
    a new plan rather than reading the old one."""
    course = tmp_path / "course"
    for name in ("rubrics", "solutions"):
        shutil.copytree(ROOT / name, course / name)
    rubrics = [r for r in load_rubrics(course / "rubrics") if r.id == "softmax"]
    before = cached_plans(rubrics, course / "solutions", include_hidden=False)
    reference = course / "solutions" / "softmax.py"
    reference.write_text(
        reference.read_text() + "\n\n_softmax = softmax\n\n"
        "def softmax(z, axis=-1):\n    return _softmax(z, axis) * 2\n"
    )
    after = cached_plans(rubrics, course / "solutions", include_hidden=False)
    computed = [i for i, c in enumerate(before[0].cases) if not c.spec.has_expected]
    assert computed
    for i in computed:
        assert np.allclose(2 * before[0].cases[i].expected, after[0].cases[i].expected)


def test_an_unreadable_cache_entry_is_planned_again() -> None:
    """A cache file cut short or edited by hand is ignored, never a crash or a wrong plan."""
    rubrics = load_rubrics(ROOT / "rubrics")
    solutions = (ROOT / "solutions").resolve()
    good = cached_plans(rubrics, solutions, include_hidden=False)
    for path in (cache_root() / "plans").iterdir():
        path.write_text('{"cases": [{"index": 0, "args": [{"npy": "garbage"}]}]}')
    assert _plans(good) == _plans(cached_plans(rubrics, solutions, include_hidden=False))
