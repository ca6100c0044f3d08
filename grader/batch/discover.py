"""Discover: the entries of SUBMISSIONS, their student ids, and their files as checked bundles.

An entry is one student: a folder laid out like ``exercises/``, a ``.zip`` of one, or a single
``.ipynb``. Its student id is its name without the extension, or what a roster CSV maps that
name to. Loading an entry reads its files into memory (a `Bundle`) under limits; an archive
that is unsafe (path traversal, links, a zip bomb, too many files) raises `Refused`, which
costs that student only.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader import messages as msg
from grader.errors import UsageError
from grader.untrusted import open_regular, printable

__all__ = [
    "ArchiveLimits",
    "Bundle",
    "Entry",
    "Refused",
    "discover",
    "fingerprint",
    "load_bundle",
    "read_roster",
]

#: a student release's fingerprint (`grader.release.fingerprint`), relative to the fork's root
_RELEASE = "rubrics/release.json"
_SKIPPED_PARTS = {"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints", ".venv"}
#: the longest name (one path component) a file system takes, in bytes
_NAME_BYTES = 255


@dataclass(frozen=True)
class ArchiveLimits:
    """What one submission may hold; beyond it, the submission is refused."""

    max_files: int = 200
    max_total_bytes: int = 32 << 20
    max_file_bytes: int = 8 << 20
    #: uncompressed / compressed size of a whole archive (above 1 MiB of content)
    max_ratio: float = 100.0


@dataclass(frozen=True)
class Entry:
    """One student's submission as found in SUBMISSIONS."""

    student: str
    name: str
    path: Path
    #: "folder", "zip" or "ipynb"
    kind: str
    #: roster columns for this student (display name, email, section, ...)
    roster: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bundle:
    """A submission's files, read and checked: relative POSIX path -> content."""

    files: dict[str, bytes]
    kind: str


class Refused(Exception):  # noqa: N818 - a verdict, not a programming error
    """The submission cannot be graded safely; the message is for the student."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- discovery --------------------------------------------------------------------------------


def discover(
    folder: Path, roster: dict[str, dict[str, str]] | None = None
) -> tuple[list[Entry], list[str]]:
    """The entries of ``folder`` sorted by student id, and warnings for the instructor.

    ``roster`` (`read_roster`, or the one a gradebook kept) maps entry names to student ids;
    an entry it does not name keeps its own name as id and is reported as not on the roster.
    """
    if not folder.is_dir():
        raise UsageError(f"{folder}: submissions folder not found")
    mapping = roster or {}
    entries: list[Entry] = []
    warnings: list[str] = []
    ignored: list[str] = []
    for path in sorted(folder.iterdir()):
        # a name that is not UTF-8 is shown (and stored) with its bytes escaped
        name = os.fsencode(path.name).decode("utf-8", errors="backslashreplace")
        if name.startswith(".") or name in _SKIPPED_PARTS:
            continue
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            kind, stem = "folder", name
        elif not stat.S_ISREG(mode):  # links, FIFOs, sockets, devices
            ignored.append(name)
            continue
        elif path.suffix.lower() == ".zip":
            kind, stem = "zip", name[: -len(path.suffix)]
        elif path.suffix.lower() == ".ipynb":
            kind, stem = "ipynb", name[: -len(path.suffix)]
        else:
            ignored.append(name)
            continue
        row = mapping.get(name) or mapping.get(stem)
        if mapping and row is None:
            warnings.append(
                f"{name}: not on the roster; graded as {stem!r} and left out of the LMS files"
            )
        student = row["id"] if row else stem
        entries.append(Entry(student, name, path, kind, dict(row or {})))
    if ignored:
        shown = ", ".join(printable(n, lines=False) for n in ignored[:5])
        shown += " ..." if len(ignored) > 5 else ""
        warnings.append(
            f"ignored {len(ignored)} entr{'y' if len(ignored) == 1 else 'ies'} that "
            f"{'is' if len(ignored) == 1 else 'are'} not a folder, .zip or .ipynb: {shown}"
        )
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.student in seen:
            raise UsageError(
                f"{folder}: {seen[entry.student].name} and {entry.name} are both student "
                f"{entry.student!r}; keep one, or map them apart in a roster"
            )
        seen[entry.student] = entry
    return sorted(entries, key=lambda e: e.student), warnings


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """Roster CSV: a header with ``name`` (the entry's name) and ``id``, plus any columns."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the roster: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: the roster is not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    for needed in ("name", "id"):
        if needed not in header:
            raise UsageError(
                f"{path}: line 1: the roster needs a {needed!r} column (has: "
                f"{', '.join(header) or 'nothing'})"
            )
    mapping: dict[str, dict[str, str]] = {}
    ids: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in raw.items()
            if isinstance(v, str)
        }
        if not row.get("name") or not row.get("id"):
            raise UsageError(f"{path}: line {line}: 'name' and 'id' must not be empty")
        if row["name"] in mapping:
            raise UsageError(f"{path}: line {line}: name {row['name']!r} appears twice")
        if row["id"] in ids:
            raise UsageError(
                f"{path}: line {line}: id {row['id']!r} is also on line {ids[row['id']]}"
            )
        ids[row["id"]] = line
        mapping[row["name"]] = row
    return mapping


