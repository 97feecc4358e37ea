"""Process-wide memory settings (glibc's malloc; elsewhere nothing changes).

glibc's malloc gives each thread that allocates an arena of its own, up to eight per core, and
keeps what each arena once held.  The checker runs 32 request threads (plus look-up threads),
whose arenas would keep memory a single arena would have reused.  Allocation under the GIL gains
nothing from more arenas: the command line limits them once, before any worker thread starts.

Between stages the memory a stage freed is handed back (`release_free_memory`): malloc keeps
freed pages for itself, so each stage's peak would otherwise stack on the last one's, and the
daemon runs stage after stage for weeks.  docs/performance.md has what both save, and how it is
measured.
"""

from __future__ import annotations

import ctypes
import sys
from functools import lru_cache

M_ARENA_MAX = -8  # mallopt parameter (glibc malloc.h)
ARENAS = 2


@lru_cache(maxsize=1)
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt, libc.malloc_trim  # noqa: B018 - musl and others have neither
    except (OSError, AttributeError):
        return None
    return libc


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Ask glibc for at most ARENAS malloc arenas; False where that is not glibc (nothing changes)."""
    libc = _glibc()
    return bool(libc.mallopt(M_ARENA_MAX, arenas)) if libc is not None else False


def release_free_memory() -> bool:
    """Give the pages malloc holds free back to the system (malloc_trim); False where it cannot."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
