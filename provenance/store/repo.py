"""Every read and write of the store, as a named function taking a Session and speaking records.

Callers own the transaction (`db.session_scope`); nothing here commits.  Rows never leave this
module: each function takes or returns the frozen records of `provenance.records`, so stages
stay testable without a database and the schema can change behind them.

History (checks, snapshot look-ups) is only ever appended; "current state" is a query that picks
the latest row per key with a window function (portable to PostgreSQL, SQLite >= 3.25).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    Select,
    Table,
    and_,
    case,
    column,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal_column,
    not_,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.orm import Session

from ..config import ScheduleConfig
from ..domains import registrable_domain
from ..errors import StorageError
from ..records import (
    CheckResult,
    DateEvidence,
    DocumentFormat,
    DriftEvidence,
    Finding,
    FindingKind,
    HarvestedDocument,
    Hop,
    LinkRef,
    LinkRole,
    LinkStatus,
    PageInfo,
    SaveResult,
    Severity,
    Snapshot,
    SnapshotLookup,
    StoredDocument,
    StoredLink,
)
from .schema import (
    checks,
    chosen_documents,
    document_sketches,
    documents,
    drift_measurements,
    due_snapshot,
    findings,
    links,
    runs,
    save_requests,
    sketch_shingles,
    snapshot_lookups,
    staged_findings,
)

HEALTHY = (LinkStatus.ALIVE.value, LinkStatus.REDIRECTED.value)  # re-checked on alive_every
_CHUNK = 500  # bound parameters per IN (...), well under every backend's limit


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _latest_query(table: Table, keys: Sequence[str], when: str, urls: list[str] | None = None) -> Select[Any]:
    """The newest row of TABLE per KEYS by WHEN (a tie goes to the later row), optionally for URLS only."""
    rank = func.row_number().over(
        partition_by=[table.c[k] for k in keys], order_by=(table.c[when].desc(), table.c.id.desc())
    )
    ranked = select(table, rank.label("rank"))
    if urls is not None:
        ranked = ranked.where(table.c.url.in_(urls))
    sub = ranked.subquery(f"latest_{table.name}")
    return select(*(sub.c[c.name] for c in table.columns)).where(sub.c.rank == 1).order_by(*(sub.c[k] for k in keys))


def _latest_rows(
    session: Session, table: Table, keys: Sequence[str], when: str, urls: Iterable[str] | None
) -> Iterator[Any]:
    """The rows one by one: callers turn each into a record, so the rows are never all held at once
    (10,000 latest checks as rows were 10 MB on top of the records made of them)."""
    chunks: Iterable[list[str] | None] = [None] if urls is None else _chunks(urls)
    for chunk in chunks:
        yield from session.execute(_latest_query(table, keys, when, chunk)).mappings()


def to_json(value: Any) -> Any:
    """Evidence and run details as JSON-native values: records via as_json(), dates as ISO text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, Enum) else value
    if hasattr(value, "as_json"):
        return to_json(value.as_json())
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(to_json(k)): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    return str(value)  # evidence is for people; an odd value is shown, not lost


def _date_evidence(value: date | None, source: str | None, raw: str | None) -> DateEvidence | None:
    return None if value is None else DateEvidence(value=value, source=source or "", raw=raw or "")


# --- documents and links -------------------------------------------------------------------

_LINK_FIELDS = ("position", "url", "written", "role", "anchor_text", "context")


def _link_rows(document_id: int, refs: Sequence[LinkRef]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": document_id,
            "position": ref.position,
            "url": ref.url,
            "written": ref.written,
            "role": str(ref.role),
            "anchor_text": ref.anchor_text,
            "context": ref.context,
            "domain": (registrable_domain(ref.url) or None) if ref.url else None,
        }
        for ref in refs
    ]


_INSERT_BATCH = 1000  # link rows built and sent at a time: 10,000 at once were ~17 MB of dicts and parameters


