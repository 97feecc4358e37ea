"""Wayback-style archives: the CDX index API and the Internet Archive's availability API.

One `WaybackCdx` class speaks both CDX dialects, detected from the answer rather than
configured, because the same endpoint shape is served by different software:

- the Internet Archive (`/cdx/search/cdx?output=json`): a JSON array of arrays whose first row
  names the fields (`urlkey timestamp original mimetype statuscode digest length`); without
  `output=json` the same rows come as space-separated text;
- pywb (`/COLL/cdx?output=json`): one JSON object per line, with pywb's field names
  (`url`, `mime`, `status`), and CDXJ text (`urlkey timestamp {json}`) without it.

Captures whose recorded status is 4xx/5xx are not usable replacements (an archived 404 is proof
of nothing), so they are dropped before choosing; revisit records (status `-` or absent) are
kept: they replay the earlier payload with the same digest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from ..clock import Clock, utcnow
from ..net.base import Client
from ..records import Snapshot, SnapshotLookup
from .base import failed_lookup, lookup_from, parse_timestamp, refusal, web_snapshot

__all__ = ["WaybackCdx", "WaybackAvailability", "parse_cdx", "CdxRow"]

# IA's text output without `fl`: the seven default fields; the classic 11-field CDX adds more.
_IA_TEXT_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
_CLASSIC_FIELDS = (
    "urlkey",
    "timestamp",
    "original",
    "mimetype",
    "statuscode",
    "digest",
    "redirect",
    "meta",
    "length",
    "offset",
    "filename",
)
_ALIASES = {"url": "original", "mime": "mimetype", "status": "statuscode"}

CdxRow = dict[str, str]
MAX_CDX_BYTES = 8_000_000  # ~100,000 daily rows; the client's default cap is sized for pages
IA_BASE = "https://web.archive.org"
IA_NAME = "wayback"  # the name the Internet Archive's answers are recorded under


def _canonical(row: Mapping[str, Any]) -> CdxRow:
    return {_ALIASES.get(k, k): str(v) for k, v in row.items() if v is not None}


def parse_cdx(body: str, *, partial: bool = False) -> tuple[list[CdxRow], str]:
    """Rows of a CDX answer in any dialect, with canonical IA field names, and the dialect seen.

    `partial`: the body was cut at a size cap; the cut last line is dropped instead of failing.
    """
    text = body.strip()
    if partial and "\n" in text:
        text = text[: text.rindex("\n")]
    if not text:
        return [], "empty"
    if text.startswith("["):
        data = _json_lines(text) if partial else json.loads(text)
        if not data:
            return [], "ia-json"
        header, *rows = data
        return [_canonical(dict(zip(header, row, strict=False))) for row in rows if isinstance(row, list)], "ia-json"
    if text.startswith("{"):
        return [_canonical(json.loads(line)) for line in text.splitlines() if line.strip()], "pywb-json"
    return list(_text_rows(text)), "text"


def _json_lines(text: str) -> list[Any]:
    """IA's JSON answer read row by row (it writes `[["urlkey",...],` then one `[...],` per line)."""
    rows = []
    for line in text.splitlines():
        line = line.strip().rstrip(",")
        if line.startswith("[["):
            line = line[1:]
        if line.endswith("]]"):
            line = line[:-1]
        if line and line != "[" and line != "]":
            rows.append(json.loads(line))
    return rows


def _text_rows(text: str) -> Iterator[CdxRow]:
    for line in text.splitlines():
        if not line.strip() or line.startswith(" CDX"):
            continue
        if "{" in line:  # CDXJ: urlkey timestamp {json}
            head, _, blob = line.partition("{")
            parts = head.split()
            try:
                extra = json.loads("{" + blob)
            except json.JSONDecodeError:
                continue
            if len(parts) >= 2:
                yield _canonical({"urlkey": parts[0], "timestamp": parts[1], **extra})
            continue
        parts = line.split(" ")
        fields = _CLASSIC_FIELDS if len(parts) == len(_CLASSIC_FIELDS) else _IA_TEXT_FIELDS
        if len(parts) >= 5:
            yield dict(zip(fields, parts, strict=False))  # the IA's 7 fields, or the first of 11


def _usable(row: CdxRow) -> bool:
    status = row.get("statuscode", "-")
    return not (status.isdigit() and int(status) >= 400)