# -- content ----------------------------------------------------------------------------------


def fingerprint(entry: Entry, limits: ArchiveLimits | None = None) -> str:
    """A hash of the entry's raw content: unchanged content means an unchanged grade."""
    limits = limits or ArchiveLimits()
    digest = hashlib.sha256(entry.kind.encode())
    if entry.kind != "folder":
        try:
            with open_regular(entry.path) as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            digest.update(f"unreadable {exc.errno}".encode())
        return digest.hexdigest()
    for count, (rel, path) in enumerate(_walk(entry.path)):
        if count > limits.max_files:
            digest.update(b"too many files")
            break
        digest.update(os.fsencode(rel) + b"\0")
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                digest.update(b"link " + os.fsencode(os.readlink(path)))
            elif not stat.S_ISREG(info.st_mode):
                digest.update(b"special %o" % stat.S_IFMT(info.st_mode))
            elif info.st_size <= limits.max_file_bytes:
                digest.update(_read_file(path, limits))
            else:
                digest.update(b"large %d" % info.st_size)
        except OSError as exc:
            digest.update(f"unreadable {exc.errno}".encode())
        except Refused as exc:
            digest.update(exc.message.encode(errors="backslashreplace"))
        digest.update(b"\0")
    return digest.hexdigest()


def load_bundle(entry: Entry, wanted: set[str], limits: ArchiveLimits | None = None) -> Bundle:
    """Read and check the entry's files; ``wanted`` are the exercise file names to look for."""
    limits = limits or ArchiveLimits()
    if entry.kind == "ipynb":
        data = _read_file(entry.path, limits)
        return Bundle({entry.path.name: data}, "ipynb")
    if entry.kind == "zip":
        files = _read_zip(entry.path, limits)
    else:
        files = _read_folder(entry.path, limits)
    return Bundle(_rebase(files, wanted), entry.kind)


def _walk(folder: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_PARTS)
        base = Path(root)
        for name in sorted(files):
            path = base / name
            found.append((path.relative_to(folder).as_posix(), path))
        found.extend(
            (str((base / d).relative_to(folder).as_posix()), base / d)
            for d in dirs
            if (base / d).is_symlink()
        )
    return found


def _read_file(path: Path, limits: ArchiveLimits) -> bytes:
    try:
        with open_regular(path) as fh:
            if os.fstat(fh.fileno()).st_size > limits.max_file_bytes:
                raise Refused(msg.t("batch_too_large", limit=_mib(limits.max_file_bytes)))
            data = fh.read(limits.max_file_bytes + 1)
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.ELOOP):
            raise Refused(msg.t("batch_link", name=printable(path.name, lines=False))) from None
        raise Refused(msg.t("batch_unreadable", error=exc.strerror or str(exc))) from None
    if len(data) > limits.max_file_bytes:
        raise Refused(msg.t("batch_too_large", limit=_mib(limits.max_file_bytes)))
    return data