def _replace_links(session: Session, document_id: int, refs: Sequence[LinkRef], *, known: bool) -> bool:
    """Make the document's stored links equal REFS; rows are kept (ids stable) when nothing changed."""
    if known:
        old = session.execute(
            select(*(links.c[k] for k in _LINK_FIELDS))
            .where(links.c.document_id == document_id)
            .order_by(links.c.position, links.c.id)
        ).all()
        # LinkRole is a StrEnum: it equals the stored text of its value
        wanted = sorted((tuple(getattr(ref, k) for k in _LINK_FIELDS) for ref in refs), key=lambda t: t[0])  # stable
        if [tuple(r) for r in old] == wanted:
            return False
        session.execute(delete(links).where(links.c.document_id == document_id))
    for start in range(0, len(refs), _INSERT_BATCH):
        session.execute(insert(links), _link_rows(document_id, refs[start : start + _INSERT_BATCH]))
    return True


def save_harvest(session: Session, doc: HarvestedDocument, now: datetime) -> int:
    """Insert or update the document with this source (idempotent); replace its links if they changed.

    `harvested_at` is the last time the source was read, `updated_at` the last time what it says changed.
    """
    published = doc.published
    values = {
        "format": str(doc.format),
        "title": doc.title,
        "original_url": doc.original_url,
        "published": published.value if published else None,
        "published_source": published.source if published else None,
        "published_raw": published.raw if published else None,
        "text": doc.text,
        "fingerprint": doc.fingerprint,
        "error": doc.error,
    }
    row = session.execute(select(documents).where(documents.c.source == doc.source)).mappings().first()
    if row is None:
        result = session.execute(
            insert(documents).values(source=doc.source, harvested_at=now, updated_at=now, **values)
        )
        doc_id = int(result.inserted_primary_key[0])
        _replace_links(session, doc_id, doc.links, known=False)
        return doc_id
    doc_id = int(row["id"])
    changed = _replace_links(session, doc_id, doc.links, known=True)
    changed = changed or any(row[key] != value for key, value in values.items())
    stamp = {"updated_at": now} if changed else {}
    session.execute(update(documents).where(documents.c.id == doc_id).values(harvested_at=now, **stamp, **values))
    return doc_id


def set_copy_of(session: Session, document_id: int, original_id: int | None) -> None:
    """Record that DOCUMENT_ID is a copy of ORIGINAL_ID (None: of nothing)."""
    if original_id == document_id:
        raise ValueError(f"document {document_id} cannot be a copy of itself")
    result = session.execute(update(documents).where(documents.c.id == document_id).values(copy_of_id=original_id))
    if result.rowcount == 0:
        raise StorageError(f"no stored document with id {document_id}")


def load_documents(
    session: Session, ids: Sequence[int] | None = None, *, with_links: bool = True, with_text: bool = True
) -> list[StoredDocument]:
    """Stored documents (all, or those with IDS) ordered by id, each with its links in order.

    WITH_LINKS=False leaves `links` empty, for callers that need no links or read them a piece at a
    time with `link_pieces` (copy detection, reconcile, the report).  WITH_TEXT=False leaves `text`
    empty, for callers that only describe documents (the report: a folder of 10,000 pages is
    hundreds of MB of text).
    """
    query = select(*(c for c in documents.c if with_text or c.name != "text")).order_by(documents.c.id)
    if ids is not None:
        if not ids:
            return []
        rows = [r for chunk in _chunks(ids) for r in session.execute(query.where(documents.c.id.in_(chunk))).mappings()]
        rows.sort(key=lambda r: r["id"])
    else:
        rows = list(session.execute(query).mappings())
    by_doc: dict[int, list[StoredLink]] = {r["id"]: [] for r in rows}
    link_query = select(links).order_by(links.c.document_id, links.c.position, links.c.id)
    for chunk in _chunks(by_doc) if with_links else ():
        for r in session.execute(link_query.where(links.c.document_id.in_(chunk))).mappings():
            by_doc[r["document_id"]].append(_link_from_row(r))
    return [
        StoredDocument(
            id=r["id"],
            source=r["source"],
            format=DocumentFormat(r["format"]),
            title=r["title"],
            published=_date_evidence(r["published"], r["published_source"], r["published_raw"]),
            original_url=r["original_url"],
            text=r["text"] if with_text else "",
            fingerprint=r["fingerprint"],
            copy_of=r["copy_of_id"],
            error=r["error"],
            links=tuple(by_doc[r["id"]]),
        )
        for r in rows
    ]


