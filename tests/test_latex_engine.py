"""KaTeX run in process: parse errors as KaTeX words them, guards, caret excerpts."""

from __future__ import annotations

import pytest

from grader.latex import engine as katex
from grader.latex.feedback import caret, suggest_command

FAILURES = [
    pytest.param("{a", "Expected '}', got 'EOF'", 2, id="unclosed brace"),
    pytest.param("a}", "Expected 'EOF', got '}'", 1, id="extra closing brace"),
    pytest.param(r"\frac{}{}}", "Expected 'EOF', got '}'", 9, id="extra brace after frac"),
    pytest.param(r"\foo", r"Undefined control sequence: \foo", 0, id="unknown command"),
    pytest.param(r"x^1^2", "Double superscript", 3, id="double superscript"),
    pytest.param(r"x_1_2", "Double subscript", 3, id="double subscript"),
    pytest.param(r"\left( x", r"Expected '\right', got 'EOF'", 8, id="left without right"),
    pytest.param(r"x \right)", r"Expected 'EOF', got '\right'", 2, id="right without left"),
    pytest.param(
        r"\left( x \right", r"Expected group as argument to '\right'", 15, id="right without fence"
    ),
    pytest.param(
        r"\frac{a}",
        "Unexpected end of input in a macro argument, expected '}'",
        8,
        id="frac with one argument",
    ),
    pytest.param(r"\sqrt", r"Expected group as argument to '\sqrt'", 5, id="sqrt without argument"),
    pytest.param(
        r"\begin{aligned} a", r"Expected & or \\ or \cr or \end", 17, id="begin without end"
    ),
    pytest.param(r"\end{aligned}", r"Expected 'EOF', got '\end'", 0, id="end without begin"),
    pytest.param(
        r"\begin{foo} a \end{foo}", "No such environment: foo", 6, id="unknown environment"
    ),
    pytest.param(
        r"\begin{matrix} a \end{pmatrix}",
        r"Mismatch: \begin{matrix} matched by \end{pmatrix}",
        17,
        id="mismatched environment",
    ),
    pytest.param("a & b", "Expected 'EOF', got '&'", 2, id="alignment outside an environment"),
    pytest.param("x^", "Expected group after '^'", 1, id="superscript without argument"),
    pytest.param("x_", "Expected group after '_'", 1, id="subscript without argument"),
    pytest.param(
        r"\text{a",
        "Unexpected end of input in a macro argument, expected '}'",
        7,
        id="unclosed text",
    ),
    pytest.param(
        r"\frac12 \over 3 \over 4",
        "only one infix operator per group",
        16,
        id="two infix operators",
    ),
    pytest.param(r"\limits", "Limit controls must follow a math operator", 0, id="stray limits"),
    pytest.param(r"$x$", "Can't use function '$' in math mode", 0, id="dollar inside math"),
    pytest.param(
        r"\sqrt[3",
        "Unexpected end of input in a macro argument, expected ']'",
        7,
        id="unclosed root index",
    ),
    pytest.param(r"\rule{a}{b}", "Invalid size: 'a'", 5, id="invalid size"),
    pytest.param(
        r"\def\x{\x}\x",
        "Too many expansions: infinite loop or need to increase maxExpand setting",
        None,
        id="infinite macro expansion",
    ),
]


@pytest.mark.parametrize(("source", "message", "position"), FAILURES)
def test_parse_errors(source: str, message: str, position: int | None) -> None:
    """KaTeX rejects each malformed formula with its own message and position."""
    result = katex.get_engine().render(source)
    assert isinstance(result, katex.ParseError)
    assert (message, position) == (result.message, result.position)


def test_engine_is_katex_0_16() -> None:
    """The engine runs KaTeX 0.16.x from the declared distribution."""
    assert "0.16" == ".".join(katex.get_engine().version.split(".")[:2])


def test_engine_is_started_once() -> None:
    """`get_engine` returns the same engine on every call."""
    assert katex.get_engine() is katex.get_engine()


def test_renders_zenn_macro_rr() -> None:
    """Zenn's predefined \\RR renders like \\mathbb{R}."""
    engine = katex.get_engine()
    rr, bb = engine.render(r"\RR^n"), engine.render(r"\mathbb{R}^n")
    assert isinstance(rr, katex.Rendered) and isinstance(bb, katex.Rendered)
    assert bb.mathml.split("<annotation")[0] == rr.mathml.split("<annotation")[0]


def test_strict_warnings_are_collected() -> None:
    """Japanese in math mode renders, with KaTeX's strict-mode warning recorded."""
    result = katex.get_engine().render("確率 x")
    assert isinstance(result, katex.Rendered)
    assert "unicodeTextInMathMode" == result.warnings[0][0]


