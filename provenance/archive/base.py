"""What every archive answers, and the one rule for picking the snapshot a citation meant.

An archive is asked "what do you hold of URL near WHEN?" (WHEN is the citing document's
publication date).  The copy a reader of that document would have seen is the last capture made
on or before that day; when the archive has none that early, the first capture after it is the
next best witness.  With no date the latest capture is the most useful replacement link.

`ArchiveSource.nearest` raises `ArchiveUnavailable` when the archive could not be asked (5xx,
429, timeout) and returns a `SnapshotLookup` otherwise; `nearest is None and error is None`
means "asked, holds nothing".  Keeping these apart is what stops a flaky archive from turning
into an `unarchived` finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Protocol, runtime_checkable

from ..domains import is_web_url
from ..errors import ArchiveUnavailable
from ..net.base import Response
from ..records import Snapshot, SnapshotLookup

__all__ = [
    "WAYBACK_TS",
    "ArchiveSource",
    "choose_nearest",
    "lookup_from",
    "parse_timestamp",
    "http_date",
    "is_unavailable_status",
    "refusal",
]

# A Wayback-style replay URL: /<4..14 digits><optional modifier like id_, mp_, im_>/<original URL>
WAYBACK_TS = re.compile(r"/(\d{4,14})([a-z]{2}_)?/(?=[a-zA-Z][a-zA-Z0-9+.-]*:|[^/]+\.)")


@runtime_checkable
class ArchiveSource(Protocol):
    """One archive (or archive endpoint) that can be asked for snapshots of a URL."""

    name: str

    def nearest(self, url: str, when: date | None) -> SnapshotLookup:
        """The capture nearest WHEN (see module docstring); raises ArchiveUnavailable."""
        ...


def parse_timestamp(value: str) -> datetime | None:
    """A Wayback 14-digit timestamp (shorter forms padded, as the Wayback Machine does) -> UTC."""
    digits = value.strip()
    if not digits.isdigit() or not 4 <= len(digits) <= 14:
        return None
    digits = digits.ljust(14, "0")
    # A short timestamp like "2014" pads to month 00; read it as the earliest valid instant.
    year, month, day = int(digits[0:4]), max(1, int(digits[4:6])), max(1, int(digits[6:8]))
    try:
        return datetime(year, month, day, int(digits[8:10]), int(digits[10:12]), int(digits[12:14]), tzinfo=UTC)
    except ValueError:
        return None


def http_date(when: date | datetime) -> str:
    """RFC 7231 IMF-fixdate, the form Accept-Datetime takes (RFC 7089 §2.1.1)."""
    if not isinstance(when, datetime):
        # A publication date: ask for the end of that day, so same-day captures count as "before".
        when = datetime(when.year, when.month, when.day, 23, 59, 59, tzinfo=UTC)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def is_unavailable_status(status: int | None) -> bool:
    """Statuses that say 'could not ask now' rather than anything about the URL."""
    return status is None or status == 429 or status >= 500


def choose_nearest(captures: Iterable[Snapshot], when: date | None) -> Snapshot | None:
    """The last capture on or before WHEN, else the first after it; the latest when WHEN is None."""
    ordered = sorted(captures, key=lambda s: s.datetime)
    if not ordered:
        return None
    if when is None:
        return ordered[-1]
    before = [s for s in ordered if s.datetime.date() <= when]
    return before[-1] if before else ordered[0]


def lookup_from(
    url: str,
    archive: str,
    query: str,
    captures: Sequence[Snapshot],
    when: date | None,
    *,
    looked_up_at: datetime,
    complete: bool = True,
) -> SnapshotLookup:
    """A SnapshotLookup with nearest, first and last chosen from a list of usable captures.

    `complete=False`: the list may miss captures (a capped answer, a TimeGate's excerpt), so
    `count` is unknown (None) rather than a wrong number.
    """
    ordered = sorted(captures, key=lambda s: s.datetime)
    return SnapshotLookup(
        url=url,
        archive=archive,
        looked_up_at=looked_up_at,
        query=query,
        nearest=choose_nearest(ordered, when),
        first=ordered[0] if ordered else None,
        last=ordered[-1] if ordered else None,
        count=len(ordered) if complete else None,
    )


def failed_lookup(url: str, archive: str, query: str, error: str, *, looked_up_at: datetime) -> SnapshotLookup:
    """The record of a look-up that got no usable answer, and why."""
    return SnapshotLookup(url=url, archive=archive, looked_up_at=looked_up_at, query=query, error=error)


def web_snapshot(
    archive: str, url: str, moment: datetime, original: str | None, status: int | None = None
) -> Snapshot | None:
    """A snapshot at URL, or None when URL is not an http(s) address: an archive's answer is
    evidence, never a script or a local file (it is stored, and written into reports as a link)."""
    if not is_web_url(url):
        return None
    return Snapshot(archive=archive, url=url, datetime=moment, original=original, status=status)


def refusal(name: str, resp: Response) -> str | None:
    """Raise ArchiveUnavailable for 'could not ask'; an error string for refusals; None when fine."""
    status = resp.status
    if resp.error is not None or status is None or is_unavailable_status(status):
        detail = resp.error or f"HTTP {status}"
        raise ArchiveUnavailable(f"{name}: {resp.error_class + ': ' if resp.error_class else ''}{detail}")
    if status == 403:
        first = resp.body.decode("utf-8", errors="replace").strip().splitlines()[:1]
        # IA's CDX says why in a Java exception line; an HTML page says nothing short and useful.
        reason = first[0].rsplit(":", 1)[-1].strip() if first and "<" not in first[0] else "forbidden"
        return f"blocked by the archive (HTTP 403): {reason[:200]}"
    if status >= 400 and status != 404:
        return f"archive refused the query (HTTP {status})"
    return None
