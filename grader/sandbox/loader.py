"""How a child loads the student's code, and checks what one file may change for the next.

Imported by the warm template (`grader.sandbox.worker`), so it imports only the standard
library and NumPy. A file is imported from disk, or from the text its job carried (a
notebook's code, or a file a detached sandbox does not show); the submission's other files
can be imported from text too (`serve_modules`). `shared_state` and `same_state` let a child
that imports several files in turn (`worker._run_files`) see whether one of them patched
the modules every file relies on.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from typing import Any

import numpy as np

__all__ = ["chdir", "import_file", "run_source", "same_state", "serve_modules", "shared_state"]


def chdir(directory: str) -> None:
    """Work in the submission's folder; a detached sandbox has none (then stay in /tmp)."""
    with contextlib.suppress(OSError):
        os.chdir(directory)


class _Modules:
    """Imports the submission's other files from the text the job carried (detached view).

    ``importlib.util`` is imported with this module: importing it inside `find_spec` would
    ask this finder again, without end."""

    def __init__(self, directory: str, modules: dict[str, str]) -> None:
        self.directory = directory
        self.modules = modules

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if path is not None or name not in self.modules:
            return None
        origin = os.path.join(self.directory, name + ".py")
        loader: Any = self  # a loader by protocol (create_module, exec_module)
        return importlib.util.spec_from_loader(name, loader, origin=origin)

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        path = module.__spec__.origin
        module.__file__ = path
        run_source(module, self.modules[module.__name__], path)


def serve_modules(directory: str, modules: dict[str, Any]) -> None:
    """Let ``import name`` find the submission's files in ``modules`` (name -> text), as if
    they were in ``directory``, before anything on ``sys.path``."""
    texts = {str(k): v for k, v in modules.items() if isinstance(v, str)}
    sys.meta_path.insert(0, _Modules(directory, texts))


def run_source(module: Any, source: str, path: str) -> None:
    """Run ``source`` as ``module``'s code; tracebacks show its lines (not read from disk)."""
    import linecache

    linecache.cache[path] = (len(source), None, source.splitlines(True), path)
    exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102 - this is the sandbox


def import_file(
    name: str, path: str, source: str | None, given: dict[str, Any] | None = None
) -> Any:
    """Import the student's file at ``path`` as module ``name``, or run ``source`` as it
    (with the names in ``given`` already defined: a notebook driver's progress hook)."""
    import types

    if source is not None:  # code the job carried: a notebook's, or a file a detached view hides
        module = types.ModuleType(name)
        module.__dict__.update(given or {})
        module.__file__ = path
        sys.modules[name] = module
        run_source(module, source, path)
        return module
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


#: modules whose objects every exercise file relies on (sharing a child needs them untouched)
_SHARED_MODULES = ("builtins", "math", "numpy", "numpy.linalg", "numpy.random")


def shared_state() -> dict[str, Any]:
    """References (not ids, which a freed object hands on) to what `same_state` compares."""
    state: dict[str, Any] = {"errstate": sorted(np.geterr().items())}
    for name in _SHARED_MODULES:
        module = sys.modules.get(name)
        if module is not None:
            state[name] = (module, dict(vars(module)))
    return state


def same_state(before: dict[str, Any]) -> bool:
    """Whether no object of `_SHARED_MODULES` was replaced, removed or added (a lazily
    imported submodule excepted), and NumPy's error handling is unchanged."""
    try:
        if sorted(np.geterr().items()) != before["errstate"]:
            return False
        for name in _SHARED_MODULES:
            if name not in before:  # imported since: nothing of it was relied on before
                continue
            module, members = before[name]
            if sys.modules.get(name) is not module:
                return False
            now = vars(module)
            if len(now) < len(members) or any(now.get(k, now) is not v for k, v in members.items()):
                return False
            if len(now) > len(members) and any(
                not isinstance(value, type(np)) for key, value in now.items() if key not in members
            ):
                return False
    except Exception:  # noqa: BLE001 - student code may have broken what is checked
        return False
    return True
