"""Orchestration of the stages: harvest -> store -> check -> archive -> reconcile.

Only this module, cli.py and daemon.py compose stages.  No printing and no SQL text here: the
store is reached through `store.repo`, and every unit of work is its own short transaction so a
crash loses at most the item in flight, and another process could have claimed the next one.
"""

from __future__ import annotations

import glob
import logging
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.engine import Connection, Engine

from .check.batching import in_batches
from .check.policy import DeadLinkPolicy
from .config import Config, SourceConfig
from .harvest.inputs import expand_targets, harvest_items
from .memory import release_free_memory
from .records import HarvestedDocument, Severity, Snapshot, SnapshotLookup
from .store import repo
from .store.db import kept_connection, session_scope

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .harvest.copies import CopyRelation
    from .reconcile import ReconcileContext

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]  # (done, total)
_Picked = TypeVar("_Picked")
Fetch = Callable[[str], tuple[bytes, str | None]]  # url -> (body, error)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class HarvestOutcome:
    document_ids: tuple[int, ...]
    errors: tuple[tuple[str, str], ...] = ()  # (source, reason)


@dataclass(frozen=True)
class FindingCounts:
    """How many findings a reconcile stored, per (document id, severity); the findings themselves
    are in the store (`repo.load_findings`, the report)."""

    by_document: Mapping[tuple[int | None, Severity], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_document.values())

    @property
    def errors(self) -> int:
        return sum(n for (_, severity), n in self.by_document.items() if severity is Severity.ERROR)

    def of(self, document_ids: Iterable[int]) -> FindingCounts:
        """The counts of DOCUMENT_IDS' findings only."""
        wanted = set(document_ids)
        return FindingCounts({key: n for key, n in self.by_document.items() if key[0] in wanted})


@dataclass(frozen=True)
class AuditOutcome:
    document_ids: tuple[int, ...]
    findings: FindingCounts
    checked: int = 0
    looked_up: int = 0
    harvest_errors: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def harvest(
    engine: Engine, config: Config, targets: Sequence[str], client=None, now: Clock = utcnow, fetch: Fetch | None = None
) -> HarvestOutcome:
    """Harvest files, folders and URLs into the store, then recognise copies among all documents."""
    items = expand_targets(targets)
    if fetch is None and client is not None:
        fetch = _fetcher(client, config)
    ids, errors = _save_all(engine, harvest_items(items, config.harvest, fetch), now)
    link_copies(engine)
    return HarvestOutcome(tuple(ids), tuple(errors))


def _save_all(engine: Engine, docs: Iterable[HarvestedDocument], now: Clock) -> tuple[list[int], list[tuple[str, str]]]:
    """Store each document as it comes; none is held afterwards (a 50 MB text is ~200 MB as str + UTF-8)."""
    ids: list[int] = []
    errors: list[tuple[str, str]] = []
    for doc in docs:
        ids.append(_save(engine, doc, now()))
        if doc.error:
            errors.append((doc.source, doc.error))
    return ids, errors


def harvest_source(
    engine: Engine, config: Config, source: SourceConfig, client=None, now: Clock = utcnow
) -> HarvestOutcome:
    """Harvest one watched source (config `sources:`): a file, folder or glob, or a page, feed or sitemap URL.

    Paths are relative to the config file.  A glob matching nothing harvests nothing (not an
    error: the folder may fill later); a missing file or folder is an InputError.
    """
    if source.url is None:
        return harvest(engine, config, source_targets(config, source), client=client, now=now)
    if client is None:
        return HarvestOutcome((), ((source.url, "URL sources need the network (run without --offline)"),))
    from .harvest.feeds import expand_source

    plain = _fetcher(client, config)
    first: dict[str, tuple[bytes, str | None]] = {}

    def fetch_listing(url: str) -> tuple[bytes, str | None]:
        answer = plain(url)
        if url == source.url:
            first[url] = answer
        return answer

    def fetch(url: str) -> tuple[bytes, str | None]:  # a page source is fetched once, not to sniff and again
        return first.pop(url, None) or plain(url)

    pages, errors = expand_source(source.url, fetch_listing)
    outcome = harvest(engine, config, pages, client=client, now=now, fetch=fetch) if pages else HarvestOutcome(())
    return HarvestOutcome(outcome.document_ids, tuple(errors) + outcome.errors)


