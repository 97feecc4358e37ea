"""Save Page Now: ask the Internet Archive to capture a URL it does not hold (opt-in).

Only used when `archive.save_missing` is true: capturing is an action on someone else's service,
so it is never a side effect of a default audit.  The anonymous endpoint `GET /save/<url>` is
used (SPN2 needs account keys); its answer names the new capture in `Content-Location` or
`Location` when it is made at once.

Rate limiting never blocks: a `SaveLimiter` (owned by the caller, one per run or daemon) says
whether a request may start now; if not, the result is `rate_limited` and the URL is simply
tried again on a later run.  Every outcome is a `SaveResult` value the caller can store.

In the archive stage (`save_candidates`, then `CaptureQueue`), captures are asked for on one
background thread while the stage goes on measuring drift: the queue waits for the limiter
between requests, and when the stage is done it stops taking new URLs and only the request in
flight is waited for.  The rest are asked on a later run.  Only alive links that every archive
asked says it does not hold are candidates (never one an archive could not be asked about), and
a link asked about within `archive.max_age` is not asked again: the archive's index takes hours
to show a new capture, so the look-up would still say "nothing".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from urllib.parse import urljoin

from ..clock import Clock, utcnow
from ..domains import is_web_url
from ..net.base import Client
from ..records import CheckResult, LinkStatus, SaveResult, Snapshot, SnapshotLookup
from .base import WAYBACK_TS, parse_timestamp
from .wayback import IA_BASE, IA_NAME

__all__ = ["SaveResult", "SaveLimiter", "CaptureQueue", "capture_lookup", "request_capture", "save_candidates"]

log = logging.getLogger(__name__)
_SETTLED = ("saved", "submitted", "refused")  # outcomes not worth asking again before archive.max_age

SAVE_TIMEOUT = 60.0  # SPN answers only once the capture is done; it routinely takes 10-40 s


class SaveLimiter:
    """At most one capture request per `interval` seconds; `try_acquire` never waits."""

    def __init__(self, interval: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._next = float("-inf")
        self._lock = threading.Lock()

    def _take(self) -> float:
        """Take the slot if it is free (0.0), else the seconds until it is."""
        with self._lock:
            now = self.clock()
            if now < self._next:
                return self._next - now
            self._next = now + self.interval
            return 0.0

    def try_acquire(self) -> bool:
        return not self._take()

    def acquire(self, stop: threading.Event) -> bool:
        """Take a slot, waiting for one unless STOP is set first (then False); a free slot is taken even then."""
        while delay := self._take():
            if stop.wait(delay):
                return False
        return True

    def back_off(self, seconds: float) -> None:
        """The archive said 429: hold off at least this long."""
        with self._lock:
            self._next = max(self._next, self.clock() + seconds)


def request_capture(
    client: Client,
    url: str,
    *,
    limiter: SaveLimiter | None = None,
    base: str = IA_BASE,
    timeout: float = SAVE_TIMEOUT,
    clock: Clock = utcnow,
) -> SaveResult:
    """Ask Save Page Now to capture URL; returns at once with `rate_limited` when the limiter says no."""
    requested_at = clock()
    if limiter is not None and not limiter.try_acquire():
        return SaveResult(url, requested_at, "rate_limited", error="local rate limit: tried again on a later run")
    return _send(client, url, requested_at, limiter, base, timeout)


def _send(
    client: Client, url: str, requested_at: datetime, limiter: SaveLimiter | None, base: str, timeout: float
) -> SaveResult:
    endpoint = _endpoint(base, url)
    resp = client.request("GET", endpoint, follow_redirects=False, timeout=timeout, max_bytes=65536)
    status = resp.status
    if resp.error is not None or status is None:
        return SaveResult(url, requested_at, "failed", error=f"{resp.error_class or 'error'}: {resp.error}")
    if status == 429:
        if limiter is not None:
            limiter.back_off(_retry_after(resp.headers.get("Retry-After")))
        return SaveResult(url, requested_at, "rate_limited", http_status=429, error="archive rate limit (429)")
    where = resp.headers.get("Content-Location") or resp.headers.get("Location")
    snapshot_url = urljoin(endpoint, where) if where else None
    if status < 400 and snapshot_url is not None and is_web_url(snapshot_url):
        match = WAYBACK_TS.search(snapshot_url)
        moment = parse_timestamp(match.group(1)) if match else None
        return SaveResult(
            url,
            requested_at,
            "saved" if moment else "submitted",
            snapshot_url=snapshot_url,
            snapshot_datetime=moment,
            http_status=status,
        )
    if status < 400:
        return SaveResult(url, requested_at, "submitted", http_status=status)
    outcome = "refused" if status < 500 else "failed"
    return SaveResult(url, requested_at, outcome, http_status=status, error=f"HTTP {status}")


def _endpoint(base: str, url: str) -> str:
    """Save Page Now's anonymous address for URL (also the query a capture's look-up records)."""
    return f"{base.rstrip('/')}/save/{url}"


def _retry_after(value: str | None, default: float = 60.0) -> float:
    try:
        return max(0.0, float(value)) if value else default
    except ValueError:
        return default


def save_candidates(
    urls: Iterable[str],
    checks: Mapping[str, CheckResult],
    lookups: Mapping[str, Sequence[SnapshotLookup]],
    asked: Mapping[str, SaveResult],
    now: datetime,
    max_age: timedelta,
) -> list[str]:
    """Alive links that every archive asked cleanly says it does not hold, not asked to save lately."""
    wanted = []
    for url in dict.fromkeys(urls):
        check = checks.get(url)
        if check is None or check.status is not LinkStatus.ALIVE:
            continue
        answers = lookups.get(url, ())
        if not answers or any(a.error is not None or a.nearest or a.first or a.last or a.count for a in answers):
            continue  # archived somewhere, or some archive could not be asked: not proven missing
        prior = asked.get(url)
        if prior is not None and prior.status in _SETTLED and now - prior.requested_at < max_age:
            continue
        wanted.append(url)
    return wanted


def capture_lookup(result: SaveResult, base: str = IA_BASE) -> SnapshotLookup | None:
    """A `saved` result as the archive's answer about its URL (it now holds this capture), else None."""
    if result.status != "saved" or result.snapshot_url is None or result.snapshot_datetime is None:
        return None
    snapshot = Snapshot(
        archive=IA_NAME, url=result.snapshot_url, datetime=result.snapshot_datetime, original=result.url
    )  # its recorded status is not in the answer
    return SnapshotLookup(
        url=result.url,
        archive=IA_NAME,
        looked_up_at=result.requested_at,
        query=_endpoint(base, result.url),
        nearest=snapshot,
        first=snapshot,
        last=snapshot,
        count=None,
    )


