"""`grade check-rubrics` (grader/audit.py): every rubric problem, with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import cli
from grader.rubric import display_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of this course (rubrics, solutions, exercises) to break on purpose."""
    for name in ("rubrics", "solutions", "exercises"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def _check(course: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(["check-rubrics", "--rubrics", str(course / "rubrics")])
    return code, capsys.readouterr().out.splitlines()


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (once) in ``path``; returns the 1-based line where the text now stands."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def test_the_course_rubrics_have_no_problems(capsys: pytest.CaptureFixture[str]) -> None:
    """check-rubrics passes on this repository's rubrics (the dogfood for authors)."""
    code = cli.main(["check-rubrics", "--rubrics", str(ROOT / "rubrics")])
    out = capsys.readouterr().out
    assert (0, "no problems found") == (code, out.strip().splitlines()[-1].split(": ")[-1])


def test_a_misspelt_random_key_is_named_with_a_suggestion(course: Path, capsys) -> None:
    """`shpae` in a random input is an unknown key (it used to fall back to a scalar)."""
    rubric = course / "rubrics" / "sgd_step.yaml"
    line = _edit(rubric, "{random: normal, shape: [4, 3]}", "{random: normal, shpae: [4, 3]}")
    code, out = _check(course, capsys)
    assert 1 == code
    assert any(
        o.startswith(f"{display_path(rubric)}:{line}:")
        and "unknown key 'shpae'; did you mean 'shape'?" in o
        for o in out
    ), out


def test_a_quoted_number_is_named(course: Path, capsys) -> None:
    """`rtol: "1e-3"` is a string where a number belongs."""
    rubric = course / "rubrics" / "softmax.yaml"
    text = rubric.read_text(encoding="utf-8")
    text = text.replace("rtol: 1.0e-3", 'rtol: "1.0e-3"', 1)
    rubric.write_text(text, encoding="utf-8")
    line = text[: text.index('rtol: "1.0e-3"')].count("\n") + 1
    code, out = _check(course, capsys)
    assert 1 == code
    assert any(
        o.startswith(f"{display_path(rubric)}:{line}:") and "quoted string" in o for o in out
    ), out


def test_yaml_1_1_exponents_read_as_numbers(course: Path, capsys) -> None:
    """`1.0e6` and `1e-3` (no sign, no dot) are numbers, as YAML 1.2 and authors read them."""
    rubric = course / "rubrics" / "softmax.yaml"
    text = rubric.read_text(encoding="utf-8").replace("rtol: 1.0e-3", "rtol: 1e-3", 1)
    rubric.write_text(text, encoding="utf-8")
    code, out = _check(course, capsys)
    assert (0, []) == (code, [o for o in out if "softmax.yaml" in o])


@pytest.mark.slow
def test_a_misspelt_variant_fails_grade_solutions_too(course: Path, capsys) -> None:
    """A misconception function that the variants file does not define is found by
    check-rubrics and stops `grade solutions/` (not a student's report later)."""
    rubric = course / "rubrics" / "sgd_step.yaml"
    line = _edit(rubric, "function: sum_not_mean", "function: sum_not_maen")
    code, out = _check(course, capsys)
    assert 1 == code
    assert any(
        o.startswith(f"{display_path(rubric)}:{line}:") and "'sum_not_maen'" in o for o in out
    ), out
    code = cli.main([str(course / "solutions"), "--rubrics", str(course / "rubrics")])
    assert 2 == code
    assert "'sum_not_maen'" in capsys.readouterr().err


def test_variants_that_do_not_import_are_named(course: Path, capsys) -> None:
    """A variants file that raises at import is a finding naming it."""
    variants = course / "solutions" / "misconceptions" / "softmax.py"
    variants.write_text(variants.read_text() + "\nraise RuntimeError('broken')\n")
    code, out = _check(course, capsys)
    assert 1 == code
    assert any("softmax.py" in o and "failed to import" in o for o in out), out


@pytest.mark.slow
def test_a_variant_equal_to_the_reference_is_named(course: Path, capsys) -> None:
    """A known mistake that gives the right answer on every visible case can never be named."""
    variants = course / "solutions" / "misconceptions" / "cosine_similarity.py"
    reference = (course / "solutions" / "cosine_similarity.py").read_text()
    variants.write_text(
        variants.read_text() + "\n\n" + reference.replace("def cosine_similarity", "def same")
    )
    rubric = course / "rubrics" / "cosine_similarity.yaml"
    text = rubric.read_text()
    rubric.write_text(
        text.replace(
            "misconceptions:\n",
            "misconceptions:\n  - id: same\n    function: same\n    hint: {en: x, ja: x}\n",
            1,
        )
    )
    code, out = _check(course, capsys)
    assert 1 == code
    assert any("misconceptions[0].function" in o and "never be named" in o for o in out), out


def test_a_literal_expected_value_that_disagrees_with_the_reference(course: Path, capsys) -> None:
    """A literal `expected` is compared with the reference solution's value."""
    rubric = course / "rubrics" / "softmax.yaml"
    line = _edit(rubric, "expected: [0.6590, 0.2424, 0.0986]", "expected: [0.6590, 0.0986, 0.2424]")
    code, out = _check(course, capsys)
    assert 1 == code
    assert any(
        o.startswith(f"{display_path(rubric)}:{line}:") and "disagrees with the reference" in o
        for o in out
    ), out


def test_duplicate_ids_and_graded_names_and_missing_stubs(course: Path, capsys) -> None:
    """Two rubrics with one id or grading one function are named; so is a rubric with no stub."""
    shutil.copyfile(course / "rubrics" / "softmax.yaml", course / "rubrics" / "softmax2.yaml")
    (course / "exercises" / "sgd_step.py").unlink()
    code, out = _check(course, capsys)
    assert 1 == code
    text = "\n".join(out)
    assert "duplicate id 'softmax'" in text
    assert "'softmax' is also graded by" in text
    assert "sgd_step.yaml" in text
    assert "no stub in exercises/" in text


def test_every_rubric_is_read_even_after_one_fails(course: Path, capsys) -> None:
    """Two broken rubrics give two findings, not one."""
    (course / "rubrics" / "softmax.yaml").write_text("id: softmax\n")
    (course / "rubrics" / "cross_entropy.yaml").write_text("cases: [\n")
    code, out = _check(course, capsys)
    assert 1 == code
    assert any("softmax.yaml" in o for o in out)
    assert any("cross_entropy.yaml" in o for o in out)
