"""Memento (RFC 7089): TimeGates, TimeMaps and the Link header that carries both.

A TimeGate negotiates in time: we send `Accept-Datetime` and get the memento nearest to it.
Two real behaviours exist and both are handled by reading headers, not by configuration:

- the Internet Archive answers `302` with `Location` (the memento) and a `Link` header listing
  first/prev/next/last mementos with their datetimes (RFC 7089 §4.1.1, pattern 2.2);
- pywb answers `200` with the memento itself (pattern 2.1): `Memento-Datetime`,
  `Content-Location` and `Link: <…>; rel="memento"; datetime="…"`.

A TimeGate returns the memento *closest* to the requested instant, which may be after it.  The
citation rule wants the last one before it, so when the Link header also names a
`prev memento` on or before the date we take that instead.

The Link parser is a small tokenizer rather than `split(",")`, because archived URLs contain
commas and semicolons (`<…/a,b;c>`), and quoted parameter values may too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from ..clock import Clock, utcnow
from ..net.base import Client, Response
from ..records import Snapshot, SnapshotLookup
from .base import (
    WAYBACK_TS,
    choose_nearest,
    failed_lookup,
    http_date,
    lookup_from,
    parse_timestamp,
    refusal,
    web_snapshot,
)

__all__ = ["LinkEntry", "parse_link_header", "parse_timemap", "MementoTimeGate", "MementoTimeMap"]


@dataclass(frozen=True)
class LinkEntry:
    """One link-value of a Link header or link-format TimeMap (RFC 8288)."""

    url: str
    rels: frozenset[str]
    datetime: datetime | None = None
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    @property
    def is_memento(self) -> bool:
        return "memento" in self.rels


def _parse_http_date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_link_header(value: str) -> list[LinkEntry]:
    """Link header or application/link-format text -> entries; malformed pieces are skipped."""
    entries: list[LinkEntry] = []
    i, n = 0, len(value)
    while i < n:
        start = value.find("<", i)
        if start < 0:
            break
        end = value.find(">", start)
        if end < 0:
            break
        url = value[start + 1 : end].strip()
        params, i = _params(value, end + 1)
        rels = frozenset(r.lower() for p, v in params if p == "rel" for r in v.split())
        stamp = next((v for p, v in params if p == "datetime"), None)
        entries.append(
            LinkEntry(url=url, rels=rels, datetime=_parse_http_date(stamp) if stamp else None, params=tuple(params))
        )
    return entries


def _params(value: str, i: int) -> tuple[list[tuple[str, str]], int]:
    """Parameters after a <url>, up to the comma that ends the link-value; returns (params, next index)."""
    params: list[tuple[str, str]] = []
    n = len(value)
    while i < n:
        while i < n and value[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        if value[i] == ",":
            return params, i + 1
        if value[i] != ";":
            # Junk between link-values: skip to the next top-level comma.
            nxt = value.find(",", i)
            return params, n if nxt < 0 else nxt + 1
        i += 1
        eq, semi, comma = (value.find(c, i) for c in "=;,")
        stops = [p for p in (semi, comma) if p >= 0]
        stop = min(stops) if stops else n
        if eq < 0 or eq > stop:  # a bare parameter name
            params.append((value[i:stop].strip().lower(), ""))
            i = stop
            continue
        name = value[i:eq].strip().lower()
        i = eq + 1
        while i < n and value[i] in " \t":
            i += 1
        if i < n and value[i] == '"':
            j, chars = i + 1, []
            while j < n and value[j] != '"':
                if value[j] == "\\" and j + 1 < n:
                    j += 1
                chars.append(value[j])
                j += 1
            params.append((name, "".join(chars)))
            i = j + 1
        else:
            stops = [p for p in (value.find(";", i), value.find(",", i)) if p >= 0]
            stop = min(stops) if stops else n
            params.append((name, value[i:stop].strip()))
            i = stop
    return params, n


def parse_timemap(text: str) -> list[LinkEntry]:
    """An application/link-format TimeMap: every entry (mementos have `is_memento`)."""
    return parse_link_header(text)


def _mementos(entries: list[LinkEntry], archive: str, original: str | None) -> list[Snapshot]:
    seen: dict[str, Snapshot] = {}
    for entry in entries:
        if entry.is_memento and entry.datetime is not None and entry.url not in seen:
            snapshot = web_snapshot(archive, entry.url, entry.datetime, original)
            if snapshot is not None:
                seen[entry.url] = snapshot
    return list(seen.values())


def _original(entries: list[LinkEntry], fallback: str) -> str:
    return next((e.url for e in entries if "original" in e.rels), fallback)


class MementoTimeGate:
    """A Memento TimeGate (e.g. `https://web.archive.org/web/`, `http://host/COLL/`) as an ArchiveSource."""

    def __init__(
        self, client: Client, timegate_url: str, name: str, *, timeout: float | None = None, clock: Clock = utcnow
    ) -> None:
        self.client = client
        self.clock = clock
        self.timegate_url = timegate_url if timegate_url.endswith("/") else timegate_url + "/"
        self.name = name
        self.timeout = timeout

    def nearest(self, url: str, when: date | None) -> SnapshotLookup:
        """Negotiate with Accept-Datetime (none: the latest); read 302 or 200 answers alike."""
        query = self.timegate_url + url
        headers = {"Accept-Datetime": http_date(when)} if when is not None else {}
        resp = self.client.request(
            "GET", query, headers=headers, follow_redirects=False, timeout=self.timeout, max_bytes=65536
        )
        refused = refusal(self.name, resp)
        if refused is not None:
            return failed_lookup(url, self.name, query, refused, looked_up_at=self.clock())
        if resp.status == 404:
            return lookup_from(url, self.name, query, [], when, looked_up_at=self.clock())
        entries = parse_link_header(resp.headers.get("Link", "") or "")
        original = _original(entries, url)
        captures = _mementos(entries, self.name, original)
        chosen = self._negotiated(resp, query, original)
        if chosen is not None and all(c.url != chosen.url for c in captures):
            captures.append(chosen)
        if not captures:
            return lookup_from(url, self.name, query, [], when, looked_up_at=self.clock())
        # first/last come from rel="first memento"/"last memento" when the archive sends them.
        first = next((s for e in entries if "first" in e.rels for s in captures if s.url == e.url), None)
        last = next((s for e in entries if "last" in e.rels for s in captures if s.url == e.url), None)
        nearest = choose_nearest(captures, when)
        if when is not None and nearest is not None and nearest.datetime.date() > when:
            # The gate's pick is after the citing date and its headers name nothing earlier (pywb
            # sends no prev/next): the TimeMap, one more request, settles whether an earlier one exists.
            timemap = next((e.url for e in entries if "timemap" in e.rels), None)
            if timemap:
                return self._from_timemap(url, urljoin(query, timemap), when) or lookup_from(
                    url, self.name, query, captures, when, complete=False, looked_up_at=self.clock()
                )
        ordered = sorted(captures, key=lambda s: s.datetime)
        return SnapshotLookup(
            url=url,
            archive=self.name,
            looked_up_at=self.clock(),
            query=query,
            nearest=nearest,
            first=first or ordered[0],
            last=last or ordered[-1],
            count=None,
        )

    def _from_timemap(self, url: str, timemap_url: str, when: date | None) -> SnapshotLookup | None:
        resp = self.client.request("GET", timemap_url, timeout=self.timeout)
        if resp.error is not None or resp.status != 200:
            return None  # the gate's own answer still stands
        entries = parse_timemap(resp.body.decode("utf-8", errors="replace"))
        captures = _mementos(entries, self.name, _original(entries, url))
        return lookup_from(url, self.name, timemap_url, captures, when, looked_up_at=self.clock()) if captures else None

    def _negotiated(self, resp: Response, query: str, original: str) -> Snapshot | None:
        """The memento the TimeGate picked: Location on 3xx, Content-Location (or rel=memento) on 200."""
        if resp.status is not None and 300 <= resp.status < 400:
            location = resp.headers.get("Location")
            if not location:
                return None
            target = urljoin(query, location)
            stamp = resp.headers.get("Memento-Datetime")
            moment = _parse_http_date(stamp) if stamp else _timestamp_in(target)
            return web_snapshot(self.name, target, moment, original) if moment else None
        stamp = resp.headers.get("Memento-Datetime")
        where = resp.headers.get("Content-Location")
        moment = _parse_http_date(stamp) if stamp else None
        if moment is None or not where:
            return None
        return web_snapshot(self.name, urljoin(query, where), moment, original, resp.status)


def _timestamp_in(url: str) -> datetime | None:
    match = WAYBACK_TS.search(url)
    return parse_timestamp(match.group(1)) if match else None


class MementoTimeMap:
    """A link-format TimeMap endpoint: every memento, so first/last/count are exact."""

    def __init__(
        self, client: Client, timemap_url: str, name: str, *, timeout: float | None = None, clock: Clock = utcnow
    ) -> None:
        self.client = client
        self.clock = clock
        self.timemap_url = timemap_url if timemap_url.endswith("/") else timemap_url + "/"
        self.name = name
        self.timeout = timeout

    def nearest(self, url: str, when: date | None) -> SnapshotLookup:
        query = self.timemap_url + url
        resp = self.client.request("GET", query, timeout=self.timeout)
        refused = refusal(self.name, resp)
        if refused is not None:
            return failed_lookup(url, self.name, query, refused, looked_up_at=self.clock())
        if resp.status == 404:
            return lookup_from(url, self.name, query, [], when, looked_up_at=self.clock())
        entries = parse_timemap(resp.body.decode("utf-8", errors="replace"))
        return lookup_from(
            url,
            self.name,
            query,
            _mementos(entries, self.name, _original(entries, url)),
            when,
            looked_up_at=self.clock(),
        )
