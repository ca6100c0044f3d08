"""The child's own confinement: its uid, capabilities and ``no_new_privs``, and what it
says about them (`status`). Its seccomp filter is `grader.sandbox.seccomp`; the namespace
of its own, `grader.sandbox.isolate`.

Runs inside the warm template (and its forks), so it imports only the standard library.

Per-child uids (secure mode, grader run as root): the template stays uid 0 inside the sandbox
but keeps only `TEMPLATE_CAPS` (`serve_own_uids`); each fork then gives itself the next uid
of `CHILD_UIDS` and no capability in any set (`become`) before it reads its job, so children
of one template cannot open each other's memory or ``/proc`` entries, nor signal each other.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import sys
from typing import Any

__all__ = [
    "CHILD_UIDS",
    "KEPT",
    "TEMPLATE_CAPS",
    "TEMPLATE_CAP_NAMES",
    "become",
    "c_library",
    "keep_only",
    "memory_pages",
    "next_child_uid",
    "no_new_privs",
    "proc_self",
    "release",
    "serve_own_uids",
    "status",
]

_PR_SET_DUMPABLE = 4
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAPABILITY_VERSION_3 = 0x20080522
#: what the template keeps (as uid 0, run by root), by name and number: CAP_SETUID and
#: CAP_SETGID to give each child its uid, CAP_SETPCAP to empty the child's bounding set first,
#: and CAP_KILL to stop children at their deadline (they no longer share its uid, and
#: signalling another uid needs it). No other capability, in any set.
_TEMPLATE_CAPS = {"CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8}
TEMPLATE_CAP_NAMES = tuple(_TEMPLATE_CAPS)
TEMPLATE_CAPS = sum(1 << number for number in _TEMPLATE_CAPS.values())
#: the uids (and gids) of children, one each: the n-th fork of a template gets the n-th.
#: 0x70000000 starts a range that systemd documents as unused (after the container ranges,
#: before 2**31, where signed uid_t bugs live) and that /etc/subuid allocations starting at
#: 100000 do not reach in practice. The uids need no /etc/passwd entry: inside the sandbox
#: nothing else owns them (private pid, mount and IPC namespaces, a tmpfs /tmp of its own,
#: everything else read-only), so the same uid in another template shares nothing with it
#: but per-user kernel counters.
#: No uid is ever reused within a template, so no file or process of a previous holder can
#: meet its successor and nothing needs cleaning up: a template refuses a fork past the end
#: (2**27 forks; at a generous 100 children a second that is over two weeks of one batch).
CHILD_UIDS = range(0x70000000, 0x70000000 + (1 << 27))
_STATUS_KEYS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp")


def status() -> dict[str, Any]:
    """What this process can say about its own confinement (the template's ready message, and
    each child's first message)."""
    info: dict[str, Any] = {"uid": os.getuid() if hasattr(os, "getuid") else None}
    info["gid"] = os.getgid() if hasattr(os, "getgid") else None
    from grader.sandbox import seccomp

    info["seccomp"] = seccomp.available()
    if not info["seccomp"]:
        info["seccomp_error"] = seccomp.lib_error()
    if _next_uid is not None:
        info["child_uids"] = [CHILD_UIDS.start, CHILD_UIDS.stop]
    try:
        text = proc_self("status")
    except OSError:
        return info
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in _STATUS_KEYS:
            info[key] = value.strip()
        elif key in ("Uid", "Gid", "Groups"):
            info[key] = value.split()
    return info


#: /proc/self files opened before `isolate` covered /proc, by name
KEPT: dict[str, int] = {}


def proc_self(name: str) -> str:
    """``/proc/self/NAME``, read through the descriptor `isolate.isolate` kept (in `KEPT`,
    before it covered /proc), if it did."""
    fd = KEPT.get(name)
    if fd is None:
        with open(f"/proc/self/{name}", encoding="ascii", errors="surrogateescape") as fh:
            return fh.read()
    return os.pread(fd, 1 << 20, 0).decode("ascii", errors="surrogateescape")


def memory_pages() -> int:
    """This process's size in pages (``/proc/self/statm``), the base of its memory limit."""
    return int(proc_self("statm").split()[0])


def release() -> None:
    """Close what `isolate` kept open (before student code runs)."""
    for fd in KEPT.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    KEPT.clear()


#: the index in `CHILD_UIDS` of the next child's uid; None: children keep the template's uid
_next_uid: int | None = None


def serve_own_uids() -> None:
    """In the template (uid 0): keep only `TEMPLATE_CAPS`, and give each later fork its own uid.

    Bounding, permitted and effective sets become `TEMPLATE_CAPS`; the inheritable and
    ambient sets are emptied (bwrap fills them with what it was asked to keep), so nothing the
    template ever executed could inherit a capability.
    """
    global _next_uid  # noqa: PLW0603 - one counter per template
    keep_only(c_library(), TEMPLATE_CAPS)
    _next_uid = 0


def keep_only(libc: Any, mask: int) -> None:
    """Bounding, permitted and effective sets to ``mask``; inheritable and ambient emptied."""
    for cap in range(64):
        if mask >> cap & 1:
            continue
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            if ctypes.get_errno() == errno.EINVAL:
                break  # past the kernel's last capability
            raise OSError(ctypes.get_errno(), f"cannot drop capability {cap} from the bounding set")
    if libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot clear the ambient capabilities")
    _capset(libc, mask)


def next_child_uid() -> int | None:
    """In the template: the uid for the next fork (None if children keep the template's)."""
    global _next_uid  # noqa: PLW0603 - one counter per template
    if _next_uid is None:
        return None
    if _next_uid >= len(CHILD_UIDS):
        raise RuntimeError("every child uid of this template is used; start a new template")
    uid = CHILD_UIDS[_next_uid]
    _next_uid += 1
    return uid


def become(uid: int) -> None:
    """In a fresh fork of a `serve_own_uids` template: become ``uid`` (and gid ``uid``), with
    no supplementary group and no capability in any set, for good; then check it.

    Raises `OSError` if any step fails or the result is not exactly that.
    """
    libc = c_library()
    for cap in _TEMPLATE_CAPS.values():  # needs CAP_SETPCAP, so before the uid changes
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"cannot drop capability {cap} from the bounding set")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    # uid 0 to nonzero in all three ids: the kernel empties the permitted, effective and
    # ambient sets; the saved uid is not 0, so there is no way back
    os.setresuid(uid, uid, uid)
    os.umask(0o077)
    # a change of credentials resets "dumpable" to fs.suid_dumpable: say it again
    libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    found = status()
    ids = [str(uid)] * 4
    problems = [key for key in ("Uid", "Gid") if found.get(key) != ids]
    if found.get("Groups"):
        problems.append("Groups")
    problems += [key for key in _STATUS_KEYS[:5] if _mask(found.get(key)) != 0]
    if problems:
        raise OSError(errno.EPERM, f"still privileged after the switch: {', '.join(problems)}")


def _mask(value: Any) -> int | None:
    try:
        return int(str(value), 16)
    except ValueError:
        return None


_libc_handle: Any = None


def c_library() -> Any:
    """The C library, loaded once (in the template, so forks find it loaded)."""
    global _libc_handle  # noqa: PLW0603 - one handle per process
    if sys.platform != "linux":
        raise OSError(errno.ENOSYS, "per-child uids need Linux")
    if _libc_handle is None:
        _libc_handle = ctypes.CDLL(None, use_errno=True)
    return _libc_handle


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


def _capset(libc: Any, mask: int) -> None:
    """Effective and permitted sets to ``mask``, inheritable to nothing (only lowers)."""
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    for word in (0, 1):
        part = mask >> (32 * word) & 0xFFFFFFFF
        data[word] = _CapData(part, part, 0)
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def no_new_privs() -> bool:
    """Set ``PR_SET_NO_NEW_PRIVS``: exec can never gain privileges (set-uid files, caps)."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False