@pytest.mark.parametrize(
    "command", [r"\href{https://example.org}{x}", r"\url{https://example.org}", r"\htmlClass{c}{x}"]
)
def test_trust_records_and_refuses(command: str) -> None:
    """Links and raw HTML are recorded by the trust function and not rendered as links."""
    result = katex.get_engine().render(command)
    assert isinstance(result, katex.Rendered)
    assert command.split("{", maxsplit=1)[0] == result.trusted[0]
    assert "href=" not in result.mathml


def test_guard_refuses_long_input() -> None:
    """Input over the length limit never reaches the engine."""
    with pytest.raises(katex.InputRejected) as info:
        katex.guard("x" * (katex.MAX_LENGTH + 1))
    assert ("latex_too_long", katex.MAX_LENGTH + 1) == (info.value.key, info.value.values["length"])


@pytest.mark.parametrize(
    "source", ["{" * 60 + "x" + "}" * 60, r"\left(" * 60 + "x" + r"\right)" * 60, "{" * 1000]
)
def test_guard_refuses_deep_nesting(source: str) -> None:
    """Deeply nested input is refused with a reason instead of overflowing the engine."""
    with pytest.raises(katex.InputRejected) as info:
        katex.get_engine().render(source)
    assert "latex_too_deep" == info.value.key


def test_macros_that_multiply_a_formula_are_stopped() -> None:
    """1954 characters of nested \\def that expand to 93000 symbols stop at the token budget
    (KaTeX runs in the grader's process, with no time limit of its own)."""
    bomb = r"\def\a{" + "x" * 1900 + r"}\def\b{" + r"\a" * 7 + r"}\def\c{" + r"\b" * 7 + r"}\c"
    with pytest.raises(katex.InputRejected) as info:
        katex.Engine(cache=False).render(bomb)
    assert ("latex_too_large", katex.MAX_TOKENS) == (info.value.key, info.value.values["limit"])


def test_the_token_budget_renders_any_formula_of_the_longest_length() -> None:
    """A formula of `MAX_LENGTH` characters made of KaTeX's own macros still renders."""
    unit = r"\iff\implies\impliedby\dots\cdots\ldots\vdots\ddots\neq\notin\colon\mathbb{R}"
    source = unit * (katex.MAX_LENGTH // len(unit))
    assert isinstance(katex.Engine(cache=False).render(source), katex.Rendered)


def test_nesting_depth_ignores_escaped_braces_and_leftarrow() -> None:
    """Escaped braces and commands that merely start with 'left' do not count as nesting."""
    assert 3 == katex.nesting_depth(r"\left( {a{b}} \right) \{ \leftarrow \}")


def test_engine_exception_becomes_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception inside the JavaScript engine surfaces as `EngineError`, not a crash."""
    engine = katex.Engine(cache=False)

    def boom(*args: object, **kwargs: object) -> object:
        raise RuntimeError("InternalError: stack overflow")

    monkeypatch.setattr(engine._js, "evaljs", boom)
    with pytest.raises(katex.EngineError, match="stack overflow"):
        engine.render("x")


def test_missing_katex_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the package carrying katex.min.js the engine reports itself unavailable."""
    monkeypatch.setattr(katex, "KATEX_DISTRIBUTION", "no-such-distribution-for-katex")
    with pytest.raises(katex.EngineUnavailable, match="not installed"):
        katex.katex_source()


def test_caret_points_at_position() -> None:
    """The caret sits under the offending characters."""
    assert "x^1^2\n   ^" == caret("x^1^2", 3, 1)


def test_caret_counts_wide_characters_twice() -> None:
    """Full-width characters before the position shift the caret by two columns each."""
    assert "確率 \\foo\n     ^^^^" == caret("確率 \\foo", 3, 4)


def test_caret_cuts_long_lines() -> None:
    """A long formula is cut to a window around the position, marked with ellipses."""
    source = "a" * 100 + "}" + "b" * 100
    line, marks = caret(source, 100, 1).split("\n")
    assert (True, True) == (line.startswith("…"), line.endswith("…"))
    assert "}" == line[len(marks) - 1]


def test_suggest_command_finds_close_name() -> None:
    """An undefined command gets the closest known command as a suggestion."""
    assert (r"\alhpa", r"\alpha") == suggest_command(r"Undefined control sequence: \alhpa")


@pytest.mark.slow
def test_render_cache_spares_the_engine_start() -> None:
    """A formula rendered once is answered from the disk cache by a new engine without JS."""
    first = katex.Engine()
    rendered = first.render(r"\frac{a_{17}}{b^{23}}")
    second = katex.Engine()
    assert rendered == second.render(r"\frac{a_{17}}{b^{23}}")
    assert second._interpreter is None


def test_render_cache_keeps_parse_errors() -> None:
    """Parse errors come back from the cache with their message and position."""
    source = r"x^1^2 + \cached"
    fresh = katex.Engine().render(source)
    cached = katex.Engine().render(source)
    assert isinstance(fresh, katex.ParseError)
    assert fresh == cached