class WaybackCdx:
    """A CDX index (Internet Archive or pywb collection) as an ArchiveSource."""

    def __init__(
        self,
        client: Client,
        base: str = IA_BASE,
        *,
        collection: str | None = None,
        name: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.client = client
        self.clock = clock
        self.base = base.rstrip("/")
        self.collection = collection
        self.name = name or (f"pywb:{collection}" if collection else IA_NAME)
        self.limit = limit
        self.timeout = timeout
        # IA replays under /web/, pywb under /COLL/; both accept the same <ts><mod>/<url> form.
        prefix = f"{self.base}/{collection}" if collection else f"{self.base}/web"
        self.replay_prefix = prefix
        self.endpoint = f"{prefix}/cdx" if collection else f"{self.base}/cdx/search/cdx"

    def query_url(self, url: str) -> str:
        # Only the fields we read, and one capture per day (IA: collapse, pywb: collapseTime): a
        # popular page has millions of captures, and the choice is made at day granularity anyway.
        params: dict[str, str] = {"url": url, "output": "json", "fl": "timestamp,original,mimetype,statuscode"}
        params["collapseTime" if self.collection else "collapse"] = "8" if self.collection else "timestamp:8"
        if self.limit:
            params["limit"] = str(self.limit)
        return f"{self.endpoint}?{urlencode(params)}"

    def replay_url(self, timestamp: str, original: str) -> str:
        return f"{self.replay_prefix}/{timestamp}/{original}"

    def nearest(self, url: str, when: date | None) -> SnapshotLookup:
        """Captures of URL from the index; the nearest per base.choose_nearest."""
        query = self.query_url(url)
        resp = self.client.request("GET", query, timeout=self.timeout, max_bytes=MAX_CDX_BYTES)
        answered = refusal(self.name, resp)
        if answered is not None:
            return failed_lookup(url, self.name, query, answered, looked_up_at=self.clock())
        if resp.status == 404:  # some CDX servers say "no captures" this way
            return lookup_from(url, self.name, query, [], when, looked_up_at=self.clock())
        try:
            rows, _dialect = parse_cdx(resp.body.decode("utf-8", errors="replace"), partial=resp.truncated)
        except (json.JSONDecodeError, TypeError, ValueError) as exc:
            return failed_lookup(url, self.name, query, f"unreadable CDX answer: {exc}", looked_up_at=self.clock())
        captures = [snap for row in rows if _usable(row) and (snap := self._snapshot(row, url)) is not None]
        # A capped answer lost its newest rows: what we have is right, but count and last are not known.
        return lookup_from(
            url, self.name, query, captures, when, complete=not resp.truncated, looked_up_at=self.clock()
        )

    def _snapshot(self, row: CdxRow, url: str) -> Snapshot | None:
        moment = parse_timestamp(row.get("timestamp", ""))
        if moment is None:
            return None
        original = row.get("original") or url
        status = row.get("statuscode", "")
        return Snapshot(
            archive=self.name,
            url=self.replay_url(row["timestamp"], original),
            datetime=moment,
            original=original,
            status=int(status) if status.isdigit() else None,
        )


class WaybackAvailability:
    """The Internet Archive's availability API: one 'closest' capture, either side of WHEN.

    It knows nothing of first/last or counts, and its 'closest' may lie after WHEN even when an
    earlier capture exists, so it is a fallback, not the primary source.
    """

    def __init__(
        self,
        client: Client,
        base: str = "https://archive.org",
        *,
        name: str = "wayback-availability",
        timeout: float | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.client = client
        self.clock = clock
        self.base = base.rstrip("/")
        self.name = name
        self.timeout = timeout

    def nearest(self, url: str, when: date | None) -> SnapshotLookup:
        params = {"url": url}
        if when is not None:
            params["timestamp"] = when.strftime("%Y%m%d")
        query = f"{self.base}/wayback/available?{urlencode(params)}"
        resp = self.client.request("GET", query, timeout=self.timeout)
        answered = refusal(self.name, resp)
        if answered is not None:
            return failed_lookup(url, self.name, query, answered, looked_up_at=self.clock())
        try:
            data = json.loads(resp.body.decode("utf-8", errors="replace"))
            closest = (data.get("archived_snapshots") or {}).get("closest")
        except (json.JSONDecodeError, AttributeError) as exc:
            return failed_lookup(
                url, self.name, query, f"unreadable availability answer: {exc}", looked_up_at=self.clock()
            )
        snap = self._snapshot(closest, url) if isinstance(closest, dict) else None
        return SnapshotLookup(
            url=url, archive=self.name, looked_up_at=self.clock(), query=query, nearest=snap, count=None if snap else 0
        )

    def _snapshot(self, closest: Mapping[str, Any], url: str) -> Snapshot | None:
        moment = parse_timestamp(str(closest.get("timestamp", "")))
        status = str(closest.get("status", ""))
        if moment is None or closest.get("available") is False or (status.isdigit() and int(status) >= 400):
            return None
        replay = str(closest.get("url") or f"https://web.archive.org/web/{closest['timestamp']}/{url}")
        # The API answers http:// replay URLs; the archive serves https and redirects anyway.
        if replay.startswith("http://web.archive.org/"):
            replay = "https://" + replay[len("http://") :]
        return web_snapshot(self.name, replay, moment, url, int(status) if status.isdigit() else None)