def _link_from_row(r: Any) -> StoredLink:
    return StoredLink(
        id=r["id"],
        url=r["url"],
        written=r["written"],
        role=LinkRole(r["role"]),
        anchor_text=r["anchor_text"],
        context=r["context"],
        position=r["position"],
    )


def link_pieces(session: Session, document_id: int, size: int) -> Iterator[list[StoredLink]]:
    """The document's links in order, SIZE at a time, read as they are used (a 10,000-link
    document is never held whole by a stage that needs one piece at a time)."""
    query = (
        select(links)
        .where(links.c.document_id == document_id)
        .order_by(links.c.position, links.c.id)
        .execution_options(yield_per=size)
    )
    for rows in session.execute(query).mappings().partitions(size):
        yield [_link_from_row(r) for r in rows]


def copy_of_by_document(session: Session) -> dict[int, int | None]:
    """Every stored document's id -> the id of the document it is a copy of (None: none), by id."""
    query = select(documents.c.id, documents.c.copy_of_id).order_by(documents.c.id)
    return {doc_id: copy_of for doc_id, copy_of in session.execute(query)}


# --- copy detection's sketches (harvest/copies.py) -----------------------------------------


def count_documents(session: Session) -> int:
    return _count(session, documents)


def _count(session: Session, table: Table, document_ids: Sequence[int] | None = None) -> int:
    """Rows of TABLE, or only those of DOCUMENT_IDS' documents (counted IN (...) a chunk at a time)."""
    query = select(func.count()).select_from(table)
    if document_ids is None:
        return session.execute(query).scalar_one()
    return sum(
        session.execute(query.where(table.c.document_id.in_(chunk))).scalar_one() for chunk in _chunks(document_ids)
    )


def unsketched_documents(session: Session) -> list[int]:
    """Ids of the documents whose copy sketch is missing or was made from an earlier text."""
    made = document_sketches.c
    query = (
        select(documents.c.id)
        .select_from(documents.outerjoin(document_sketches, made.document_id == documents.c.id))
        .where(or_(made.document_id.is_(None), made.fingerprint != func.coalesce(documents.c.fingerprint, "")))
        .order_by(documents.c.id)
    )
    return list(session.execute(query).scalars())


def document_text(session: Session, document_id: int) -> tuple[str, str]:
    """(text, fingerprint) of one stored document, "" for what it lacks."""
    row = session.execute(select(documents.c.text, documents.c.fingerprint).where(documents.c.id == document_id)).one()
    return row.text or "", row.fingerprint or ""


def save_sketch(session: Session, document_id: int, fingerprint: str, shingles: int, sampled: Sequence[int]) -> None:
    """Replace the document's copy sketch: made from the text with FINGERPRINT, SHINGLES in all, SAMPLED kept."""
    session.execute(delete(sketch_shingles).where(sketch_shingles.c.document_id == document_id))
    session.execute(delete(document_sketches).where(document_sketches.c.document_id == document_id))
    session.execute(
        insert(document_sketches).values(
            document_id=document_id, fingerprint=fingerprint, shingles=shingles, sampled=len(sampled)
        )
    )
    for start in range(0, len(sampled), _INSERT_BATCH):
        session.execute(
            insert(sketch_shingles),
            [{"document_id": document_id, "shingle": shingle} for shingle in sampled[start : start + _INSERT_BATCH]],
        )