class CaptureQueue:
    """Capture requests for URLS, one at a time on a background thread, paced by LIMITER (module docstring)."""

    def __init__(
        self,
        client: Client,
        urls: Sequence[str],
        limiter: SaveLimiter,
        *,
        base: str = IA_BASE,
        timeout: float = SAVE_TIMEOUT,
        clock: Clock = utcnow,
    ) -> None:
        self.client, self.urls, self.limiter, self.base, self.timeout = client, list(urls), limiter, base, timeout
        self.clock = clock
        self.results: list[SaveResult] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="save-page-now", daemon=True)

    def start(self) -> CaptureQueue:
        self._thread.start()
        return self

    def finish(self) -> list[SaveResult]:
        """Stop taking new URLs, wait for the request in flight, and return every result."""
        self._stop.set()
        self._thread.join()
        return list(self.results)

    def _run(self) -> None:
        for url in self.urls:
            if not self.limiter.acquire(self._stop):
                return
            try:
                self.results.append(_send(self.client, url, self.clock(), self.limiter, self.base, self.timeout))
            except Exception as exc:  # noqa: BLE001 - a capture is a courtesy; it must never fail the audit
                log.warning("save page now for %s failed: %s: %s", url, type(exc).__name__, exc)
                self.results.append(SaveResult(url, self.clock(), "failed", error=f"{type(exc).__name__}: {exc}"))
