"""What archives said: snapshot look-ups, content-drift measurements and Save Page Now requests,
each appended to its history and read back as the latest per URL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    insert,
)
from sqlalchemy.orm import Session

from ..records import (
    DriftEvidence,
    SaveResult,
    Snapshot,
    SnapshotLookup,
)
from .rows import latest_rows
from .schema import (
    drift_measurements,
    save_requests,
    snapshot_lookups,
)


def record_snapshot_lookup(session: Session, lookup: SnapshotLookup) -> None:
    """Append one archive's answer to the history."""
    values: dict[str, Any] = {}
    for prefix, snap in (("memento", lookup.nearest), ("first", lookup.first), ("last", lookup.last)):
        values[f"{prefix}_url"] = snap.url if snap else None
        values[f"{prefix}_datetime"] = snap.datetime if snap else None
        values[f"{prefix}_status"] = snap.status if snap else None
        values[f"{prefix}_original"] = snap.original if snap else None
    session.execute(
        insert(snapshot_lookups).values(
            url=lookup.url,
            archive=lookup.archive,
            looked_up_at=lookup.looked_up_at,
            query=lookup.query,
            found=lookup.nearest is not None,
            count=lookup.count,
            error=lookup.error,
            **values,
        )
    )


def _lookup_from_row(r: Any) -> SnapshotLookup:
    def snap(prefix: str) -> Snapshot | None:
        if r[f"{prefix}_url"] is None or r[f"{prefix}_datetime"] is None:
            return None
        return Snapshot(
            archive=r["archive"],
            url=r[f"{prefix}_url"],
            datetime=r[f"{prefix}_datetime"],
            original=r[f"{prefix}_original"],
            status=r[f"{prefix}_status"],
        )

    return SnapshotLookup(
        url=r["url"],
        archive=r["archive"],
        looked_up_at=r["looked_up_at"],
        query=r["query"],
        nearest=snap("memento"),
        first=snap("first"),
        last=snap("last"),
        count=r["count"],
        error=r["error"],
    )


def latest_snapshot_lookups(session: Session, urls: Iterable[str] | None = None) -> dict[str, list[SnapshotLookup]]:
    """The latest look-up of each (URL, archive), grouped by URL, archives in name order."""
    out: dict[str, list[SnapshotLookup]] = {}
    for r in latest_rows(session, snapshot_lookups, ["url", "archive"], "looked_up_at", urls):
        out.setdefault(r["url"], []).append(_lookup_from_row(r))
    return out


# --- drift -----------------------------------------------------------------------------------


def record_drift(session: Session, drift: DriftEvidence, now: datetime) -> None:
    """Append one live-vs-snapshot comparison, measured at NOW."""
    snap = drift.snapshot
    session.execute(
        insert(drift_measurements).values(
            url=drift.url,
            measured_at=now,
            similarity=drift.similarity,
            threshold=drift.threshold,
            snapshot_archive=snap.archive,
            snapshot_url=snap.url,
            snapshot_datetime=snap.datetime,
            snapshot_original=snap.original,
            snapshot_status=snap.status,
            live_fingerprint=drift.live_fingerprint,
            snapshot_fingerprint=drift.snapshot_fingerprint,
        )
    )


def latest_drift(session: Session, urls: Iterable[str] | None = None) -> dict[str, DriftEvidence]:
    """The most recent drift measurement of each URL (all, or those of URLS that were measured)."""
    out: dict[str, DriftEvidence] = {}
    for r in latest_rows(session, drift_measurements, ["url"], "measured_at", urls):
        snap = Snapshot(
            archive=r["snapshot_archive"],
            url=r["snapshot_url"],
            datetime=r["snapshot_datetime"],
            original=r["snapshot_original"],
            status=r["snapshot_status"],
        )
        out[r["url"]] = DriftEvidence(
            url=r["url"],
            similarity=r["similarity"],
            threshold=r["threshold"],
            snapshot=snap,
            live_fingerprint=r["live_fingerprint"],
            snapshot_fingerprint=r["snapshot_fingerprint"],
        )
    return out


# --- save page now requests ------------------------------------------------------------------


def record_save_request(session: Session, result: SaveResult) -> None:
    """Append one Save Page Now request and its outcome."""
    session.execute(
        insert(save_requests).values(
            url=result.url,
            requested_at=result.requested_at,
            status=result.status,
            snapshot_url=result.snapshot_url,
            snapshot_datetime=result.snapshot_datetime,
            http_status=result.http_status,
            error=result.error,
        )
    )


def latest_save_requests(session: Session, urls: Iterable[str] | None = None) -> dict[str, SaveResult]:
    """The most recent Save Page Now request of each URL (all, or those of URLS that were asked for)."""
    return {
        r["url"]: SaveResult(
            url=r["url"],
            requested_at=r["requested_at"],
            status=r["status"],
            snapshot_url=r["snapshot_url"],
            snapshot_datetime=r["snapshot_datetime"],
            http_status=r["http_status"],
            error=r["error"],
        )
        for r in latest_rows(session, save_requests, ["url"], "requested_at", urls)
    }