def _read_folder(folder: Path, limits: ArchiveLimits) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for rel, path in _walk(folder):
        mode = path.lstat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a link, FIFO, socket, device
            raise Refused(msg.t("batch_link", name=printable(rel, lines=False)[:200]))
        if len(files) >= limits.max_files:
            raise Refused(msg.t("batch_too_many_files", limit=limits.max_files))
        if not stat.S_ISREG(mode):
            continue
        data = _read_file(path, limits)
        total += len(data)
        if total > limits.max_total_bytes:
            raise Refused(msg.t("batch_too_large", limit=_mib(limits.max_total_bytes)))
        files[rel] = data
    return files


def _read_zip(path: Path, limits: ArchiveLimits) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(msg.t("batch_bad_zip", error=str(exc)[:200])) from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_files:
            raise Refused(msg.t("batch_too_many_files", limit=limits.max_files))
        declared = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members)
        if declared > limits.max_total_bytes:
            raise Refused(msg.t("batch_too_large", limit=_mib(limits.max_total_bytes)))
        if declared > (1 << 20) and declared > limits.max_ratio * max(packed, 1):
            raise Refused(msg.t("batch_zip_bomb", ratio=f"{declared / max(packed, 1):.0f}"))
        files: dict[str, bytes] = {}
        folders: set[str] = set()
        total = 0
        for member in members:
            name = member.filename
            shown = printable(name, lines=False)[:200]
            mode = member.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise Refused(msg.t("batch_link", name=shown))
            if member.flag_bits & 0x1:
                raise Refused(msg.t("batch_encrypted", name=shown))
            rel = _safe_name(name)
            if rel is None:
                raise Refused(msg.t("batch_unsafe_path", name=shown))
            if any(len(part.encode()) > _NAME_BYTES for part in rel.split("/")):
                raise Refused(msg.t("batch_name_too_long", limit=_NAME_BYTES, name=shown))
            if member.is_dir() or not rel or any(p in _SKIPPED_PARTS for p in rel.split("/")):
                continue
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                raise Refused(msg.t("batch_link", name=shown))
            parents = {rel.rsplit("/", depth)[0] for depth in range(1, rel.count("/") + 1)}
            if rel in files or rel in folders or parents & files.keys():
                raise Refused(msg.t("batch_name_conflict", name=shown))
            folders |= parents
            if member.file_size > limits.max_file_bytes:
                raise Refused(msg.t("batch_too_large", limit=_mib(limits.max_file_bytes)))
            # never trust the declared sizes: read at most the limit plus one byte
            try:
                with archive.open(member) as fh:
                    data = fh.read(limits.max_file_bytes + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                raise Refused(msg.t("batch_bad_zip", error=str(exc)[:200])) from None
            total += len(data)
            if len(data) > limits.max_file_bytes or total > limits.max_total_bytes:
                raise Refused(msg.t("batch_zip_bomb", ratio="too high"))
            files[rel] = data
        return files


def _safe_name(name: str) -> str | None:
    """The member's relative POSIX path, or None when it would leave the folder."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":") or "\0" in clean:
        return None
    parts = [p for p in PurePosixPath(clean).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def _rebase(files: dict[str, bytes], wanted: set[str]) -> dict[str, bytes]:
    """Make the folder holding the most exercise files the root (zips often add a folder)."""
    counts: dict[str, int] = {}
    for rel in files:
        parent, _, base = rel.rpartition("/")
        if base in wanted:
            counts[parent] = counts.get(parent, 0) + 1
    if not counts:
        return files
    root = min(counts, key=lambda d: (-counts[d], d.count("/"), d))
    if not root:
        return files
    prefix = root + "/"
    rebased = {rel[len(prefix) :]: data for rel, data in files.items() if rel.startswith(prefix)}
    # a fork of a student release: keep its fingerprint where `find_release` looks for it
    parent = root.rpartition("/")[0]
    release = f"{parent}/{_RELEASE}" if parent else _RELEASE
    if release in files:
        rebased[_RELEASE] = files[release]
    return rebased


def _mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB"
