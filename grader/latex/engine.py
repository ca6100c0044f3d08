"""The KaTeX engine: KaTeX's own ``katex.min.js`` run in process by QuickJS (dukpy).

Nothing starts at import time. `get_engine()` makes one engine per process; its JavaScript
starts (about 0.1 s) only when a formula is not already in the render cache, and every call
then takes about 2 ms. KaTeX's JavaScript comes from
the ``sphinxcontrib-katex`` wheel (KaTeX 0.16.22, MIT), a declared dependency, so no Node and
no npm step are needed. When either piece is missing, `EngineUnavailable` says which, and the
check reports the case as unchecked instead of guessing.

KaTeX runs with ``throwOnError``, a ``strict`` function that collects warnings, a ``trust``
function that records (and refuses) ``\\href``/``\\url``/``\\html*``, and Zenn's predefined
macro ``\\RR``. Input is guarded before it reaches the engine (`guard`): too long or nested too
deeply is refused with a reason, so the engine's recursion can never overflow on student text,
and a formula whose macros expand to more than `MAX_TOKENS` tokens is stopped there (2000
characters of nested ``\\def`` took about 5 s and a megabyte of MathML per formula, in the
grader's own process).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "KATEX_DISTRIBUTION",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_TOKENS",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "InputRejected",
    "ParseError",
    "Rendered",
    "get_engine",
    "guard",
    "katex_path",
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
#: tokens KaTeX may expand for one formula (macro lookups; a dense formula of `MAX_LENGTH`
#: characters takes about 5000): macros a formula defines may multiply its length, and the
#: engine runs in the grader's process, with no time limit of its own
MAX_TOKENS = 20_000
#: Zenn's predefined macros (KaTeX has none of its own for these)
ZENN_MACROS = {"\\RR": "\\mathbb{R}"}

_GROUP_TOKEN = re.compile(r"\\(?:left|right|begin|end)(?![A-Za-z])|\\.|[{}]")

_RENDER_JS = r"""
(function () {
  var warnings = [], trusted = [], left = dukpy.budget, spent = {over: false};
  // KaTeX looks up every token it expands in the macros object: counting the lookups bounds
  // the work, which a formula's own macros could otherwise multiply a thousandfold
  var macros = new Proxy(JSON.parse(dukpy.macros), {
    getOwnPropertyDescriptor: function (target, key) {
      if (--left < 0) { spent.over = true; throw new Error("token budget spent"); }
      return Object.getOwnPropertyDescriptor(target, key);
    }
  });
  try {
    var out = katex.renderToString(dukpy.source, {
      output: "mathml", displayMode: true, throwOnError: true, maxExpand: 1000,
      macros: macros,
      strict: function (code, message) { warnings.push([String(code), String(message)]);
                                         return "ignore"; },
      trust: function (ctx) { trusted.push(String(ctx.command)); return false; }
    });
    if (spent.over) { return {ok: false, parse: false, budget: true}; }
    return {ok: true, mathml: out, warnings: warnings, trusted: trusted};
  } catch (e) {
    if (spent.over) { return {ok: false, parse: false, budget: true}; }
    var isParse = (e instanceof katex.ParseError);
    return {ok: false, parse: isParse, name: String(e && e.name),
            message: String(isParse ? e.rawMessage : (e && e.message) || e),
            position: (isParse && typeof e.position === "number") ? e.position : null,
            length: (isParse && typeof e.length === "number") ? e.length : 0,
            warnings: warnings, trusted: trusted};
  }
})()
"""


class EngineUnavailable(Exception):  # noqa: N818 - a state, as in "the engine is unavailable"
    """No KaTeX engine can run here (dukpy or katex.min.js missing, or it failed to start)."""


class EngineError(Exception):
    """The engine failed on an input for a reason other than a KaTeX parse error."""


class InputRejected(Exception):  # noqa: N818 - a verdict on the input, not an error
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


def katex_path() -> Path:
    """Where katex.min.js is installed; `EngineUnavailable` if absent.

    The file is looked up beside the distribution's ``sphinxcontrib`` package first (cheap),
    then through the distribution's record of installed files.
    """
    spec = importlib.util.find_spec("sphinxcontrib")
    if KATEX_DISTRIBUTION == "sphinxcontrib-katex" and spec is not None:
        for folder in spec.submodule_search_locations or ():
            candidate = Path(folder) / "katex.min.js"
            if candidate.is_file():
                return candidate
    from importlib import metadata  # slow to import; only needed as a fallback

    try:
        files = metadata.files(KATEX_DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        raise EngineUnavailable(f"{KATEX_DISTRIBUTION} is not installed") from None
    for path in files:
        if path.name == "katex.min.js":
            return Path(str(path.locate()))
    raise EngineUnavailable(f"{KATEX_DISTRIBUTION} does not ship katex.min.js")


def katex_source() -> str:
    """The text of katex.min.js from the installed distribution; `EngineUnavailable` if absent."""
    return katex_path().read_text(encoding="utf-8")


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
    """KaTeX in one QuickJS context, started only when a formula is not in the cache.

    `render` results are plain data, so they are cached in memory and on disk, keyed by the
    KaTeX file, the options and the source: a re-run with unchanged formulas (the common case
    for a student, and the reference strings always) starts no JavaScript at all.
    """

    def __init__(self, *, cache: bool = True) -> None:
        if importlib.util.find_spec("dukpy") is None:
            raise EngineUnavailable("dukpy (the JavaScript engine) is not installed")
        self._katex_path = katex_path()
        stat = self._katex_path.stat()
        self._macros = json.dumps(ZENN_MACROS)
        identity = f"{self._katex_path}:{stat.st_size}:{stat.st_mtime_ns}:{self._macros}:{_JS_ID}"
        self._identity = hashlib.sha256(identity.encode()).hexdigest()[:16]
        self._cache_dir = _cache_dir() if cache else None
        self._memory: dict[str, Rendered | ParseError] = {}
        self._interpreter: Any = None
        self._error_type: type[BaseException] = Exception

    @property
    def _js(self) -> Any:
        """The JavaScript interpreter with KaTeX loaded (started on first use)."""
        if self._interpreter is None:
            try:
                import dukpy  # type: ignore[import-untyped]
            except ImportError:
                raise EngineUnavailable("dukpy (the JavaScript engine) is not installed") from None
            try:
                interpreter = dukpy.JSInterpreter()
                interpreter.evaljs(self._katex_path.read_text(encoding="utf-8"))
            except Exception as exc:
                raise EngineUnavailable(f"KaTeX failed to start: {exc}") from exc
            self._error_type = getattr(dukpy, "JSRuntimeError", Exception)
            self._interpreter = interpreter
        return self._interpreter

    @property
    def version(self) -> str:
        """KaTeX's version string (starts the engine)."""
        return str(self._js.evaljs("katex.version"))

    def render(self, source: str) -> Rendered | ParseError:
        """Render ``source`` as display math to MathML, or KaTeX's parse error (cached);
        `InputRejected` when it is too long, too deep or expands to too many tokens."""
        guard(source)
        key = hashlib.sha256(f"{self._identity}\0{source}".encode()).hexdigest()
        found = self._memory.get(key)
        if found is None and self._cache_dir is not None:
            found = _cache_read(self._cache_dir / key[:2] / f"{key}.json")
        if found is None:
            found = self._render(source)
            if self._cache_dir is not None:
                _cache_write(self._cache_dir / key[:2] / f"{key}.json", found)
        self._memory[key] = found
        return found

    def _render(self, source: str) -> Rendered | ParseError:
        try:
            out = self._js.evaljs(_RENDER_JS, source=source, macros=self._macros, budget=MAX_TOKENS)
        except EngineUnavailable:
            raise
        except Exception as exc:
            raise EngineError(str(exc)) from exc
        if not isinstance(out, dict):
            raise EngineError(f"unexpected result from KaTeX: {out!r}")
        if out.get("budget"):
            raise InputRejected("latex_too_large", limit=MAX_TOKENS)
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


