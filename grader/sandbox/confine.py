"""The child's own confinement: its uid, capabilities, ``no_new_privs`` and a seccomp filter.

Runs inside the warm template (and its forks), so it imports only the standard library.

Per-child uids (secure mode, grader run as root): the template stays uid 0 inside the sandbox
but keeps only `TEMPLATE_CAPS` (`serve_own_uids`); each fork then gives itself the next uid
of `CHILD_UIDS` and no capability in any set (`become`) before it reads its job, so children
of one template cannot read, overwrite or delete each other's files in the shared ``/tmp``,
nor open each other's ``/proc`` entries.

The filter talks to ``libseccomp.so.2`` through `ctypes` directly: a Python binding would
look the library up with `ctypes.util.find_library`, which starts ``ldconfig`` as a
subprocess (20-100 ms here) on the template's start-up path.

The filter allows everything except what a numeric exercise never needs and an attack does:
new processes (fork, vfork, clone without ``CLONE_THREAD``, exec), sockets, ptrace and
reading other processes' memory, mounts and namespaces, kernel key and BPF interfaces, and
signals to any process but the child itself. Forbidden calls fail with ``EPERM`` so student
code sees an ordinary `PermissionError`; system calls of a foreign architecture kill the
process.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import sys
from typing import Any

__all__ = [
    "CHILD_UIDS",
    "TEMPLATE_CAPS",
    "TEMPLATE_CAP_NAMES",
    "available",
    "become",
    "confine_kernel",
    "install_filter",
    "isolate",
    "next_child_uid",
    "no_new_privs",
    "prepare",
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
_CLONE_THREAD = 0x00010000
_ACT_ALLOW = 0x7FFF0000
_CMP_NE = 1
_CMP_MASKED_EQ = 7

#: calls refused outright
_DENIED = (
    "fork",
    "vfork",
    "execve",
    "execveat",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "tkill",
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "setsid",
    "setpgid",
    "iopl",
    "ioperm",
    "personality",
    # memory outside the address space (and so outside RLIMIT_AS), and places that children
    # of one sandbox would share: System V and POSIX IPC objects, file locks, file events
    "memfd_create",
    "memfd_secret",
    "shmget",
    "shmat",
    "shmctl",
    "shmdt",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
    "flock",
    "inotify_init",
    "inotify_init1",
    "fanotify_init",
    "name_to_handle_at",
    "open_by_handle_at",
)
_SOCKETS = frozenset(
    {"socket", "socketpair", "connect", "bind", "listen", "accept", "accept4"}
    | {"sendto", "sendmsg", "sendmmsg"}
)
_ATTR_TSYNC = 4  # SCMP_FLTATR_CTL_TSYNC
#: signal calls allowed only when their first argument is the child's own pid
_SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


class _ArgCmp(ctypes.Structure):
    _fields_ = (  # the ctypes layout of struct scmp_arg_cmp
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


_lib: Any = None
_lib_error = ""


def _load() -> Any:
    """The libseccomp handle, loaded once (in the template, before any fork)."""
    global _lib, _lib_error  # noqa: PLW0603 - one handle per process
    if _lib is not None or _lib_error:
        return _lib
    if sys.platform != "linux":
        _lib_error = "seccomp exists on Linux only"
        return None
    try:
        lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    except OSError as exc:
        _lib_error = f"libseccomp.so.2 not found ({exc})"
        return None
    lib.seccomp_init.argtypes = (ctypes.c_uint32,)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_release.argtypes = (ctypes.c_void_p,)
    lib.seccomp_release.restype = None
    lib.seccomp_load.argtypes = (ctypes.c_void_p,)
    lib.seccomp_load.restype = ctypes.c_int
    lib.seccomp_syscall_resolve_name.argtypes = (ctypes.c_char_p,)
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_rule_add_array.argtypes = (
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    )
    lib.seccomp_rule_add_array.restype = ctypes.c_int
    _lib = lib
    return lib


def available() -> bool:
    """Whether a seccomp filter can be installed in this process."""
    return _load() is not None


_STATUS_KEYS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp")


def status() -> dict[str, Any]:
    """What this process can say about its own confinement (the template's ready message, and
    each child's first message)."""
    info: dict[str, Any] = {"uid": os.getuid() if hasattr(os, "getuid") else None}
    info["gid"] = os.getgid() if hasattr(os, "getgid") else None
    info["seccomp"] = available()
    if not info["seccomp"]:
        info["seccomp_error"] = _lib_error
    if _next_uid is not None:
        info["child_uids"] = [CHILD_UIDS.start, CHILD_UIDS.stop]
    try:
        text = _proc_self("status")
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
_kept: dict[str, int] = {}


def _proc_self(name: str) -> str:
    """``/proc/self/NAME``, read through the descriptor `isolate` kept, if it did."""
    fd = _kept.get(name)
    if fd is None:
        with open(f"/proc/self/{name}", encoding="ascii", errors="surrogateescape") as fh:
            return fh.read()
    return os.pread(fd, 1 << 20, 0).decode("ascii", errors="surrogateescape")


def memory_pages() -> int:
    """This process's size in pages (``/proc/self/statm``), the base of its memory limit."""
    return int(_proc_self("statm").split()[0])


def release() -> None:
    """Close what `isolate` kept open (before student code runs)."""
    for fd in _kept.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _kept.clear()


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
    libc = _libc()
    for name in ("status", "statm", "mountinfo"):
        _kept[name] = os.open(f"/proc/self/{name}", os.O_RDONLY | os.O_CLOEXEC)
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
            _keep_only(libc, 0)  # the namespace gave every capability (over itself)
    finally:
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    return found


def _private_tmp(libc: Any, data: str) -> bool:
    """A fresh tmpfs on /tmp that still shows the folders the sandbox bound below /tmp (a
    submission or an interpreter there): each is bound again, with what lies inside it,
    from a descriptor taken before the tmpfs covered it."""
    below: list[str] = []
    for line in _proc_self("mountinfo").splitlines():
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


#: the index in `CHILD_UIDS` of the next child's uid; None: children keep the template's uid
_next_uid: int | None = None


def serve_own_uids() -> None:
    """In the template (uid 0): keep only `TEMPLATE_CAPS`, and give each later fork its own uid.

    Bounding, permitted and effective sets become `TEMPLATE_CAPS`; the inheritable and
    ambient sets are emptied (bwrap fills them with what it was asked to keep), so nothing the
    template ever executed could inherit a capability.
    """
    global _next_uid  # noqa: PLW0603 - one counter per template
    _keep_only(_libc(), TEMPLATE_CAPS)
    _next_uid = 0


def confine_kernel() -> None:
    """In a Jupyter kernel (``grade --kernel``, local mode), before the notebook's cells: die
    with the grader, and no new process, signal to another process, memfd, IPC object or
    mount (sockets stay: the kernel needs them). Nothing the cells do can then outlive the
    kernel, which the grader stops."""
    if sys.platform != "linux":
        return
    import signal

    _libc().prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if available():
        install_filter(sockets=True)


def _keep_only(libc: Any, mask: int) -> None:
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
    libc = _libc()
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


def _libc() -> Any:
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


#: the pid-independent part of the filter, built once in the template (see `prepare`)
_base: Any = None


def prepare() -> None:
    """Build the pid-independent rules once, in the template, before any fork.

    Each child then only adds its own pid's rules and loads the filter: resolving some sixty
    system call names through ctypes in every child cost more than the rest of its start-up.
    """
    global _base  # noqa: PLW0603 - one prepared filter per template
    lib = _load()
    if lib is None or _base is not None:
        return
    ctx = lib.seccomp_init(_ACT_ALLOW)
    if not ctx:
        return
    try:
        _static_rules(lib, ctx)
    except OSError:
        lib.seccomp_release(ctx)
        return
    _base = ctx


def install_filter(*, sockets: bool = False) -> None:
    """Install the filter in this process (irreversible); raises `OSError` if it cannot.

    ``sockets`` (a Jupyter kernel, which talks to the grader over ZeroMQ): sockets stay
    allowed, and the filter covers every thread the process already has.
    """
    lib = _load()
    if lib is None:
        raise OSError(errno.ENOSYS, _lib_error)
    if not no_new_privs():
        raise OSError(errno.EPERM, "cannot set no_new_privs")
    ctx = None if sockets else _base  # a copy-on-write copy of the template's prepared filter
    if ctx is None:
        ctx = lib.seccomp_init(_ACT_ALLOW)
        if not ctx:
            raise OSError(errno.ENOMEM, "seccomp_init failed")
        _static_rules(lib, ctx, sockets=sockets)
    if sockets:
        lib.seccomp_attr_set.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32)
        if lib.seccomp_attr_set(ctx, _ATTR_TSYNC, 1) != 0:
            raise OSError(errno.EPERM, "cannot filter every thread")
    deny = 0x00050000 | errno.EPERM  # SCMP_ACT_ERRNO(EPERM)
    other = (_ArgCmp * 1)(_ArgCmp(0, _CMP_NE, os.getpid(), 0))
    for name in _SELF_ONLY:
        _rule(lib, ctx, deny, name, 1, other)
    result = lib.seccomp_load(ctx)
    if result != 0:
        raise OSError(-result, f"seccomp_load failed: {os.strerror(-result)}")


