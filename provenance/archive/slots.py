"""Per-key politeness: at most N requests in flight to one archive (or one site) at once.

The batch stages (look-ups, drift, captures) run in a small thread pool for speed; this is what
keeps that pool from putting all of its threads on one archive.  Keys are archive names or host
names; a semaphore per key is made on first use and lives as long as the batch (no global state).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["KeyedSlots"]


class KeyedSlots:
    """At most `limit` holders per key at once; `hold(key)` waits for a free slot."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a slot limit must be at least 1")
        self.limit = limit
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def _slot(self, key: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = threading.BoundedSemaphore(self.limit)
            return slot

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._slot(key):
            yield