#: changes whenever _RENDER_JS changes, so cached renders of an older script are not reused
_JS_ID = hashlib.sha256(_RENDER_JS.encode()).hexdigest()[:12]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ml-lectures" / "katex"


def _cache_read(path: Path) -> Rendered | ParseError | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["kind"] == "rendered":
            return Rendered(
                str(data["mathml"]),
                tuple((str(c), str(m)) for c, m in data["warnings"]),
                tuple(str(c) for c in data["trusted"]),
            )
        position = data["position"]
        return ParseError(
            str(data["message"]),
            int(position) if position is not None else None,
            int(data["length"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _cache_write(path: Path, value: Rendered | ParseError) -> None:
    if isinstance(value, Rendered):
        data: dict[str, Any] = {
            "kind": "rendered",
            "mathml": value.mathml,
            "warnings": [list(w) for w in value.warnings],
            "trusted": list(value.trusted),
        }
    else:
        data = {
            "kind": "parse_error",
            "message": value.message,
            "position": value.position,
            "length": value.length,
        }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


_ENGINE: Engine | None = None


def get_engine() -> Engine:
    """The process's engine, started on first call; `EngineUnavailable` if it cannot run."""
    global _ENGINE  # noqa: PLW0603 - one engine per process, made on first use
    if _ENGINE is None:
        _ENGINE = Engine()
    return _ENGINE


def reset_engine() -> None:
    """Forget the process's engine (tests; a new one starts on next use)."""
    global _ENGINE  # noqa: PLW0603 - one engine per process, made on first use
    _ENGINE = None
