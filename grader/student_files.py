"""Reading a file a student controls, safely: never through a link, never a FIFO or device
(which would block or never end), never more than a limit. Anything else reads as None, and
the caller treats the file as absent or as the student's error."""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["read_student_bytes"]


def read_student_bytes(path: Path, limit: int) -> bytes | None:
    """The bytes of the regular file at ``path``, or None (a link, a special file, too large,
    unreadable)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return data if len(data) <= limit else None
