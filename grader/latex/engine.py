"""The KaTeX engine: KaTeX's own ``katex.min.js`` run in process by QuickJS (dukpy).

Nothing starts at import time. `get_engine()` starts one engine per process on first use
(about 0.1 s) and reuses it; every call then takes about 2 ms. KaTeX's JavaScript comes from
the ``sphinxcontrib-katex`` wheel (KaTeX 0.16.22, MIT), a declared dependency, so no Node and
no npm step are needed. When either piece is missing, `EngineUnavailable` says which, and the
check reports the case as unchecked instead of guessing.

KaTeX runs with ``throwOnError``, a ``strict`` function that collects warnings, a ``trust``
function that records (and refuses) ``\\href``/``\\url``/``\\html*``, and Zenn's predefined
macro ``\\RR``. Input is guarded before it reaches the engine (`guard`): too long or nested too
deeply is refused with a reason, so the engine's recursion can never overflow on student text.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "KATEX_DISTRIBUTION",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "InputRejected",
    "ParseError",
    "Rendered",
    "get_engine",
    "guard",
    "katex_source",
    "nesting_depth",
    "reset_engine",
]

#: the PyPI distribution that ships katex.min.js
KATEX_DISTRIBUTION = "sphinxcontrib-katex"
#: longest formula accepted, in characters
MAX_LENGTH = 2000
#: deepest nesting of groups accepted ({…}, \left…\right, \begin…\end)
MAX_DEPTH = 50
#: Zenn's predefined macros (KaTeX has none of its own for these)
ZENN_MACROS = {"\\RR": "\\mathbb{R}"}

_GROUP_TOKEN = re.compile(r"\\(?:left|right|begin|end)(?![A-Za-z])|\\.|[{}]")

_RENDER_JS = r"""
(function () {
  var warnings = [], trusted = [], macros = JSON.parse(dukpy.macros);
  try {
    var out = katex.renderToString(dukpy.source, {
      output: "mathml", displayMode: true, throwOnError: true, maxExpand: 1000,
      macros: macros,
      strict: function (code, message) { warnings.push([String(code), String(message)]);
                                         return "ignore"; },
      trust: function (ctx) { trusted.push(String(ctx.command)); return false; }
    });
    return {ok: true, mathml: out, warnings: warnings, trusted: trusted};
  } catch (e) {
    var isParse = (e instanceof katex.ParseError);
    return {ok: false, parse: isParse, name: String(e && e.name),
            message: String(isParse ? e.rawMessage : (e && e.message) || e),
            position: (isParse && typeof e.position === "number") ? e.position : null,
            length: (isParse && typeof e.length === "number") ? e.length : 0,
            warnings: warnings, trusted: trusted};
  }
})()
"""


class EngineUnavailable(Exception):
    """No KaTeX engine can run here (dukpy or katex.min.js missing, or it failed to start)."""


class EngineError(Exception):
    """The engine failed on an input for a reason other than a KaTeX parse error."""


class InputRejected(Exception):
    """The input was refused before reaching the engine; ``key`` names the catalogue entry."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class ParseError:
    """KaTeX's own parse error: its message and where (0-based) in the source."""

    message: str
    position: int | None
    length: int


@dataclass(frozen=True)
class Rendered:
    """A formula KaTeX accepted: its MathML and what strict and trust mode recorded."""

    mathml: str
    warnings: tuple[tuple[str, str], ...]
    trusted: tuple[str, ...]


def katex_source() -> str:
    """The text of katex.min.js from the installed distribution; `EngineUnavailable` if absent.

    The file is looked up beside the distribution's ``sphinxcontrib`` package first (cheap),
    then through the distribution's record of installed files.
    """
    spec = importlib.util.find_spec("sphinxcontrib")
    if KATEX_DISTRIBUTION == "sphinxcontrib-katex" and spec is not None:
        for folder in spec.submodule_search_locations or ():
            candidate = Path(folder) / "katex.min.js"
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8")
    from importlib import metadata  # slow to import; only needed as a fallback

    try:
        files = metadata.files(KATEX_DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        raise EngineUnavailable(f"{KATEX_DISTRIBUTION} is not installed") from None
    for path in files:
        if path.name == "katex.min.js":
            return str(path.locate().read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    raise EngineUnavailable(f"{KATEX_DISTRIBUTION} does not ship katex.min.js")


def nesting_depth(source: str) -> int:
    """The deepest nesting of braces, \\left…\\right and \\begin…\\end groups in ``source``."""
    depth = deepest = 0
    for match in _GROUP_TOKEN.finditer(source):
        token = match.group()
        if token in ("{", "\\left", "\\begin"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("}", "\\right", "\\end"):
            depth -= 1
    return deepest


def guard(source: str) -> None:
    """Refuse input the engine should never see: too long or nested too deeply."""
    if len(source) > MAX_LENGTH:
        raise InputRejected("latex_too_long", length=len(source), limit=MAX_LENGTH)
    depth = nesting_depth(source)
    if depth > MAX_DEPTH:
        raise InputRejected("latex_too_deep", depth=depth, limit=MAX_DEPTH)


class Engine:
    """One QuickJS context with KaTeX loaded; `render` is cached per source string."""

    def __init__(self) -> None:
        try:
            import dukpy  # type: ignore[import-untyped]
        except ImportError:
            raise EngineUnavailable("dukpy (the JavaScript engine) is not installed") from None
        source = katex_source()
        try:
            self._js: Any = dukpy.JSInterpreter()
            self._js.evaljs(source)
            self.version = str(self._js.evaljs("katex.version"))
        except Exception as exc:
            raise EngineUnavailable(f"KaTeX failed to start: {exc}") from exc
        self._error_type: type[BaseException] = getattr(dukpy, "JSRuntimeError", Exception)
        self._macros = json.dumps(ZENN_MACROS)
        self.render = functools.lru_cache(maxsize=512)(self._render)

    def _render(self, source: str) -> Rendered | ParseError:
        """Render ``source`` as display math to MathML, or KaTeX's parse error."""
        guard(source)
        try:
            out = self._js.evaljs(_RENDER_JS, source=source, macros=self._macros)
        except Exception as exc:
            raise EngineError(str(exc)) from exc
        if not isinstance(out, dict):
            raise EngineError(f"unexpected result from KaTeX: {out!r}")
        if out["ok"]:
            return Rendered(
                str(out["mathml"]),
                tuple((str(c), str(m)) for c, m in out["warnings"]),
                tuple(str(c) for c in out["trusted"]),
            )
        if not out["parse"]:
            raise EngineError(f"{out['name']}: {out['message']}")
        position = out["position"]
        return ParseError(
            str(out["message"]),
            int(position) if position is not None else None,
            int(out["length"] or 0),
        )


_ENGINE: Engine | None = None


def get_engine() -> Engine:
    """The process's engine, started on first call; `EngineUnavailable` if it cannot run."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Engine()
    return _ENGINE


def reset_engine() -> None:
    """Forget the process's engine (tests; a new one starts on next use)."""
    global _ENGINE
    _ENGINE = None
