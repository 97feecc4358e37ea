"""Helpers every part of the store uses: chunked IN (...) lists, the latest row per key, counts,
fresh TEMP tables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Select,
    Table,
    func,
    select,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from ..chunks import batched
from ..records import (
    DateEvidence,
)

CHUNK = 500  # bound parameters per IN (...), well under every backend's limit


def in_chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """VALUES without repeats, CHUNK at a time: each list fits one IN (...)."""
    return batched(dict.fromkeys(values), CHUNK)


def latest_query(table: Table, keys: Sequence[str], when: str, urls: list[str] | None = None) -> Select[Any]:
    """The newest row of TABLE per KEYS by WHEN (a tie goes to the later row), optionally for URLS only."""
    rank = func.row_number().over(
        partition_by=[table.c[k] for k in keys], order_by=(table.c[when].desc(), table.c.id.desc())
    )
    ranked = select(table, rank.label("rank"))
    if urls is not None:
        ranked = ranked.where(table.c.url.in_(urls))
    sub = ranked.subquery(f"latest_{table.name}")
    return select(*(sub.c[c.name] for c in table.columns)).where(sub.c.rank == 1).order_by(*(sub.c[k] for k in keys))


def latest_rows(
    session: Session, table: Table, keys: Sequence[str], when: str, urls: Iterable[str] | None
) -> Iterator[Any]:
    """The rows one by one: callers turn each into a record, so the rows are never all held at once
    on top of the records made of them."""
    chunks: Iterable[list[str] | None] = [None] if urls is None else in_chunks(urls)
    for chunk in chunks:
        yield from session.execute(latest_query(table, keys, when, chunk)).mappings()


def date_evidence(value: date | None, source: str | None, raw: str | None) -> DateEvidence | None:
    return None if value is None else DateEvidence(value=value, source=source or "", raw=raw or "")


INSERT_BATCH = 1000  # rows built and sent at a time: a document's 10,000 links are not all dicts at once


def count_rows(session: Session, table: Table, document_ids: Sequence[int] | None = None) -> int:
    """Rows of TABLE, or only those of DOCUMENT_IDS' documents (counted IN (...) a chunk at a time)."""
    query = select(func.count()).select_from(table)
    if document_ids is None:
        return session.execute(query).scalar_one()
    return sum(
        session.execute(query.where(table.c.document_id.in_(chunk))).scalar_one() for chunk in in_chunks(document_ids)
    )


def fresh_temporary(session: Session, table: Table) -> None:
    """An empty TABLE (TEMPORARY: schema.py) on this session's connection, whatever an earlier
    run left on the pooled connection."""
    connection = session.connection()
    table.drop(connection, checkfirst=True)
    table.create(connection)


def written(session: Session, statement: Executable) -> CursorResult[Any]:
    """Run an INSERT, UPDATE or DELETE; its result tells the rows it touched and the key it made."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)  # what a DML statement always gives
    return result


def inserted_id(session: Session, statement: Executable) -> int:
    """Run an INSERT of one row; the primary key it made."""
    key = written(session, statement).inserted_primary_key
    assert key is not None  # a single-row INSERT has one
    return int(key[0])
