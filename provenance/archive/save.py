"""Save Page Now: ask the Internet Archive to capture a URL it does not hold (opt-in).

Only used when `archive.save_missing` is true: capturing is an action on someone else's service,
so it is never a side effect of a default audit.  The anonymous endpoint `GET /save/<url>` is
used (SPN2 needs account keys); its answer names the new capture in `Content-Location` or
`Location` when it is made at once.

Rate limiting never blocks: a `SaveLimiter` (owned by the caller, one per run or daemon) says
whether a request may start now; if not, the result is `rate_limited` and the URL is simply
tried again on a later run.  Every outcome is a `SaveResult` value the caller can store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from .base import WAYBACK_TS, parse_timestamp, utcnow

__all__ = ["SaveResult", "SaveLimiter", "request_capture"]

SAVE_TIMEOUT = 60.0  # SPN answers only once the capture is done; it routinely takes 10-40 s


@dataclass(frozen=True)
class SaveResult:
    """What one capture request achieved. status: saved | submitted | rate_limited | refused | failed."""

    url: str
    requested_at: datetime
    status: str
    snapshot_url: str | None = None
    snapshot_datetime: datetime | None = None
    http_status: int | None = None
    error: str | None = None


class SaveLimiter:
    """At most one capture request per `interval` seconds; `try_acquire` never waits."""

    def __init__(self, interval: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._next = float("-inf")
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            now = self.clock()
            if now < self._next:
                return False
            self._next = now + self.interval
            return True

    def back_off(self, seconds: float) -> None:
        """The archive said 429: hold off at least this long."""
        with self._lock:
            self._next = max(self._next, self.clock() + seconds)


def request_capture(client: Any, url: str, *, limiter: SaveLimiter | None = None,
                    base: str = "https://web.archive.org", timeout: float = SAVE_TIMEOUT) -> SaveResult:
    """Ask Save Page Now to capture URL; returns at once with `rate_limited` when the limiter says no."""
    requested_at = utcnow()
    if limiter is not None and not limiter.try_acquire():
        return SaveResult(url, requested_at, "rate_limited", error="local rate limit: tried again on a later run")
    endpoint = f"{base.rstrip('/')}/save/{url}"
    resp = client.request("GET", endpoint, follow_redirects=False, timeout=timeout, max_bytes=65536)
    if resp.error is not None:
        return SaveResult(url, requested_at, "failed", error=f"{resp.error_class or 'error'}: {resp.error}")
    if resp.status == 429:
        if limiter is not None:
            limiter.back_off(_retry_after(resp.headers.get("Retry-After")))
        return SaveResult(url, requested_at, "rate_limited", http_status=429, error="archive rate limit (429)")
    where = resp.headers.get("Content-Location") or resp.headers.get("Location")
    if resp.status < 400 and where:
        snapshot_url = urljoin(endpoint, where)
        match = WAYBACK_TS.search(snapshot_url)
        moment = parse_timestamp(match.group(1)) if match else None
        return SaveResult(url, requested_at, "saved" if moment else "submitted", snapshot_url=snapshot_url,
                          snapshot_datetime=moment, http_status=resp.status)
    if resp.status < 400:
        return SaveResult(url, requested_at, "submitted", http_status=resp.status)
    status = "refused" if resp.status < 500 else "failed"
    return SaveResult(url, requested_at, status, http_status=resp.status, error=f"HTTP {resp.status}")


def _retry_after(value: str | None, default: float = 60.0) -> float:
    try:
        return max(0.0, float(value)) if value else default
    except ValueError:
        return default