def copy_candidates(
    session: Session, max_posting: int, min_shared: int, min_share: float, min_shingles: int
) -> list[tuple[int, int]]:
    """Pairs (low id, high id) of documents worth comparing, in order: they share MIN_SHARED sampled
    shingles, and MIN_SHARE of the smaller one's, counting only shingles in at most MAX_POSTING
    documents (more is boilerplate); or they have the same fingerprint and MIN_SHINGLES shingles
    (each such group is paired with its first member only: a thousand identical error pages are
    999 pairs, not half a million)."""
    a, b = sketch_shingles.alias("a"), sketch_shingles.alias("b")
    size_a, size_b = document_sketches.alias("size_a"), document_sketches.alias("size_b")
    telling = (
        select(sketch_shingles.c.shingle)
        .group_by(sketch_shingles.c.shingle)
        .having(func.count().between(2, max_posting))
    )
    shared = (
        select(a.c.document_id, b.c.document_id, func.count(), size_a.c.sampled, size_b.c.sampled)
        .join_from(a, b, and_(b.c.shingle == a.c.shingle, b.c.document_id > a.c.document_id))
        .join(size_a, size_a.c.document_id == a.c.document_id)
        .join(size_b, size_b.c.document_id == b.c.document_id)
        .where(a.c.shingle.in_(telling))
        .group_by(a.c.document_id, b.c.document_id, size_a.c.sampled, size_b.c.sampled)
        .having(func.count() >= min_shared)
    )
    pairs = {
        (low, high)
        for low, high, count, sampled_low, sampled_high in session.execute(shared)
        if count >= min_share * min(sampled_low, sampled_high)
    }
    made = document_sketches.c
    long_enough = and_(made.fingerprint != "", made.shingles >= min_shingles)
    repeated = select(made.fingerprint).where(long_enough).group_by(made.fingerprint).having(func.count() > 1)
    sized = (
        select(made.document_id, made.fingerprint)
        .where(long_enough, made.fingerprint.in_(repeated))
        .order_by(made.fingerprint, made.document_id)
    )
    first: dict[str, int] = {}
    for doc_id, text_fingerprint in session.execute(sized):
        if text_fingerprint in first:
            pairs.add((first[text_fingerprint], doc_id))
        else:
            first[text_fingerprint] = doc_id
    return sorted(pairs)


def choose_documents(session: Session, document_ids: Iterable[int]) -> None:
    """Name the documents `first_link_urls` and `count_link_urls` are about when asked for the
    chosen ones, on this session's connection (a TEMP table, see schema.py)."""
    _fresh_temporary(session, chosen_documents)
    for chunk in _chunks(document_ids):
        session.execute(insert(chosen_documents), [{"id": document_id} for document_id in chunk])


def first_link_urls(session: Session, after: int, limit: int, chosen: bool = False) -> list[tuple[int, str]]:
    """Up to LIMIT (link id, url) pairs past link id AFTER, each the first link to its URL (among all
    documents, or the CHOSEN ones: `choose_documents`), in link order.

    Paging on the link id gives every distinct URL once, in order of first appearance, while
    holding one page: a run's URLs are never all in memory (keyset pagination, one pass over the
    links in all).
    """
    earlier = links.alias("earlier")
    first = [earlier.c.url == links.c.url, earlier.c.id < links.c.id]
    query = select(links.c.id, links.c.url).where(links.c.url.is_not(None), links.c.id > after)
    if chosen:
        mine = select(chosen_documents.c.id)
        # `+ 0` keeps SQLite walking links in id order, not gathering and sorting the chosen ones for each page.
        query = query.where((links.c.document_id + literal_column("0")).in_(mine))
        first.append(earlier.c.document_id.in_(mine))
    query = query.where(~exists().where(*first)).order_by(links.c.id).limit(limit)
    return [(link_id, url) for link_id, url in session.execute(query)]


def count_link_urls(session: Session, chosen: bool = False) -> int:
    """Distinct non-null link URLs (of all documents, or of the CHOSEN ones: `choose_documents`)."""
    query = select(func.count(distinct(links.c.url))).where(links.c.url.is_not(None))
    if chosen:
        query = query.where(links.c.document_id.in_(select(chosen_documents.c.id)))
    return session.execute(query).scalar_one()


def earliest_citing_dates(session: Session, urls: Iterable[str]) -> dict[str, date]:
    """For each URL, the earliest publication date of a stored document linking to it (when known)."""
    out: dict[str, date] = {}
    for chunk in _chunks(urls):
        query = (
            select(links.c.url, func.min(documents.c.published))
            .join(documents, documents.c.id == links.c.document_id)
            .where(links.c.url.in_(chunk), documents.c.published.is_not(None))
            .group_by(links.c.url)
        )
        out.update({url: published for url, published in session.execute(query).all()})
    return out


