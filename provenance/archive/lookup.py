"""Asking every configured archive about many URLs, without ever failing the audit.

Each (url, archive) pair is one look-up and one `SnapshotLookup` (history is append-only; the
store keeps them all).  An archive that cannot be asked (`ArchiveUnavailable`) is retried with
exponential back-off; if it still fails, the answer is a `SnapshotLookup` with `error` set, which
reconcile reads as "unknown", never as "unarchived".  After `give_up_after` consecutive
failures an archive is presumed down for the rest of the batch: hammering an overloaded archive
with thousands more requests helps nobody, and those pairs are simply asked again next run.

Look-ups run in a small thread pool (an audit of 500 links must not wait for 500 round trips
one after another), with at most `per_archive` of them in flight to any one archive.  The pool
is no larger than `per_archive` times the number of archives; a worker still waits in
`KeyedSlots` when its archive is busy (a slow archive can hold every worker while a fast one
idles; check/scheduler.py's dispatcher avoids that by queueing per key instead).

Back-off and the pool are per call: no module-level state, the sleep function is injectable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from urllib.parse import urlsplit

from ..clock import Clock, utcnow
from ..config import ArchiveConfig
from ..errors import ArchiveUnavailable
from ..net.base import Client
from ..records import SnapshotLookup
from .base import ArchiveSource, failed_lookup
from .memento import MementoTimeGate
from .slots import KeyedSlots
from .wayback import WaybackCdx
from .window import completed, window_for

__all__ = ["archive_sources", "lookup_snapshots", "lookup_one"]


def archive_sources(client: Client, config: ArchiveConfig, clock: Clock = utcnow) -> list[ArchiveSource]:
    """The archives to ask, from config: the Internet Archive's CDX API plus any extra TimeGates;
    each stamps its answers with CLOCK."""
    if not config.enabled:
        return []
    sources: list[ArchiveSource] = []
    if config.wayback:
        sources.append(WaybackCdx(client, clock=clock))
    for timegate in config.timegates:
        name = urlsplit(timegate).hostname or timegate
        sources.append(MementoTimeGate(client, timegate, name=name, clock=clock))
    return sources


class _Breaker:
    """Counts consecutive failures per archive within one batch."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def is_open(self, name: str) -> bool:
        with self._lock:
            return self.limit > 0 and self._failures.get(name, 0) >= self.limit

    def record(self, name: str, ok: bool) -> None:
        with self._lock:
            self._failures[name] = 0 if ok else self._failures.get(name, 0) + 1


def lookup_one(
    source: ArchiveSource,
    url: str,
    when: date | None,
    *,
    attempts: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Clock = utcnow,
) -> SnapshotLookup:
    """One look-up with retries; every failure becomes a SnapshotLookup with `error` set (stamped by CLOCK)."""
    name = getattr(source, "name", type(source).__name__)
    last_error = "not asked"
    for attempt in range(max(1, attempts)):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            return source.nearest(url, when)
        except ArchiveUnavailable as exc:
            last_error = f"archive unavailable after {attempt + 1} attempt(s): {exc}"
        except (ValueError, KeyError, TypeError, UnicodeError) as exc:
            # A malformed answer is this archive's problem, not the audit's: record it, don't retry.
            last_error = f"unreadable answer: {type(exc).__name__}: {exc}"
            break
    return failed_lookup(url, name, url, last_error, looked_up_at=clock())


def lookup_snapshots(
    sources: list[ArchiveSource],
    items: Iterable[tuple[str, date | None]],
    max_workers: int = 8,
    *,
    per_archive: int = 4,
    attempts: int = 3,
    backoff: float = 1.0,
    give_up_after: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    clock: Clock = utcnow,
) -> Iterator[SnapshotLookup]:
    """One SnapshotLookup per (url, archive), yielded as answers arrive; never raises.

    At most MAX_WORKERS look-ups in flight in all, and PER_ARCHIVE to any one archive.  ITEMS are
    read as look-ups finish (window.py), so they may come from the store a piece at a time.
    """
    if not sources:
        return
    pairs = ((source, url, when) for url, when in items for source in sources)  # read as the window frees
    breaker = _Breaker(give_up_after)
    per_archive = max(1, per_archive)
    slots = KeyedSlots(per_archive)
    workers = max(1, min(max_workers, per_archive * len(sources)))

    def ask(pair: tuple[ArchiveSource, str, date | None]) -> SnapshotLookup:
        source, url, when = pair
        name = getattr(source, "name", type(source).__name__)
        if breaker.is_open(name):
            why = f"not asked: {name} failed {give_up_after} times in a row in this run"
            return failed_lookup(url, name, url, why, looked_up_at=clock())
        with slots.hold(name):  # retries back off while holding the slot: a struggling archive gets fewer
            answer = lookup_one(source, url, when, attempts=attempts, backoff=backoff, sleep=sleep, clock=clock)
        breaker.record(name, ok=answer.error is None or answer.error.startswith("blocked"))
        return answer

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="archive") as pool:
        # A window of jobs, not a Future per pair: the items may be read from the store as they go.
        for (source, url, _when), future in completed(pool, ask, pairs, window_for(workers)):
            failure = future.exception()
            if failure is None:
                yield future.result()
                continue
            # A bug in one archive adapter must not abort the audit: record it as that pair's answer.
            name = getattr(source, "name", type(source).__name__)
            why = f"look-up failed: {type(failure).__name__}: {failure}"
            yield failed_lookup(url, name, url, why, looked_up_at=clock())
