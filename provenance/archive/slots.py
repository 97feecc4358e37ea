"""Per-key politeness: at most N requests in flight to one archive (or one site) at once.

The batch stages (look-ups, drift, captures) run in a small thread pool for speed; this is what
keeps that pool from putting all of its threads on one archive.  Keys are archive names or host
names; a semaphore per key is made on first use and lives as long as the batch (no global state).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["KeyedSlots"]


class KeyedSlots:
    """At most `limit` holders per key at once, starts at least `interval` seconds apart per key.

    `hold(key)` waits for a free slot, then for the key's next start time (http.per_host_interval).
    """

    def __init__(
        self,
        limit: int,
        interval: float = 0.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError("a slot limit must be at least 1")
        self.limit, self.interval, self.clock, self.sleep = limit, max(0.0, interval), clock, sleep
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._lock = threading.Lock()

    def _slot(self, key: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = threading.BoundedSemaphore(self.limit)
            return slot

    def _pace(self, key: str) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self.clock()
            start = max(now, self._next_start.get(key, now))
            self._next_start[key] = start + self.interval
        if start > now:
            self.sleep(start - now)

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._slot(key):
            self._pace(key)
            yield