# --- checks ---------------------------------------------------------------------------------


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
        hops=[hop.as_json() for hop in result.hops],
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
        published=_date_evidence(r["target_published"], r["target_published_source"], r["target_published_raw"]),
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
        error_class=r["error_class"],
        elapsed_ms=r["elapsed_ms"],
        method=r["method"],
        content_type=r["content_type"],
        content_length=r["content_length"],
        page=None if page == PageInfo() else page,
    )


def latest_checks(session: Session, urls: Iterable[str] | None = None) -> dict[str, CheckResult]:
    """The most recent check of each URL (all checked URLs, or those of URLS that were checked)."""
    return {r["url"]: _check_from_row(r) for r in _latest_rows(session, checks, ["url"], "checked_at", urls)}


def check_history(session: Session, url: str) -> list[CheckResult]:
    """Every check of URL, oldest first."""
    query = select(checks).where(checks.c.url == url).order_by(checks.c.checked_at, checks.c.id)
    return [_check_from_row(r) for r in session.execute(query).mappings()]


def check_histories(session: Session, urls: Iterable[str]) -> dict[str, list[CheckResult]]:
    """Every check of each of URLS, oldest first (URLs never checked are absent)."""
    out: dict[str, list[CheckResult]] = {}
    for chunk in _chunks(urls):
        query = select(checks).where(checks.c.url.in_(chunk)).order_by(checks.c.checked_at, checks.c.id)
        for r in session.execute(query).mappings():
            out.setdefault(r["url"], []).append(_check_from_row(r))
    return out


def check_statuses(session: Session, urls: Iterable[str]) -> list[tuple[str, datetime, str]]:
    """(url, checked_at, status) of every check of URLS: the history a chart needs, without whole checks."""
    out: list[tuple[str, datetime, str]] = []
    for chunk in _chunks(urls):
        query = select(checks.c.url, checks.c.checked_at, checks.c.status).where(checks.c.url.in_(chunk))
        out.extend((url, checked_at, status) for url, checked_at, status in session.execute(query))
    return out


def due_counts(session: Session, now: datetime, schedule: ScheduleConfig) -> dict[str, int]:
    """How many link URLs are due now, never checked, and overdue (the backlog).

    Overdue means due for longer than one `check_every`: a keeping-up daemon would have taken
    them already.  A never-checked URL counts from the first harvest of a document citing it.
    """
    latest = _latest_query(checks, ["url"], "checked_at").order_by(None).subquery("latest")
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
    latest = _latest_query(checks, ["url"], "checked_at").order_by(None).subquery("latest")
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
    _fresh_temporary(session, due_snapshot)
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
    return _count(session, due_snapshot)


def drop_due_snapshot(session: Session) -> None:
    """Drop the due snapshot of this session's connection, once its check run is over."""
    due_snapshot.drop(session.connection(), checkfirst=True)


# --- snapshot look-ups ----------------------------------------------------------------------


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
    for r in _latest_rows(session, snapshot_lookups, ["url", "archive"], "looked_up_at", urls):
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
    for r in _latest_rows(session, drift_measurements, ["url"], "measured_at", urls):
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
        for r in _latest_rows(session, save_requests, ["url"], "requested_at", urls)
    }


# --- findings and runs ----------------------------------------------------------------------


def start_staged_findings(session: Session) -> None:
    """Begin a new set of findings on this session's connection (a TEMP table, see schema.py)."""
    _fresh_temporary(session, staged_findings)


def _fresh_temporary(session: Session, table: Table) -> None:
    """An empty TABLE (TEMPORARY: schema.py) on this session's connection, whatever an earlier
    run left on the pooled connection."""
    connection = session.connection()
    table.drop(connection, checkfirst=True)
    table.create(connection)


def stage_findings(session: Session, items: Sequence[Finding], now: datetime) -> None:
    """Add ITEMS to the set begun by `start_staged_findings`; nothing stored changes yet."""
    if items:
        session.execute(
            insert(staged_findings),
            [
                {
                    "kind": str(f.kind),
                    "severity": str(f.severity),
                    "document_id": f.document_id,
                    "url": f.url,
                    "message": f.message,
                    "evidence": to_json(f.evidence or {}),
                    "created_at": now,
                }
                for f in items
            ],
        )


