"""Verify: what the grader checks before it trusts a template or a child's answers.

A template reports, when it is ready, which interpreter it runs and (in secure mode) its
uid, capability sets, ``no_new_privs`` and whether seccomp is available (`check_ready`): run
as root, uid 0 holding only `confine.TEMPLATE_CAPS` and handing out `confine.CHILD_UIDS`;
run as a user, the caller's uid without capabilities; ``no_new_privs`` and seccomp either
way.
Each child's first message, sent before it reads its job, reports its own confinement
(`check_child`). Anything unexpected stops the run: a sandbox that is not what was asked for
is a grader error, never a weaker sandbox used silently.
"""

from __future__ import annotations

import sys
from typing import Any

from grader.sandbox.confine import CHILD_UIDS, TEMPLATE_CAPS
from grader.sandbox.secure import SecureView

__all__ = ["check_child", "check_ready"]


def check_ready(info: dict[str, Any], python: str, secure: SecureView | None) -> str:
    """Why the template that answered is not the one asked for ("" if it is)."""
    if info.get("python") != python:
        return f"the child runs {info.get('python')!r}, not {python!r}"
    if python == sys.executable and info.get("version") != list(sys.version_info[:3]):
        return f"the child runs Python {info.get('version')}, not {sys.version.split()[0]}"
    if secure is None:
        return ""
    confined = info.get("confine", {})
    if confined.get("uid") != secure.expected_uid():
        return f"the sandbox runs as uid {confined.get('uid')}, not {secure.expected_uid()}"
    if secure.own_uids():
        # uid 0, but only the capabilities that give each child its own uid, in every set
        caps = {"CapEff": TEMPLATE_CAPS, "CapPrm": TEMPLATE_CAPS, "CapBnd": TEMPLATE_CAPS}
        caps |= {"CapInh": 0, "CapAmb": 0}
    else:
        caps = {"CapEff": 0}
    wrong = [
        f"{key} {confined.get(key)}" for key, want in caps.items() if _mask(confined, key) != want
    ]
    if wrong:
        return f"the sandbox has other capabilities than it needs ({', '.join(wrong)})"
    if secure.own_uids() and confined.get("child_uids") != [CHILD_UIDS.start, CHILD_UIDS.stop]:
        return "the sandbox does not give its children uids of their own"
    if confined.get("NoNewPrivs") != "1":
        return "the sandbox could not set no_new_privs"
    if not confined.get("seccomp"):
        return f"no seccomp filter: {confined.get('seccomp_error', '?')}"
    return ""


def check_child(report: dict[str, Any], uid: Any, secure: SecureView | None) -> str:
    """Why a child's first message does not prove it confined ("" if it does, or in local mode).

    ``uid`` is the uid its template gave it. Run as root, a child must run as exactly that uid
    and gid (from `confine.CHILD_UIDS`), without groups, with no capability in any set;
    otherwise as the template's uid, without effective capabilities. Either way it inherited
    ``no_new_privs``.
    """
    if secure is None:
        return ""
    event = report.get("event")
    if event == "grader_error":
        return f"a child could not confine itself: {str(report.get('error'))[:300]}"
    if event != "confined":
        return f"a child did not report its confinement first (it sent {str(event)[:50]!r})"
    if secure.own_uids():
        if not isinstance(uid, int) or uid not in CHILD_UIDS:
            return f"the sandbox gave a child no uid of its own ({str(uid)[:50]})"
        ids = [str(uid)] * 4
        found = (report.get("Uid"), report.get("Gid"), report.get("Groups"))
        if (ids, ids, []) != found:
            return f"a child runs as uids, gids, groups {found}, not {uid} alone"
        keys: tuple[str, ...] = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
    else:
        if report.get("uid") != secure.expected_uid():
            return f"a child runs as uid {report.get('uid')}, not {secure.expected_uid()}"
        keys = ("CapEff",)
    kept = [f"{key} {report.get(key)}" for key in keys if _mask(report, key) != 0]
    if kept:
        return f"a child kept capabilities ({', '.join(kept)})"
    if report.get("NoNewPrivs") != "1":
        return "a child runs without no_new_privs"
    return ""


def _mask(status: dict[str, Any], key: str) -> int | None:
    """A capability set from /proc/self/status (hexadecimal), or None if it is not one."""
    try:
        return int(str(status.get(key)), 16)
    except ValueError:
        return None
