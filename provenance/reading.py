"""Reading a local file the way every part of provenance does: regular files only, and bounded.

A FIFO or device must never be opened for reading (it blocks, or never ends), and a file is read
only up to the size it declares: a pseudo-file (`/proc/kmsg`, `/proc/self/environ`) declares 0 and
yields nothing, and a file growing while it is read stops at the size it had.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["file_kind", "read_capped"]

_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFREG: "a regular file",
}


def file_kind(mode: int) -> str:
    """What a st_mode names, in words ('a named pipe')."""
    return _FILE_KINDS.get(stat.S_IFMT(mode), "a special file")


def read_capped(path: Path, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of a regular file, never more than the size it declares, and whether
    there was more.  Anything else (a FIFO swapped in since the folder was listed) is an OSError."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)  # a FIFO must not block the open
    with os.fdopen(os.open(path, flags), "rb") as handle:
        mode = os.fstat(handle.fileno())
        if not stat.S_ISREG(mode.st_mode):
            raise OSError(f"not a regular file: {file_kind(mode.st_mode)}")
        size = mode.st_size
        data = handle.read(min(limit, size))
        return data, size > limit