def _static_rules(lib: Any, ctx: Any, *, sockets: bool = False) -> None:
    deny = 0x00050000 | errno.EPERM  # SCMP_ACT_ERRNO(EPERM)
    none = ctypes.POINTER(_ArgCmp)()
    for name in _DENIED:
        if not (sockets and name in _SOCKETS):
            _rule(lib, ctx, deny, name, 0, none)
    # clone3 hides its flags in memory a filter cannot read: ENOSYS makes the C library
    # fall back to clone, whose flags it can (threads pass, processes do not).
    _rule(lib, ctx, 0x00050000 | errno.ENOSYS, "clone3", 0, none)
    no_thread = (_ArgCmp * 1)(_ArgCmp(0, _CMP_MASKED_EQ, _CLONE_THREAD, 0))
    _rule(lib, ctx, deny, "clone", 1, no_thread)


def _rule(lib: Any, ctx: Any, action: int, name: str, count: int, args: Any) -> None:  # noqa: PLR0917 - mirrors seccomp_rule_add_array
    number = lib.seccomp_syscall_resolve_name(name.encode())
    if number < 0:
        return  # not a system call on this architecture
    result = lib.seccomp_rule_add_array(ctx, action, number, count, args)
    if result != 0:
        raise OSError(-result, f"seccomp rule for {name} failed: {os.strerror(-result)}")
