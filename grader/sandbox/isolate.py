"""Each child of a secure template alone: a user and mount namespace of its own, with a
private ``/tmp`` and an empty ``/proc`` (docs/security.md, layer 10).

Runs inside the warm template's forks, so it imports only the standard library and
`grader.sandbox.confine`.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from typing import Any

from grader.sandbox import confine

__all__ = ["CHILD_TMP_BYTES", "isolate"]

_PR_SET_DUMPABLE = 4
_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_BIND, _MS_REC = 4096, 16384
_OCTAL = re.compile(r"\\([0-7]{3})")  # how mountinfo writes a space, a tab, a backslash
#: bytes of the private tmpfs each child of a sandbox gets on /tmp
CHILD_TMP_BYTES = 16 << 20
_TMP = "/tmp"  # noqa: S108 - the child's own tmpfs, mounted here


def isolate(tmp_bytes: int = CHILD_TMP_BYTES) -> dict[str, bool]:
    """In a fresh fork of a secure template, before it reads its job: share no writable place
    and no process entry with any other child.

    The child makes a user and mount namespace of its own (mapping only its own uid and
    gid), mounts a private tmpfs of ``tmp_bytes`` on ``/tmp`` (so nothing it writes there is
    seen by another child, and it is gone when the child ends) and an empty read-only tmpfs
    on ``/proc`` (other children's names, command lines and states disappear with it), then
    keeps no capability in any set. Where the kernel refuses nested user namespaces, the
    child keeps the sandbox's read-only ``/tmp`` and its ``/proc`` (the template finds this
    out once: `worker.main`). Returns what worked.
    """
    found = {"private_tmp": False, "proc_hidden": False}
    if sys.platform != "linux":
        return found
    libc = confine.c_library()
    for name in ("status", "statm", "mountinfo"):
        confine.KEPT[name] = os.open(f"/proc/self/{name}", os.O_RDONLY | os.O_CLOEXEC)
    uid, gid = os.geteuid(), os.getegid()
    # A non-dumpable process's /proc files belong to root: the child can write its maps only
    # if it is dumpable for a moment. No student code can open its memory meanwhile: every
    # child that runs any has covered /proc first (and run as root, has another uid too).
    libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
    try:
        if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS) != 0:
            return found
        try:
            for name, text in (
                ("setgroups", "deny"),
                ("uid_map", f"{uid} {uid} 1"),
                ("gid_map", f"{gid} {gid} 1"),
            ):
                fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
                try:
                    os.write(fd, text.encode())
                finally:
                    os.close(fd)
            data = f"size={tmp_bytes},nr_inodes=4096,mode=0700,uid={uid},gid={gid}"
            found["private_tmp"] = _private_tmp(libc, data)
            flags = _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
            found["proc_hidden"] = _mount(libc, "/proc", flags, "size=4096,nr_inodes=16,mode=0555")
        except OSError:
            pass
        finally:
            confine.keep_only(libc, 0)  # the namespace gave every capability (over itself)
    finally:
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    return found


def _private_tmp(libc: Any, data: str) -> bool:
    """A fresh tmpfs on /tmp that still shows the folders the sandbox bound below /tmp (a
    submission or an interpreter there): each is bound again, with what lies inside it,
    from a descriptor taken before the tmpfs covered it."""
    below: list[str] = []
    for line in confine.proc_self("mountinfo").splitlines():
        fields = line.split()
        point = _OCTAL.sub(lambda m: chr(int(m[1], 8)), fields[4]) if len(fields) > 4 else ""
        if point.startswith(_TMP + "/") and not any(point.startswith(p + "/") for p in below):
            below = [p for p in below if not p.startswith(point + "/")] + [point]
    kept = [(point, os.open(point, os.O_PATH | os.O_CLOEXEC)) for point in below]
    try:
        if not _mount(libc, _TMP, _MS_NOSUID | _MS_NODEV, data):
            return False
        os.chdir(_TMP)
        for point, fd in kept:
            os.makedirs(point, mode=0o755, exist_ok=True)
            source = f"/proc/self/fd/{fd}".encode()
            if libc.mount(source, point.encode(), None, _MS_BIND | _MS_REC, None) != 0:
                raise OSError(ctypes.get_errno(), f"cannot show {point} again")
        return True
    finally:
        for _point, fd in kept:
            os.close(fd)


def _mount(libc: Any, target: str, flags: int, data: str) -> bool:
    return bool(libc.mount(b"tmpfs", target.encode(), b"tmpfs", flags, data.encode()) == 0)