def replace_findings_with_staged(session: Session) -> None:
    """Replace every stored finding with the staged set, in staged order (findings are derived,
    recomputed by each reconcile); SESSION must be on the connection that staged them."""
    moved = ("kind", "severity", "document_id", "url", "message", "evidence", "created_at")
    session.execute(delete(findings))
    session.execute(
        insert(findings).from_select(
            moved, select(*(staged_findings.c[name] for name in moved)).order_by(staged_findings.c.id)
        )
    )
    staged_findings.drop(session.connection())


def count_links(session: Session, document_ids: Sequence[int]) -> int:
    return _count(session, links, document_ids)


SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def report_findings(session: Session, document_ids: Sequence[int] | None = None) -> Iterator[Finding]:
    """The findings of DOCUMENT_IDS (None: every finding, also those about no document) in report
    order: by document id (none first), severity (errors first), kind, URL, then as stored; read
    as they are used.  DOCUMENT_IDS are named in the session's TEMP table (`choose_documents`),
    however many they are."""
    query = (
        select(findings)
        .order_by(
            func.coalesce(findings.c.document_id, 0),
            case(SEVERITY_RANK, value=findings.c.severity),
            findings.c.kind,
            func.coalesce(findings.c.url, ""),
            findings.c.id,
        )
        .execution_options(yield_per=_CHUNK)
    )
    if document_ids is not None:
        choose_documents(session, document_ids)
        query = query.where(findings.c.document_id.in_(select(chosen_documents.c.id)))
    for r in session.execute(query).mappings():
        yield _finding_from_row(r)


def count_findings(session: Session, document_ids: Sequence[int] | None = None) -> int:
    """As many as `report_findings` gives for DOCUMENT_IDS."""
    return _count(session, findings, document_ids)


def _finding_from_row(r: Any) -> Finding:
    return Finding(
        kind=FindingKind(r["kind"]),
        severity=Severity(r["severity"]),
        document_id=r["document_id"],
        url=r["url"],
        message=r["message"],
        evidence=r["evidence"] or {},
    )


def load_findings(session: Session) -> list[Finding]:
    """Every stored finding, in the order reconcile produced them; evidence comes back as JSON values."""
    return [_finding_from_row(r) for r in session.execute(select(findings).order_by(findings.c.id)).mappings()]


# --- report views (created by migration 0002) ----------------------------------------------

ViewCondition = tuple[tuple[str, ...], str, Any]  # (columns, "=" or ">=", value): true if any column matches


def read_view(
    session: Session, view: str, conditions: Sequence[ViewCondition] = (), order_by: Sequence[tuple[str, bool]] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of a report VIEW, filtered by CONDITIONS, ordered by (column, descending)."""
    query = select(literal_column("*")).select_from(table(view))
    for names, op, value in conditions:
        if op not in ("=", ">="):
            raise ValueError(f"unknown view condition {op!r}")
        query = query.where(or_(*((column(n) == value) if op == "=" else (column(n) >= value) for n in names)))
    query = query.order_by(*(column(n).desc() if desc else column(n).asc() for n, desc in order_by))
    result = session.execute(query)
    return list(result.keys()), [tuple(row) for row in result]


def start_run(session: Session, kind: str, now: datetime, detail: dict[str, Any] | None = None) -> int:
    """Record that a run (audit, check cycle, ...) started; returns its id for finish_run."""
    result = session.execute(
        insert(runs).values(kind=kind, started_at=now, status="running", detail=to_json(detail or {}))
    )
    return int(result.inserted_primary_key[0])


def finish_run(session: Session, run_id: int, now: datetime, status: str, detail: dict[str, Any]) -> None:
    """Record how run RUN_ID ended."""
    result = session.execute(
        update(runs).where(runs.c.id == run_id).values(finished_at=now, status=status, detail=to_json(detail))
    )
    if result.rowcount == 0:
        raise StorageError(f"no run with id {run_id}")