def source_targets(config: Config, source: SourceConfig) -> list[str]:
    """The files and folders a `path:` source names now, resolved against the config file's folder."""
    assert source.path is not None
    path = source.path if Path(source.path).is_absolute() else str(config.base_dir / source.path)
    if not any(char in path for char in "*?["):
        return [path]
    return sorted(p for p in glob.glob(path, recursive=True) if Path(p).is_file())


def _save(engine: Engine, doc: HarvestedDocument, when: datetime) -> int:
    with session_scope(engine) as session:
        return repo.save_harvest(session, doc, when)


def _fetcher(client, config: Config) -> Callable[[str], tuple[bytes, str | None]]:
    def fetch(url: str) -> tuple[bytes, str | None]:
        response = client.request("GET", url, max_bytes=config.harvest.max_file_bytes)
        if response.error:
            return b"", f"cannot fetch {url}: {response.error}"
        if response.status is None or response.status >= 400:
            return b"", f"cannot fetch {url}: HTTP {response.status}"
        return response.body, None

    return fetch


def link_copies(engine: Engine) -> None:
    """Mark each document that is a copy of another (copy_of), over everything stored."""
    with session_scope(engine) as session:
        relations = {rel.copy_id: rel.original_id for rel in stored_copies(session)}
        for doc_id, copy_of in repo.copy_of_by_document(session).items():
            wanted = relations.get(doc_id)
            if copy_of != wanted:
                repo.set_copy_of(session, doc_id, wanted)


def stored_copies(session: Session) -> list[CopyRelation]:
    """Every stored document that is a copy of another (harvest/copies.py); documents whose text is
    new get their sketch first, one at a time."""
    from .harvest.copies import MAX_POSTING, MIN_SHARE, MIN_SHARED_SAMPLES, MIN_SHINGLES, find_copies, sketch

    if repo.count_documents(session) < 2:
        return []  # nothing to be a copy of: a lone document is sketched when a second one comes
    for doc_id in repo.unsketched_documents(session):
        text, text_fingerprint = repo.document_text(session, doc_id)
        made = sketch(text)
        repo.save_sketch(session, doc_id, text_fingerprint, made.shingles, made.sampled)
    candidates = repo.copy_candidates(session, MAX_POSTING, MIN_SHARED_SAMPLES, MIN_SHARE, MIN_SHINGLES)
    return find_copies(candidates, lambda doc_id: repo.load_documents(session, [doc_id], with_links=False)[0])


URL_PAGE = 1000  # URLs read from the store at a time by LinkedUrls


class LinkedUrls:
    """The distinct URLs linked from DOCUMENT_IDS (all documents when None), in order of first
    appearance, read from the store a page at a time on each pass (`repo.first_link_urls`).

    The check and archive stages go over a run's URLs without ever holding them all: as a list,
    with the checker's set of URLs seen, they were ~0.15 KB per link, the part of an audit's memory
    still growing with its links (6 MB at 40,000).
    """

    def __init__(self, engine: Engine, document_ids: Iterable[int] | None = None) -> None:
        self.engine = engine
        self.document_ids = None if document_ids is None else tuple(document_ids)

    def __iter__(self) -> Iterator[str]:
        chosen = self.document_ids is not None
        with self._connection() as connection:
            yield from _paged(connection, lambda session, after: repo.first_link_urls(session, after, URL_PAGE, chosen))

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
    snapshot (`repo.snapshot_due_urls`) a page at a time on each pass: a daemon's first run over a
    large store has every URL due, and as a list they grew with its links."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection  # holds the snapshot: used by one thread at a time

    def __iter__(self) -> Iterator[str]:
        return _paged(self.connection, lambda session, after: repo.due_snapshot_page(session, after, URL_PAGE))

    def __len__(self) -> int:
        return self._size

    @cached_property
    def _size(self) -> int:
        with session_scope(self.connection, readonly=True) as session:
            return repo.count_due_snapshot(session)


