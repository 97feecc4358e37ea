"""Documents and their links: saving a harvest, reading documents back, copy sketches, and the
distinct URLs a run goes over."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    and_,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ..chunks import batched
from ..domains import registrable_domain
from ..errors import StorageError
from ..jsonvalues import to_json
from ..records import (
    DocumentFormat,
    HarvestedDocument,
    LinkRef,
    LinkRole,
    StoredDocument,
    StoredLink,
)
from .rows import INSERT_BATCH, count_rows, date_evidence, fresh_temporary, in_chunks, inserted_id, written
from .schema import (
    chosen_documents,
    document_sketches,
    documents,
    links,
    sketch_shingles,
)

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
    for batch in batched(refs, INSERT_BATCH):
        session.execute(insert(links), _link_rows(document_id, batch))
    return True


def save_harvest(session: Session, doc: HarvestedDocument, now: datetime) -> int:
    """Insert or update the document with this source (idempotent); replace its links if they changed.

    `harvested_at` is the last time the source was read, `updated_at` the last time what it says changed.
    """
    published, captured = doc.published, doc.captured
    values = {
        "format": str(doc.format),
        "title": doc.title,
        "original_url": doc.original_url,
        "published": published.value if published else None,
        "published_source": published.source if published else None,
        "published_raw": published.raw if published else None,
        "captured": captured.value if captured else None,
        "captured_source": captured.source if captured else None,
        "captured_raw": captured.raw if captured else None,
        "evidence": to_json(doc.evidence),
        "text": doc.text,
        "fingerprint": doc.fingerprint,
        "error": doc.error,
        "source": doc.source,
        "location": doc.location,
    }
    row = _stored_as(session, doc)
    if row is None:
        doc_id = inserted_id(session, insert(documents).values(harvested_at=now, updated_at=now, **values))
        _replace_links(session, doc_id, doc.links, known=False)
        return doc_id
    doc_id = int(row["id"])
    changed = _replace_links(session, doc_id, doc.links, known=True)
    changed = changed or any(row[key] != value for key, value in values.items())
    stamp = {"updated_at": now} if changed else {}
    session.execute(update(documents).where(documents.c.id == doc_id).values(harvested_at=now, **stamp, **values))
    return doc_id


def _stored_as(session: Session, doc: HarvestedDocument) -> RowMapping | None:
    """The stored row that is this document: the one read from the same place; else, when the place is
    not known, one stored under the same name (a row older than locations is adopted by its name)."""
    if doc.location is not None:
        row = session.execute(select(documents).where(documents.c.location == doc.location)).mappings().first()
        if row is not None:
            return row
    unplaced = documents.c.location.is_(None)
    return session.execute(select(documents).where(documents.c.source == doc.source, unplaced)).mappings().first()


def set_copy_of(session: Session, document_id: int, original_id: int | None) -> None:
    """Record that DOCUMENT_ID is a copy of ORIGINAL_ID (None: of nothing)."""
    if original_id == document_id:
        raise ValueError(f"document {document_id} cannot be a copy of itself")
    result = written(session, update(documents).where(documents.c.id == document_id).values(copy_of_id=original_id))
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
        rows = [
            r for chunk in in_chunks(ids) for r in session.execute(query.where(documents.c.id.in_(chunk))).mappings()
        ]
        rows.sort(key=lambda r: r["id"])
    else:
        rows = list(session.execute(query).mappings())
    by_doc: dict[int, list[StoredLink]] = {r["id"]: [] for r in rows}
    link_query = select(links).order_by(links.c.document_id, links.c.position, links.c.id)
    for chunk in in_chunks(by_doc) if with_links else ():
        for r in session.execute(link_query.where(links.c.document_id.in_(chunk))).mappings():
            by_doc[r["document_id"]].append(_link_from_row(r))
    return [
        StoredDocument(
            id=r["id"],
            source=r["source"],
            format=DocumentFormat(r["format"]),
            title=r["title"],
            published=date_evidence(r["published"], r["published_source"], r["published_raw"]),
            original_url=r["original_url"],
            text=r["text"] if with_text else "",
            fingerprint=r["fingerprint"],
            copy_of=r["copy_of_id"],
            error=r["error"],
            links=tuple(by_doc[r["id"]]),
            captured=date_evidence(r["captured"], r["captured_source"], r["captured_raw"]),
            evidence=r["evidence"] or {},
            location=r["location"],
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
    return count_rows(session, documents)


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
    for batch in batched(sampled, INSERT_BATCH):
        session.execute(
            insert(sketch_shingles), [{"document_id": document_id, "shingle": shingle} for shingle in batch]
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
    fresh_temporary(session, chosen_documents)
    for chunk in in_chunks(document_ids):
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
    for chunk in in_chunks(urls):
        query = (
            select(links.c.url, func.min(documents.c.published))
            .join(documents, documents.c.id == links.c.document_id)
            .where(links.c.url.in_(chunk), documents.c.published.is_not(None))
            .group_by(links.c.url)
        )
        out.update({url: published for url, published in session.execute(query).all()})
    return out


def count_links(session: Session, document_ids: Sequence[int]) -> int:
    return count_rows(session, links, document_ids)
