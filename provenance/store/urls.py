"""The URLs a check or archive run goes over, read from the store a page at a time.

A run never holds its URLs as a list: with the checker's set of URLs seen, that was the part of
an audit's memory still growing with its links.  `LinkedUrls` pages through the links by id (the
distinct URLs of some documents, in order of first appearance); `due_urls` fixes the URLs due a
check in a TEMP table of its own connection (`due_snapshot`) and `DueUrls` pages through it.
Each page is read in its own short transaction: a reader held open would keep SQLite from
checkpointing the run's writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from ..config import ScheduleConfig
from . import repo
from .db import kept_connection, session_scope

URL_PAGE = 1000  # URLs read from the store at a time


class LinkedUrls:
    """The distinct URLs linked from DOCUMENT_IDS (all documents when None), in order of first
    appearance, read PAGE at a time on each pass; sized and iterable any number of times."""

    def __init__(self, engine: Engine, document_ids: Iterable[int] | None = None, *, page: int = URL_PAGE) -> None:
        self.engine = engine
        self.document_ids = None if document_ids is None else tuple(document_ids)
        self.page = page

    def __iter__(self) -> Iterator[str]:
        chosen = self.document_ids is not None
        with self._connection() as connection:
            yield from _paged(
                connection, lambda session, after: repo.first_link_urls(session, after, self.page, chosen)
            )

    def __len__(self) -> int:
        return self._size

    @cached_property
    def _size(self) -> int:
        with self._connection() as connection, session_scope(connection, readonly=True) as session:
            return repo.count_link_urls(session, chosen=self.document_ids is not None)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A connection of its own, with the documents asked about named in its TEMP table."""
        with kept_connection(self.engine) as connection:
            if self.document_ids is not None:
                with session_scope(connection, readonly=True) as session:
                    repo.choose_documents(session, self.document_ids)
            yield connection


class DueUrls:
    """The URLs that were due a check when `due_urls` was entered, in check order, read from its
    snapshot PAGE at a time on each pass."""

    def __init__(self, connection: Connection, *, page: int = URL_PAGE) -> None:
        self.connection = connection  # holds the snapshot: used by one thread at a time
        self.page = page

    def __iter__(self) -> Iterator[str]:
        return _paged(self.connection, lambda session, after: repo.due_snapshot_page(session, after, self.page))

    def __len__(self) -> int:
        return self._size

    @cached_property
    def _size(self) -> int:
        with session_scope(self.connection, readonly=True) as session:
            return repo.count_due_snapshot(session)


@contextmanager
def due_urls(engine: Engine, schedule: ScheduleConfig, now: datetime, *, page: int = URL_PAGE) -> Iterator[DueUrls]:
    """The URLs due a check at NOW, fixed for the block: the run's own checks do not change them, so
    the check and the archive steps of `provenance check` go over the same URLs."""
    with kept_connection(engine) as connection:
        with session_scope(connection, readonly=True) as session:
            repo.snapshot_due_urls(session, now, schedule)
        yield DueUrls(connection, page=page)
        with session_scope(connection, readonly=True) as session:  # else it lasts as long as the pooled connection
            repo.drop_due_snapshot(session)


def _paged(connection: Connection, read_page: Callable[[Session, int], list[tuple[int, str]]]) -> Iterator[str]:
    """The URLs of READ_PAGE(session, after) page after page, each page read in its own short transaction."""
    after = 0
    while True:
        with session_scope(connection, readonly=True) as session:
            page = read_page(session, after)
        if not page:
            return
        after = page[-1][0]
        yield from (url for _, url in page)
