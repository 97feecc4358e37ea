"""The check history: appended one check at a time, read back as each URL's latest check, its
whole history, or what is due a check now."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    and_,
    case,
    func,
    insert,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from ..config import ScheduleConfig
from ..jsonvalues import to_json
from ..records import (
    HEALTHY_STATUSES,
    CheckResult,
    ErrorClass,
    Hop,
    LinkStatus,
    PageInfo,
)
from .rows import count_rows, date_evidence, fresh_temporary, in_chunks, latest_query, latest_rows
from .schema import (
    checks,
    documents,
    due_snapshot,
    links,
)

HEALTHY = tuple(status.value for status in HEALTHY_STATUSES)  # re-checked on alive_every


def record_check(session: Session, result: CheckResult) -> None:
    """Append one check to the history."""
    record_checks(session, [result])


def record_checks(session: Session, results: Sequence[CheckResult]) -> None:
    """Append several checks to the history in one statement (the checker commits in batches)."""
    if results:
        session.execute(insert(checks), [_check_row(result) for result in results])


def _check_row(result: CheckResult) -> dict[str, Any]:
    page = result.page or PageInfo()
    published = page.published
    return dict(
        url=result.url,
        checked_at=result.checked_at,
        status=str(result.status),
        http_status=result.http_status,
        final_url=result.final_url,
        hops=to_json(result.hops),
        error=result.error,
        error_class=result.error_class,
        elapsed_ms=result.elapsed_ms,
        method=result.method,
        content_type=result.content_type,
        content_length=result.content_length,
        title=page.title,
        text_fingerprint=page.text_fingerprint,
        target_published=published.value if published else None,
        target_published_source=published.source if published else None,
        target_published_raw=published.raw if published else None,
        soft_404_reason=page.soft_404_reason,
        media_state=page.media_state,
    )


def _check_from_row(r: Any) -> CheckResult:
    page = PageInfo(
        title=r["title"],
        text_fingerprint=r["text_fingerprint"],
        published=date_evidence(r["target_published"], r["target_published_source"], r["target_published_raw"]),
        soft_404_reason=r["soft_404_reason"],
        media_state=r["media_state"],
    )
    hops = tuple(
        Hop(url=h["url"], status=h.get("status"), requested_url=h.get("requested_url"), location=h.get("location"))
        for h in r["hops"] or ()
    )
    return CheckResult(
        url=r["url"],
        status=LinkStatus(r["status"]),
        checked_at=r["checked_at"],
        http_status=r["http_status"],
        final_url=r["final_url"],
        hops=hops,
        error=r["error"],
        error_class=ErrorClass(r["error_class"]) if r["error_class"] else None,
        elapsed_ms=r["elapsed_ms"],
        method=r["method"],
        content_type=r["content_type"],
        content_length=r["content_length"],
        page=None if page == PageInfo() else page,
    )


def latest_checks(session: Session, urls: Iterable[str] | None = None) -> dict[str, CheckResult]:
    """The most recent check of each URL (all checked URLs, or those of URLS that were checked)."""
    return {r["url"]: _check_from_row(r) for r in latest_rows(session, checks, ["url"], "checked_at", urls)}


def check_history(session: Session, url: str) -> list[CheckResult]:
    """Every check of URL, oldest first."""
    query = select(checks).where(checks.c.url == url).order_by(checks.c.checked_at, checks.c.id)
    return [_check_from_row(r) for r in session.execute(query).mappings()]


def check_histories(session: Session, urls: Iterable[str]) -> dict[str, list[CheckResult]]:
    """Every check of each of URLS, oldest first (URLs never checked are absent)."""
    out: dict[str, list[CheckResult]] = {}
    for chunk in in_chunks(urls):
        query = select(checks).where(checks.c.url.in_(chunk)).order_by(checks.c.checked_at, checks.c.id)
        for r in session.execute(query).mappings():
            out.setdefault(r["url"], []).append(_check_from_row(r))
    return out


def check_statuses(session: Session, urls: Iterable[str]) -> list[tuple[str, datetime, str]]:
    """(url, checked_at, status) of every check of URLS: the history a chart needs, without whole checks."""
    out: list[tuple[str, datetime, str]] = []
    for chunk in in_chunks(urls):
        query = select(checks.c.url, checks.c.checked_at, checks.c.status).where(checks.c.url.in_(chunk))
        out.extend((url, checked_at, status) for url, checked_at, status in session.execute(query))
    return out


def due_counts(session: Session, now: datetime, schedule: ScheduleConfig) -> dict[str, int]:
    """How many link URLs are due now, never checked, and overdue (the backlog).

    Overdue means due for longer than one `check_every`: a keeping-up daemon would have taken
    them already.  A never-checked URL counts from the first harvest of a document citing it.
    """
    latest = latest_query(checks, ["url"], "checked_at").order_by(None).subquery("latest")
    known = (
        select(links.c.url, func.min(documents.c.harvested_at).label("seen"))
        .join(documents, documents.c.id == links.c.document_id)
        .where(links.c.url.is_not(None))
        .group_by(links.c.url)
        .subquery("known")
    )
    never, late = latest.c.checked_at.is_(None), now - schedule.check_every
    overdue = or_(and_(never, known.c.seen <= late), _checked_long_enough_ago(latest, schedule, late))
    query = (
        select(
            func.count(),
            func.coalesce(func.sum(case((never, 1), else_=0)), 0),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        )
        .select_from(known.outerjoin(latest, latest.c.url == known.c.url))
        .where(or_(never, _checked_long_enough_ago(latest, schedule, now)))
    )
    due, unchecked, overdue = session.execute(query).one()
    return {"due": int(due), "never_checked": int(unchecked), "overdue": int(overdue)}


def _checked_long_enough_ago(latest: Any, schedule: ScheduleConfig, when: datetime) -> Any:
    """SQL condition: the LATEST check is older than its interval at WHEN (alive_every or failing_every)."""
    healthy = latest.c.status.in_(HEALTHY)
    return or_(
        and_(healthy, latest.c.checked_at <= when - schedule.alive_every),
        and_(not_(healthy), latest.c.checked_at <= when - schedule.failing_every),
    )


def snapshot_due_urls(session: Session, now: datetime, schedule: ScheduleConfig) -> None:
    """Keep the link URLs due a check at NOW, in check order, on this session's connection (a TEMP
    table `due_snapshot`, read with `due_snapshot_page`): never checked first, then the
    longest-unchecked past their interval.

    Alive/redirected URLs are due after `schedule.alive_every`, every other status after
    `schedule.failing_every`.  One query; ties keep the order links were first harvested.
    """
    latest = latest_query(checks, ["url"], "checked_at").order_by(None).subquery("latest")
    known = (
        select(links.c.url, func.min(links.c.id).label("first_seen"))
        .where(links.c.url.is_not(None))
        .group_by(links.c.url)
        .subquery("known")
    )
    never = latest.c.checked_at.is_(None)
    query = (
        select(known.c.url)
        .select_from(known.outerjoin(latest, latest.c.url == known.c.url))
        .where(or_(never, _checked_long_enough_ago(latest, schedule, now)))
        .order_by(case((never, 0), else_=1), latest.c.checked_at, known.c.first_seen)
    )
    fresh_temporary(session, due_snapshot)
    session.execute(insert(due_snapshot).from_select(["url"], query))


def due_snapshot_page(session: Session, after: int, limit: int) -> list[tuple[int, str]]:
    """Up to LIMIT (seq, url) of the due snapshot past AFTER, in check order."""
    query = (
        select(due_snapshot.c.seq, due_snapshot.c.url)
        .where(due_snapshot.c.seq > after)
        .order_by(due_snapshot.c.seq)
        .limit(limit)
    )
    return [(seq, url) for seq, url in session.execute(query)]


def count_due_snapshot(session: Session) -> int:
    """URLs in the due snapshot."""
    return count_rows(session, due_snapshot)


def drop_due_snapshot(session: Session) -> None:
    """Drop the due snapshot of this session's connection, once its check run is over."""
    due_snapshot.drop(session.connection(), checkfirst=True)
