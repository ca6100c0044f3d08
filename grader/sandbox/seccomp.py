"""The seccomp filter every child installs (and, sockets allowed, a Jupyter kernel).

Runs inside the warm template (and its forks), so it imports only the standard library and
`grader.sandbox.confine`.

The filter talks to ``libseccomp.so.2`` through `ctypes` directly: a Python binding would
look the library up with `ctypes.util.find_library`, which starts ``ldconfig`` as a
subprocess (20-100 ms here) on the template's start-up path.

The filter allows everything except what a numeric exercise never needs and an attack does:
new processes (fork, vfork, clone without ``CLONE_THREAD``, exec), sockets, ptrace and
reading other processes' memory, mounts and namespaces, kernel key and BPF interfaces,
memory outside the address space (memfd), places children would share (IPC objects, file
locks, file events), and signals to any process but the child itself. Forbidden calls fail
with ``EPERM`` so student code sees an ordinary `PermissionError`; system calls of a
foreign architecture kill the process.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from typing import Any

from grader.sandbox.confine import c_library, no_new_privs

__all__ = ["available", "confine_kernel", "install_filter", "lib_error", "prepare"]

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


def lib_error() -> str:
    """Why `available` is False ("" when it is not)."""
    _load()
    return _lib_error


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


def confine_kernel() -> None:
    """In a Jupyter kernel (``grade --kernel``, local mode), before the notebook's cells: die
    with the grader, and no new process, signal to another process, memfd, IPC object or
    mount (sockets stay: the kernel needs them). Nothing the cells do can then outlive the
    kernel, which the grader stops."""
    if sys.platform != "linux":
        return
    import signal

    c_library().prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if available():
        install_filter(sockets=True)
