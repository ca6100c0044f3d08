"""The child's own confinement: privileges, ``no_new_privs`` and a seccomp filter.

Runs inside the warm template (and its forks), so it imports only the standard library.
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

import ctypes
import errno
import os
import sys
from typing import Any

__all__ = [
    "available",
    "drop_privileges",
    "install_filter",
    "no_new_privs",
    "prepare",
    "status",
]

_PR_SET_NO_NEW_PRIVS = 38
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
)
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


def status() -> dict[str, Any]:
    """What this process can say about its own confinement (for the ready message)."""
    info: dict[str, Any] = {"uid": os.getuid() if hasattr(os, "getuid") else None}
    info["seccomp"] = available()
    if not info["seccomp"]:
        info["seccomp_error"] = _lib_error
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("CapEff", "CapPrm", "CapAmb", "NoNewPrivs", "Seccomp"):
                    info[key] = value.strip()
    except OSError:
        pass
    return info


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` with no supplementary groups; setuid from 0 clears capabilities."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


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


def install_filter() -> None:
    """Install the filter in this process (irreversible); raises `OSError` if it cannot."""
    lib = _load()
    if lib is None:
        raise OSError(errno.ENOSYS, _lib_error)
    if not no_new_privs():
        raise OSError(errno.EPERM, "cannot set no_new_privs")
    ctx = _base  # this process's copy-on-write copy of the template's prepared filter
    if ctx is None:
        ctx = lib.seccomp_init(_ACT_ALLOW)
        if not ctx:
            raise OSError(errno.ENOMEM, "seccomp_init failed")
        _static_rules(lib, ctx)
    deny = 0x00050000 | errno.EPERM  # SCMP_ACT_ERRNO(EPERM)
    other = (_ArgCmp * 1)(_ArgCmp(0, _CMP_NE, os.getpid(), 0))
    for name in _SELF_ONLY:
        _rule(lib, ctx, deny, name, 1, other)
    result = lib.seccomp_load(ctx)
    if result != 0:
        raise OSError(-result, f"seccomp_load failed: {os.strerror(-result)}")


def _static_rules(lib: Any, ctx: Any) -> None:
    deny = 0x00050000 | errno.EPERM  # SCMP_ACT_ERRNO(EPERM)
    none = ctypes.POINTER(_ArgCmp)()
    for name in _DENIED:
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