def _paged(connection: Connection, read_page: Callable[[Session, int], list[tuple[int, str]]]) -> Iterator[str]:
    """The URLs of READ_PAGE(session, after) page after page, each page read in its own short
    transaction (a reader held open would keep SQLite from checkpointing the run's writes)."""
    after = 0
    while True:
        with session_scope(connection, readonly=True) as session:
            page = read_page(session, after)
        if not page:
            return
        after = page[-1][0]
        yield from (url for _, url in page)


def checkable_urls(engine: Engine, document_ids: Iterable[int] | None = None) -> LinkedUrls:
    return LinkedUrls(engine, document_ids)


@contextmanager
def due_urls(engine: Engine, config: Config, now: Clock = utcnow) -> Iterator[DueUrls]:
    """The URLs due a check now, fixed for the block: the run's own checks do not change them, so
    the check and the archive steps of `provenance check` go over the same URLs."""
    with kept_connection(engine) as connection:
        with session_scope(connection, readonly=True) as session:
            repo.snapshot_due_urls(session, now(), config.schedule)
        yield DueUrls(connection)
        with session_scope(connection, readonly=True) as session:  # else it lasts as long as the pooled connection
            repo.drop_due_snapshot(session)


def check(
    engine: Engine,
    config: Config,
    client,
    urls: Collection[str],
    now: Clock = utcnow,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Check each of URLS (distinct: `checkable_urls`, `due_urls`); commit results in small batches
    (a crash loses at most one batch).

    Setting STOP (the daemon's SIGTERM) ends the run after the batch at hand is committed; checks
    still in flight finish but are not stored, so those links simply stay due.
    """
    from .check.checker import check_urls

    done = 0
    total = len(urls) if progress else 0
    for batch in in_batches(check_urls(client, urls, config.http, now=now, distinct=True)):
        with session_scope(engine) as session:
            repo.record_checks(session, batch)
        done += len(batch)
        if progress:
            progress(done, total)
        if stop is not None and stop.is_set():
            break
    return done


def archive(engine: Engine, config: Config, client, urls: Iterable[str], now: Clock = utcnow) -> int:
    """The archive stage: snapshot look-ups, then content drift; returns the number of look-ups.

    Only URLs whose last look-up is older than archive.max_age are asked again; answers and drift
    measurements are committed in small batches, as check results are.  With archive.save_missing,
    Save Page Now is asked, in the background while drift is measured, to capture alive links no
    archive holds.  URLS is gone over once per step, what to ask decided ARCHIVE_PIECE URLs at a
    time as the look-ups and measurements take them (`LinkedUrls` reads them from the store).
    """
    from .archive.lookup import archive_sources, lookup_snapshots

    sources = archive_sources(client, config.archive)
    if not sources:
        return 0
    done = 0
    for batch in in_batches(
        lookup_snapshots(
            sources,
            _stale_lookups(engine, config, urls, now()),
            config.archive.concurrency,
            per_archive=config.archive.per_archive,
        )
    ):
        with session_scope(engine) as session:
            for lookup in batch:
                repo.record_snapshot_lookup(session, lookup)
        done += len(batch)
    to_save = _save_wanted(engine, config, urls, now()) if config.archive.save_missing else []
    captures = _start_captures(config, client, to_save) if to_save else None
    try:
        _measure_drift(engine, config, client, _drift_wanted(engine, config, urls), now)
    finally:
        if captures is not None:
            _record_captures(engine, captures.finish())
    return done


ARCHIVE_PIECE = 1000  # URLs whose stored evidence is read at a time to decide what to ask archives


def _stale_lookups(
    engine: Engine, config: Config, urls: Iterable[str], now: datetime
) -> Iterator[tuple[str, date | None]]:
    """(url, citing date) pairs that need asking: never asked, or asked longer ago than archive.max_age."""

    def stale(session: Session, piece: list[str]) -> list[tuple[str, date | None]]:
        latest = repo.latest_snapshot_lookups(session, piece)
        cited_on = repo.earliest_citing_dates(session, piece)
        return [
            (url, cited_on.get(url))
            for url in piece
            if not _answered_lately(latest.get(url, ()), now, config.archive.max_age)
        ]

    return _judged_by_piece(engine, urls, stale)


def _answered_lately(answers: Sequence[SnapshotLookup], now: datetime, max_age: timedelta) -> bool:
    """Every archive asked answered, without an error, less than MAX_AGE before NOW (none: never asked)."""
    return bool(answers) and all(a.error is None and now - a.looked_up_at < max_age for a in answers)


def _save_wanted(engine: Engine, config: Config, urls: Iterable[str], now: datetime) -> list[str]:
    """The URLs to ask Save Page Now for (archive.save_missing), judged on their evidence a piece at a time."""
    from .archive.save import save_candidates

    return list(
        _judged_by_piece(
            engine,
            urls,
            lambda session, piece: save_candidates(
                piece,
                repo.latest_checks(session, piece),
                repo.latest_snapshot_lookups(session, piece),
                repo.latest_save_requests(session, piece),
                now,
                config.archive.max_age,
            ),
        )
    )


def _drift_wanted(engine: Engine, config: Config, urls: Iterable[str]) -> Iterator[tuple[str, Snapshot]]:
    """The (url, snapshot) pairs to measure drift on, judged with those URLs' evidence only, a piece
    at a time (every URL's latest check at once was ~1 KB per link, 40 MB at 40,000 links)."""
    from .archive.drift import drift_candidates

    return _judged_by_piece(
        engine,
        urls,
        lambda session, piece: drift_candidates(
            piece,
            repo.latest_checks(session, piece),
            repo.latest_snapshot_lookups(session, piece),
            repo.earliest_citing_dates(session, piece),
            repo.latest_drift(session, piece),
            config.reconcile.drift_threshold,
        ),
    )


def _judged_by_piece(
    engine: Engine, urls: Iterable[str], judge: Callable[[Session, list[str]], Iterable[_Picked]]
) -> Iterator[_Picked]:
    """What JUDGE(session, piece) picks from URLS, ARCHIVE_PIECE URLs at a time as they are asked
    for, each piece's evidence read in its own short transaction."""
    for piece in _pieces(urls, ARCHIVE_PIECE):
        with session_scope(engine, readonly=True) as session:
            picked = judge(session, piece)
        yield from picked


def _start_captures(config: Config, client, urls: list[str]):
    """A running CaptureQueue over URLS, paced by archive.save_interval (archive.save_missing)."""
    from .archive.save import CaptureQueue, SaveLimiter

    limiter = SaveLimiter(config.archive.save_interval.total_seconds())
    return CaptureQueue(client, urls, limiter).start()


def _record_captures(engine: Engine, results) -> None:
    """Store each capture request; a capture made at once is also the archive's answer about its URL."""
    from .archive.save import capture_lookup

    with session_scope(engine) as session:
        for result in results:
            repo.record_save_request(session, result)
            answer = capture_lookup(result)
            if answer is not None:
                repo.record_snapshot_lookup(session, answer)


def _measure_drift(engine: Engine, config: Config, client, wanted, now: Clock) -> None:
    """Measure each (url, snapshot) against the live page (issue 4), committing in small batches."""
    from .archive.drift import measure_drifts

    for batch in in_batches(
        measure_drifts(
            client,
            wanted,
            threshold=config.reconcile.drift_threshold,
            max_workers=config.archive.concurrency,
            per_archive=config.archive.per_archive,
            per_host=config.http.per_host,
            per_host_interval=config.http.per_host_interval,
        )
    ):
        with session_scope(engine) as session:
            for evidence in batch:
                repo.record_drift(session, evidence, now())


RECONCILE_PIECE = 1000  # links judged at a time: evidence is read per piece, so memory stays flat as links grow


def reconcile(
    engine: Engine, config: Config, now: Clock = utcnow, policy: DeadLinkPolicy | None = None
) -> FindingCounts:
    """Recompute every finding from stored evidence (no network: deterministic and cheap).

    With POLICY (the daemon's), a failing link's status is the dead-link policy's verdict on its
    whole check history rather than its latest answer (issue 5).  Documents are judged one at a
    time with their copy group, and their links RECONCILE_PIECE at a time with the evidence about
    those links only (holding every link's latest check at once was most of a 10,000-link audit's
    peak).  Findings are staged in a TEMP table as the rules give them, inside the read-only
    transaction, and replace the stored ones in one short write at the end: the write lock is
    never held while rules run (other processes share the database), and the findings are never
    all held either (~2 KB each as records; 5,600 of them at 40,000 links).
    """
    from .reconcile import run_rules

    when = now()
    counts: Counter[tuple[int | None, Severity]] = Counter()
    with kept_connection(engine) as connection:
        with session_scope(connection, readonly=True) as session:
            repo.start_staged_findings(session)
            for context in _contexts(session, config, policy):
                found = run_rules(context)
                repo.stage_findings(session, found, when)
                counts.update((f.document_id, f.severity) for f in found)
        with session_scope(connection) as session:
            repo.replace_findings_with_staged(session)
    return FindingCounts(counts)


def _contexts(session, config: Config, policy: DeadLinkPolicy | None) -> Iterator[ReconcileContext]:
    """ReconcileContexts covering every stored link once and every document once, in document order.

    Each holds one document's piece of links; the document's last piece also judges the document
    itself (so findings keep their order: a document's links, then the document).
    """
    from .check.policy import apply_policy, failing_urls
    from .reconcile import build_context
    from .reconcile.context import copies_by_original, copy_group

    copy_of = repo.copy_of_by_document(session)
    copy_ids = copies_by_original(copy_of)
    for doc_id in copy_of:
        group = copy_group(doc_id, copy_of, copy_ids)
        # A copy group's links are compared across its members, so they are loaded with them; a
        # document alone is read a piece at a time.
        documents = repo.load_documents(session, group, with_links=len(group) > 1)
        doc = next(d for d in documents if d.id == doc_id)
        pieces = (
            _pieces(doc.links, RECONCILE_PIECE)
            if len(group) > 1
            else repo.link_pieces(session, doc_id, RECONCILE_PIECE)
        )
        for last, piece in _marking_last(pieces):
            urls = sorted({link.url for link in piece if link.url})
            checks = repo.latest_checks(session, urls)
            verdicts = {}
            if policy is not None:
                checks, verdicts = apply_policy(checks, repo.check_histories(session, failing_urls(checks)), policy)
            yield build_context(
                documents,
                checks,
                repo.latest_snapshot_lookups(session, urls),
                config.reconcile,
                drift=repo.latest_drift(session, urls),
                policy=verdicts,
                judged=(doc, piece),
                subjects=(doc,) if last else (),
            )


def _pieces(items: Iterable, size: int) -> Iterator[list]:
    """ITEMS as lists of SIZE (the last shorter), taken as they are asked for."""
    source = iter(items)
    return iter(lambda: list(islice(source, size)), [])


def _marking_last(pieces: Iterable[Sequence]) -> Iterator[tuple[bool, Sequence]]:
    """(is_last, piece) for each piece; a document without links still gets one empty piece."""
    previous: Sequence | None = None
    for piece in pieces:
        if previous is not None:
            yield False, previous
        previous = piece
    yield True, previous if previous is not None else ()


def audit(
    engine: Engine,
    config: Config,
    targets: Sequence[str],
    client=None,
    *,
    archives: bool = True,
    now: Clock = utcnow,
    progress: Progress | None = None,
) -> AuditOutcome:
    """One-off audit: harvest TARGETS, check their links, look up snapshots, reconcile.

    `client is None` means offline: harvest and reconcile only.
    """
    harvested = harvest(engine, config, targets, client=client, now=now)
    release_free_memory()  # each stage's peak would otherwise stack on the last one's (memory.py)
    checked = looked_up = 0
    if client is not None:
        urls = checkable_urls(engine, harvested.document_ids)
        checked = check(engine, config, client, urls, now=now, progress=progress)
        release_free_memory()
        if archives and config.archive.enabled:
            looked_up = archive(engine, config, client, urls, now=now)
            release_free_memory()
    findings = reconcile(engine, config, now=now)
    release_free_memory()
    return AuditOutcome(
        document_ids=harvested.document_ids,
        findings=findings.of(harvested.document_ids),
        checked=checked,
        looked_up=looked_up,
        harvest_errors=harvested.errors,
    )
