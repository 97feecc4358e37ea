"""What the archive stage asks for, decided from the stored evidence a piece of URLs at a time.

Three decisions, each over the run's URLs as they are read (they may come from the store a page
at a time), each piece's evidence read in its own short transaction: holding every URL's latest
check at once grew with the links.

- `stale_lookups`: URLs never asked, or asked longer ago than `archive.max_age` (or answered
  with an error), with the earliest date a stored document cites them on;
- `save_wanted`: alive URLs no archive holds (save.py's `save_candidates`), for Save Page Now;
- `drift_wanted`: alive, archived URLs whose live text should be compared with the snapshot
  (drift.py's `drift_candidates`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..chunks import batched
from ..records import Snapshot, SnapshotLookup
from ..store import repo
from ..store.db import session_scope
from .drift import drift_candidates
from .save import save_candidates

ARCHIVE_PIECE = 1000  # URLs whose stored evidence is read at a time
Picked = TypeVar("Picked")


def stale_lookups(
    engine: Engine, urls: Iterable[str], now: datetime, max_age: timedelta, *, piece: int = ARCHIVE_PIECE
) -> Iterator[tuple[str, date | None]]:
    """(url, citing date) pairs that need asking: never asked, or not answered cleanly within MAX_AGE."""

    def stale(session: Session, urls: list[str]) -> list[tuple[str, date | None]]:
        latest = repo.latest_snapshot_lookups(session, urls)
        cited_on = repo.earliest_citing_dates(session, urls)
        return [(url, cited_on.get(url)) for url in urls if not answered_lately(latest.get(url, ()), now, max_age)]

    return judged_by_piece(engine, urls, stale, piece)


def answered_lately(answers: Sequence[SnapshotLookup], now: datetime, max_age: timedelta) -> bool:
    """Every archive asked answered, without an error, less than MAX_AGE before NOW (none: never asked)."""
    return bool(answers) and all(a.error is None and now - a.looked_up_at < max_age for a in answers)


def save_wanted(
    engine: Engine, urls: Iterable[str], now: datetime, max_age: timedelta, *, piece: int = ARCHIVE_PIECE
) -> list[str]:
    """The URLs to ask Save Page Now for (archive.save_missing)."""

    def wanted(session: Session, urls: list[str]) -> list[str]:
        return save_candidates(
            urls,
            repo.latest_checks(session, urls),
            repo.latest_snapshot_lookups(session, urls),
            repo.latest_save_requests(session, urls),
            now,
            max_age,
        )

    return list(judged_by_piece(engine, urls, wanted, piece))


def drift_wanted(
    engine: Engine, urls: Iterable[str], threshold: float, *, piece: int = ARCHIVE_PIECE
) -> Iterator[tuple[str, Snapshot]]:
    """The (url, snapshot) pairs to measure content drift on."""

    def wanted(session: Session, urls: list[str]) -> list[tuple[str, Snapshot]]:
        return drift_candidates(
            urls,
            repo.latest_checks(session, urls),
            repo.latest_snapshot_lookups(session, urls),
            repo.earliest_citing_dates(session, urls),
            repo.latest_drift(session, urls),
            threshold,
        )

    return judged_by_piece(engine, urls, wanted, piece)


def judged_by_piece(
    engine: Engine, urls: Iterable[str], judge: Callable[[Session, list[str]], Iterable[Picked]], piece: int
) -> Iterator[Picked]:
    """What JUDGE(session, urls) picks from URLS, PIECE URLs at a time as they are asked for."""
    for urls_piece in batched(urls, piece):
        with session_scope(engine, readonly=True) as session:
            picked = judge(session, urls_piece)
        yield from picked
